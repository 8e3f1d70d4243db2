/**
 * The designation service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import type { Collection } from 'mongodb';
import { verifierFromConfig } from '@rampart/auth';
import { AuditTrail, auditStream, connectEventBus, deadLetterStream, EventConsumer, OutboxRelay, registerDeadLetterMetrics, timerConsumer, TimerScheduler, timerStream, type OutboxDocument } from '@rampart/events';
import { GrpcServer, runService, type AuditRecord } from '@rampart/grpc-kit';
import { createLogger } from '@rampart/telemetry';
import { loadDesignationConfig, type DesignationConfig } from './config';
import { CONSULTATION_DEADLINE, consultationDeadlineHandler, consultationDeadlines } from './events/consultation-deadline';
import { AREA, designationStreams } from './events/designation-events';
import { INTAKE_CONSUMER, intakeEventHandler } from './events/intake-consumer';
import { POLICY_CONSUMER, policyChangeHandler } from './events/policy-change';
import { designationService } from './grpc/designation-service';
import { DesignationStore } from './store';

export async function startDesignation(config: DesignationConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const logger = createLogger('designation', config.LOG_LEVEL);
  const verifier = verifierFromConfig(config, logger.child({ component: 'auth' }));
  const store = await DesignationStore.open(config.MONGODB_URI, config.MONGODB_DB);
  const deadLetters = deadLetterStream(AREA, config.NATS_STREAM_REPLICAS);
  const { nc, js, jsm, alsoOnReconnect } = await connectEventBus({
    servers: config.NATS_URL, name: 'rampart-designation', logger, streams: [...designationStreams(config.NATS_STREAM_REPLICAS), deadLetters, auditStream(AREA, config.NATS_STREAM_REPLICAS), timerStream(AREA, config.NATS_STREAM_REPLICAS)],
  });
  const audit = new AuditTrail<AuditRecord>({ js, area: AREA, logger: logger.child({ component: 'audit-trail' }) }).start();
  registerDeadLetterMetrics(jsm, deadLetters.name);

  // Cases, evidence and policies each keep their own outbox; one relay per collection. Each write
  // hands its events to its relay, which publishes them at once; the relays' sweeps (now, then
  // every OUTBOX_SWEEP_MS) catch up on what a crash or an outage left.
  const relayOf = (collection: Collection<OutboxDocument>) => new OutboxRelay({
    collection,
    js,
    logger: logger.child({ component: 'outbox-relay', collection: collection.collectionName }),
    sweepIntervalMs: config.OUTBOX_SWEEP_MS,
    locks: store.locks,
  });
  const publishers = {
    cases: relayOf(store.cases as unknown as Collection<OutboxDocument>),
    evidence: relayOf(store.evidence as unknown as Collection<OutboxDocument>),
    policies: relayOf(store.policies as unknown as Collection<OutboxDocument>),
  };
  const relays = Object.values(publishers);
  store.publishWith(publishers);
  relays.forEach((r) => r.start());
  // Kept for the handlers' signature: the store hands every write's events to its relay itself.
  const eventsWritten = () => undefined;

  const consumer = new EventConsumer({
    nc, js, jsm, area: AREA, spec: INTAKE_CONSUMER,
    handler: intakeEventHandler(store, eventsWritten),
    logger: logger.child({ component: 'intake-consumer' }),
  });
  alsoOnReconnect(() => consumer.ensure());
  consumer.start();

  // Designation's own policy.changed events re-determine every open case, outside any request.
  const policyStopping = new AbortController();
  const policyConsumer = new EventConsumer({
    nc, js, jsm, area: AREA, spec: POLICY_CONSUMER,
    handler: policyChangeHandler({ store, eventsWritten, now: () => new Date(), logger: logger.child({ component: 'policy-recompute' }), stopping: policyStopping.signal }),
    logger: logger.child({ component: 'policy-recompute' }),
  });
  alsoOnReconnect(() => policyConsumer.ensure());
  policyConsumer.start();

  // Consultation deadlines: durable timers in DESIGNATION_TIMERS, each fire handled by one replica.
  const timers = new TimerScheduler({ js, area: AREA });
  const timerFires = timerConsumer({
    nc, js, jsm, area: AREA, logger: logger.child({ component: 'timers' }),
    handlers: { [CONSULTATION_DEADLINE]: consultationDeadlineHandler(store, eventsWritten) },
  });
  alsoOnReconnect(() => timerFires.ensure());
  timerFires.start();

  const server = new GrpcServer({
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    services: [designationService({ verifier, logger, audit, maxDeadlineMs: 10 * 60_000 }, {
      store, consultees: config.CONSULTEES, consultationDays: config.CONSULTATION_DAYS, maxLogBytes: config.MAX_LOG_BYTES, eventsWritten,
      consultationDeadlines: consultationDeadlines(timers),
    })],
    logger,
  });
  const port = await server.start();

  return {
    port,
    async stop() {
      // NOT_SERVING, stop consuming, let in-flight calls finish; then let the relays publish what
      // they wrote, drain NATS, and close the database last.
      server.setServing(false);
      await consumer.stop();
      policyStopping.abort();
      await policyConsumer.stop();
      await timerFires.stop();
      await server.shutdown(config.SHUTDOWN_GRACE_MS);
      await Promise.all(relays.map((r) => r.stop()));
      await audit.stop();
      await nc.drain();
      await store.close();
    },
  };
}

if (require.main === module) runService('designation', loadDesignationConfig, startDesignation);
