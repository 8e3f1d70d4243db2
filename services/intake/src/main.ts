/**
 * The intake service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { mongoTimeouts } from '@rampart/config';
import { runService, ServiceRuntime } from '@rampart/grpc-kit';
import { loadIntakeConfig, type IntakeConfig } from './config';
import { AREA, intakeStreams } from './events/submission-events';
import { intakeService } from './grpc/intake-service';
import { IntakeStore } from './store';

export async function startIntake(config: IntakeConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const runtime = await ServiceRuntime.start({ name: 'intake', area: AREA, config, streams: intakeStreams(config.NATS_STREAM_REPLICAS) });
  const store = await IntakeStore.open(config.MONGODB_URI, config.MONGODB_DB, mongoTimeouts(config));
  runtime.onClose(() => store.close());
  store.publishWith(runtime.relay(store.submissions, store.locks));
  return runtime.serve([intakeService(runtime.kit(), { store })]);
}

if (require.main === module) runService('intake', loadIntakeConfig, startIntake);
