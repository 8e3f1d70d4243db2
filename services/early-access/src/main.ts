/**
 * The early-access service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { mongoTimeouts } from '@rampart/config';
import { runService, ServiceRuntime } from '@rampart/grpc-kit';
import { BaselineStore } from './access-log/baseline-store';
import { loadEarlyAccessConfig, type EarlyAccessConfig } from './config';
import { accessStreams, AREA } from './events/access-events';
import { DESIGNATION_CONSUMER, designationEventHandler } from './events/designation-consumer';
import { GRANT_ENDINGS_CONSUMER, grantEndingsHandler } from './events/grant-endings';
import { INTAKE_CONSUMER, intakeEventHandler } from './events/intake-consumer';
import { TIMER_SCHEDULING_CONSUMER, timerSchedulingHandler } from './events/timer-scheduling';
import { accessTimers, GRANT_EXPIRY, type AccessTimers, grantExpiryHandler, PUBLIC_RELEASE, publicReleaseHandler } from './events/timers';
import { earlyAccessService } from './grpc/early-access-service';
import { AccessLogStore } from './access-log/log-store';
import { ReportReads } from './access-log/report-reads';
import { Signer } from './signing';
import { EarlyAccessStore } from './store';

export async function startEarlyAccess(config: EarlyAccessConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const signer = await Signer.load(config.CREDENTIAL_KEYS_FILE, config.CREDENTIAL_SIGNING_KID, config.CREDENTIAL_ISSUER, config.AUTH_CLOCK_TOLERANCE_S);
  const runtime = await ServiceRuntime.start({ name: 'early-access', area: AREA, config, streams: accessStreams(config.NATS_STREAM_REPLICAS), consumes: true, timers: true });
  const store = await EarlyAccessStore.open(config.MONGODB_URI, config.MONGODB_DB, mongoTimeouts(config));
  runtime.onClose(() => store.close());
  const baselines = BaselineStore.open(store.database, config.SIGNAL_BASELINE_USES);
  const log = await AccessLogStore.open(store.database, {
    checkpointEvery: config.CHECKPOINT_EVERY,
    signCheckpoint: (statement) => signer.signCheckpoint(statement),
    publisher: () => store.logPublisher,
    appended: (records) => baselines.record(records),
  });

  // Programs, nominations, grants and the log (its signals) each keep their own outbox: one relay per collection.
  // ReportAccess's cached reads forget whatever this process writes (access-log/report-reads.ts).
  const reads = new ReportReads(store);
  store.onAgreementPublished = () => reads.forgetAgreements();
  store.publishWith(reads.publishers({ programs: runtime.relay(store.programs, store.locks), nominations: runtime.relay(store.nominations, store.locks), grants: runtime.relay(store.grants, store.locks), log: runtime.relay(log.log, store.locks) }));
  // The read model changes by claim too but publishes nothing: its claims sweep alone (roll-forward, pruning).
  runtime.sweepClaims(store.submissions);
  runtime.sweepClaims(store.assessments);

  // Grant ends and public releases: durable timers in ACCESS_TIMERS, each fire handled by one replica.
  // A public-release fire that is not yet due (a stale schedule) schedules the timer again.
  const timers: AccessTimers = accessTimers(runtime.timers({ [GRANT_EXPIRY]: grantExpiryHandler(store), [PUBLIC_RELEASE]: publicReleaseHandler(store, (p) => timers.publicRelease(p)) }));
  // Intake's submissions and designation's released assessments: the read model.
  // Scheduled from early access's own events (they leave with their write): no request publishes a timer.
  runtime.consume(TIMER_SCHEDULING_CONSUMER, timerSchedulingHandler(store, timers), 'timer-scheduling');
  runtime.consume(INTAKE_CONSUMER, intakeEventHandler(store), 'intake-consumer');
  runtime.consume(DESIGNATION_CONSUMER, designationEventHandler(store), 'designation-consumer');
  // Early access's own closings, partner removals and moved windows end the grants they concern, outside any request.
  runtime.consume(GRANT_ENDINGS_CONSUMER, grantEndingsHandler(store), 'grant-endings');

  return runtime.serve([earlyAccessService(runtime.kit(), {
    store, log, baselines, reads, signer, governmentOrganizations: new Set(config.GOVERNMENT_ORGANIZATIONS),
    maxCredentialTtlSeconds: config.CREDENTIAL_MAX_TTL_S,
    volumePolicy: { factor: config.SIGNAL_VOLUME_FACTOR, minUses: config.SIGNAL_BASELINE_MIN_USES },
    clockToleranceSeconds: config.AUTH_CLOCK_TOLERANCE_S,
  })]);
}

if (require.main === module) runService('early-access', loadEarlyAccessConfig, startEarlyAccess);
