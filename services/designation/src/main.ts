/**
 * The designation service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import type { Collection } from 'mongodb';
import { verifierFromConfig } from '@rampart/auth';
import { connectEventBus, deadLetterStream, EventConsumer, OutboxRelay, registerDeadLetterMetrics, type OutboxDocument } from '@rampart/events';
import { GrpcServer, runService } from '@rampart/grpc-kit';
import { createLogger } from '@rampart/telemetry';
import { loadDesignationConfig, type DesignationConfig } from './config';
import { AREA, designationStreams } from './events/designation-events';
import { INTAKE_CONSUMER, intakeEventHandler } from './events/intake-consumer';
import { designationService } from './grpc/designation-service';
import { DesignationStore } from './store';

export async function startDesignation(config: DesignationConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const logger = createLogger('designation', config.LOG_LEVEL);
  const verifier = verifierFromConfig(config);
  const store = await DesignationStore.open(config.MONGODB_URI, config.MONGODB_DB);
  const deadLetters = deadLetterStream(AREA, config.NATS_STREAM_REPLICAS);
  const { nc, js, jsm, alsoOnReconnect } = await connectEventBus({
    servers: config.NATS_URL, name: 'rampart-designation', logger, streams: [...designationStreams(config.NATS_STREAM_REPLICAS), deadLetters],
  });
  registerDeadLetterMetrics(jsm, deadLetters.name);

  // Cases and evidence each keep their own outbox; one relay per collection.
  const relays = [store.cases, store.evidence].map((collection) => new OutboxRelay({
    collection: collection as unknown as Collection<OutboxDocument>,
    js,
    logger: logger.child({ component: 'outbox-relay', collection: collection.collectionName }),
    pollIntervalMs: config.OUTBOX_POLL_MS,
    locks: store.locks,
  }));
  relays.forEach((r) => r.start());
  const eventsWritten = () => relays.forEach((r) => r.kick());

  const consumer = new EventConsumer({
    nc, js, jsm, area: AREA, spec: INTAKE_CONSUMER,
    handler: intakeEventHandler(store, eventsWritten),
    logger: logger.child({ component: 'intake-consumer' }),
  });
  alsoOnReconnect(() => consumer.ensure());
  consumer.start();

  const server = new GrpcServer({
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    services: [designationService({ verifier, logger, maxDeadlineMs: 10 * 60_000 }, {
      store, consultees: config.CONSULTEES, consultationDays: config.CONSULTATION_DAYS, maxLogBytes: config.MAX_LOG_BYTES, eventsWritten,
    })],
    logger,
  });
  const port = await server.start();

  return {
    port,
    async stop() {
      server.setServing(false);
      await consumer.stop();
      await Promise.all(relays.map((r) => r.stop()));
      await nc.drain();
      await server.shutdown(config.SHUTDOWN_GRACE_MS);
      await store.close();
    },
  };
}

if (require.main === module) runService('designation', loadDesignationConfig, startDesignation);
