/**
 * The early-access service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import type { Collection } from 'mongodb';
import { verifierFromConfig } from '@rampart/auth';
import { AuditTrail, auditStream, connectEventBus, deadLetterStream, EventConsumer, OutboxRelay, registerDeadLetterMetrics, timerConsumer, TimerScheduler, timerStream, type OutboxDocument } from '@rampart/events';
import { GrpcServer, runService, type AuditRecord } from '@rampart/grpc-kit';
import { createLogger } from '@rampart/telemetry';
import { loadEarlyAccessConfig, type EarlyAccessConfig } from './config';
import { accessStreams, AREA } from './events/access-events';
import { DESIGNATION_CONSUMER, designationEventHandler } from './events/designation-consumer';
import { GRANT_ENDINGS_CONSUMER, grantEndingsHandler } from './events/grant-endings';
import { INTAKE_CONSUMER, intakeEventHandler } from './events/intake-consumer';
import { accessTimers, GRANT_EXPIRY, grantExpiryHandler, PUBLIC_RELEASE, publicReleaseHandler } from './events/timers';
import { earlyAccessService } from './grpc/early-access-service';
import { BaselineStore } from './baseline-store';
import { AccessLogStore } from './log-store';
import { Signer } from './signing';
import { EarlyAccessStore } from './store';

export async function startEarlyAccess(config: EarlyAccessConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const logger = createLogger('early-access', config.LOG_LEVEL);
  const verifier = verifierFromConfig(config, logger.child({ component: 'auth' }));
  const signer = await Signer.load(config.CREDENTIAL_KEYS_FILE, config.CREDENTIAL_SIGNING_KID, config.CREDENTIAL_ISSUER);
  const store = await EarlyAccessStore.open(config.MONGODB_URI, config.MONGODB_DB);
  const log = await AccessLogStore.open(store.database, {
    checkpointEvery: config.CHECKPOINT_EVERY,
    signCheckpoint: (statement) => signer.signCheckpoint(statement),
    publisher: () => store.logPublisher,
  });
  const baselines = BaselineStore.open(store.database, config.SIGNAL_BASELINE_USES);
  const deadLetters = deadLetterStream(AREA, config.NATS_STREAM_REPLICAS);
  const bus = await connectEventBus({
    servers: config.NATS_URL, name: 'rampart-early-access', logger,
    streams: [...accessStreams(config.NATS_STREAM_REPLICAS), deadLetters, auditStream(AREA, config.NATS_STREAM_REPLICAS), timerStream(AREA, config.NATS_STREAM_REPLICAS)],
  });
  const { nc, js, jsm } = bus;
  const audit = new AuditTrail<AuditRecord>({ js, area: AREA, logger: logger.child({ component: 'audit-trail' }) }).start();
  registerDeadLetterMetrics(jsm, deadLetters.name);

  // Programs, nominations, grants and the log (its signals) each keep their own outbox; one relay
  // per collection. Each write hands its events to its relay, which publishes them at once; the
  // relays' sweeps (now, then every OUTBOX_SWEEP_MS) catch up on what a crash or an outage left.
  const relayOf = (collection: Collection<OutboxDocument>) => new OutboxRelay({
    collection,
    js,
    logger: logger.child({ component: 'outbox-relay', collection: collection.collectionName }),
    sweepIntervalMs: config.OUTBOX_SWEEP_MS,
    locks: store.locks,
  });
  const publishers = {
    programs: relayOf(store.programs as unknown as Collection<OutboxDocument>),
    nominations: relayOf(store.nominations as unknown as Collection<OutboxDocument>),
    grants: relayOf(store.grants as unknown as Collection<OutboxDocument>),
    log: relayOf(log.log as unknown as Collection<OutboxDocument>),
  };
  const relays = Object.values(publishers);
  store.publishWith(publishers);
  relays.forEach((r) => r.start());

  const timers = accessTimers(new TimerScheduler({ js, area: AREA }));
  const consumers = [
    // Intake's submissions and designation's released assessments: the read model.
    new EventConsumer({ nc, js, jsm, area: AREA, spec: INTAKE_CONSUMER, handler: intakeEventHandler(store, timers), logger: logger.child({ component: 'intake-consumer' }) }),
    new EventConsumer({ nc, js, jsm, area: AREA, spec: DESIGNATION_CONSUMER, handler: designationEventHandler(store), logger: logger.child({ component: 'designation-consumer' }) }),
    // Early access's own closings and partner removals end the grants they concern, outside any request.
    new EventConsumer({ nc, js, jsm, area: AREA, spec: GRANT_ENDINGS_CONSUMER, handler: grantEndingsHandler(store), logger: logger.child({ component: 'grant-endings' }) }),
    // Grant ends and public releases: durable timers in ACCESS_TIMERS, each fire handled by one replica.
    timerConsumer({
      nc, js, jsm, area: AREA, logger: logger.child({ component: 'timers' }),
      handlers: { [GRANT_EXPIRY]: grantExpiryHandler(store), [PUBLIC_RELEASE]: publicReleaseHandler(store) },
    }),
  ];
  for (const consumer of consumers) {
    bus.alsoOnReconnect(() => consumer.ensure());
    consumer.start();
  }

  const server = new GrpcServer({
    address: `${config.GRPC_HOST}:${config.GRPC_PORT}`,
    services: [earlyAccessService({ verifier, logger, audit }, {
      store, log, baselines, signer, timers,
      maxCredentialTtlSeconds: config.CREDENTIAL_MAX_TTL_S,
      volumePolicy: { factor: config.SIGNAL_VOLUME_FACTOR, minUses: config.SIGNAL_BASELINE_MIN_USES },
      clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_S,
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
      await Promise.all(consumers.map((c) => c.stop()));
      await server.shutdown(config.SHUTDOWN_GRACE_MS);
      await Promise.all(relays.map((r) => r.stop()));
      await audit.stop();
      await nc.drain();
      await store.close();
    },
  };
}

if (require.main === module) runService('early-access', loadEarlyAccessConfig, startEarlyAccess);
