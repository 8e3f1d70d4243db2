/**
 * The intake service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { verifierFromConfig } from '@rampart/auth';
import { connectEventBus, OutboxRelay, type OutboxDocument } from '@rampart/events';
import { GrpcServer, runService } from '@rampart/grpc-kit';
import { createLogger } from '@rampart/telemetry';
import type { Collection } from 'mongodb';
import { loadIntakeConfig, type IntakeConfig } from './config';
import { intakeStreams } from './events/submission-events';
import { intakeService } from './grpc/intake-service';
import { IntakeStore } from './store';

export interface RunningIntake {
  port: number;
  stop(): Promise<void>;
}

export async function startIntake(config: IntakeConfig): Promise<RunningIntake> {
  const logger = createLogger('intake', config.LOG_LEVEL);
  const verifier = verifierFromConfig(config);
  const store = await IntakeStore.open(config.MONGODB_URI, config.MONGODB_DB);
  const { nc, js } = await connectEventBus({ servers: config.NATS_URL, name: 'rampart-intake', logger, streams: intakeStreams(config.NATS_STREAM_REPLICAS) });

  const relay = new OutboxRelay({
    collection: store.submissions as unknown as Collection<OutboxDocument>,
    js,
    logger: logger.child({ component: 'outbox-relay' }),
    locks: store.locks,
    pollIntervalMs: config.OUTBOX_POLL_MS,
  });
  relay.start();

  const server = new GrpcServer({
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    services: [intakeService({ verifier, logger }, { store, eventsWritten: () => relay.kick() })],
    logger,
  });
  const port = await server.start();

  return {
    port,
    // NOT_SERVING first so load balancers stop sending; then stop publishing, drain NATS, let
    // in-flight calls finish, and close the database last (in-flight calls still write to it).
    async stop() {
      server.setServing(false);
      await relay.stop();
      await nc.drain();
      await server.shutdown(config.SHUTDOWN_GRACE_MS);
      await store.close();
    },
  };
}

if (require.main === module) runService('intake', loadIntakeConfig, startIntake);
