/**
 * The intake service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { verifierFromConfig } from '@rampart/auth';
import { AuditTrail, auditStream, connectEventBus, OutboxRelay, type OutboxDocument } from '@rampart/events';
import { GrpcServer, runService, type AuditRecord } from '@rampart/grpc-kit';
import { createLogger } from '@rampart/telemetry';
import type { Collection } from 'mongodb';
import { loadIntakeConfig, type IntakeConfig } from './config';
import { AREA, intakeStreams } from './events/submission-events';
import { intakeService } from './grpc/intake-service';
import { IntakeStore } from './store';

export interface RunningIntake {
  port: number;
  stop(): Promise<void>;
}

export async function startIntake(config: IntakeConfig): Promise<RunningIntake> {
  const logger = createLogger('intake', config.LOG_LEVEL);
  const verifier = verifierFromConfig(config, logger.child({ component: 'auth' }));
  const store = await IntakeStore.open(config.MONGODB_URI, config.MONGODB_DB);
  const { nc, js } = await connectEventBus({ servers: config.NATS_URL, name: 'rampart-intake', logger, streams: [...intakeStreams(config.NATS_STREAM_REPLICAS), auditStream(AREA, config.NATS_STREAM_REPLICAS)] });
  const audit = new AuditTrail<AuditRecord>({ js, area: AREA, logger: logger.child({ component: 'audit-trail' }) }).start();

  // Each write hands its events to the relay, which publishes them at once; the relay's sweep
  // (now, then every OUTBOX_SWEEP_MS) catches up on what a crash or an outage left.
  const relay = new OutboxRelay({
    collection: store.submissions as unknown as Collection<OutboxDocument>,
    js,
    logger: logger.child({ component: 'outbox-relay' }),
    locks: store.locks,
    sweepIntervalMs: config.OUTBOX_SWEEP_MS,
  });
  store.publishWith(relay);
  relay.start();

  const server = new GrpcServer({
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    services: [intakeService({ verifier, logger, audit }, { store, eventsWritten: () => undefined /* the store hands its writes to the relay */ })],
    logger,
  });
  const port = await server.start();

  return {
    port,
    // NOT_SERVING first so load balancers stop sending; let in-flight calls finish; then let the
    // relay publish what they wrote, drain NATS, and close the database last.
    async stop() {
      server.setServing(false);
      await server.shutdown(config.SHUTDOWN_GRACE_MS);
      await relay.stop();
      await audit.stop();
      await nc.drain();
      await store.close();
    },
  };
}

if (require.main === module) runService('intake', loadIntakeConfig, startIntake);
