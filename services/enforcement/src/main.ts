/**
 * The enforcement service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { mongoTimeouts } from '@rampart/config';
import type { TimerScheduler } from '@rampart/events';
import { runService, ServiceRuntime } from '@rampart/grpc-kit';
import { loadEnforcementConfig, stepDeadlinesOf, type EnforcementConfig } from './config';
import { CustodyStore } from './evidence/custody-store';
import { DEADLINE_SCHEDULING, deadlineHandler, deadlineSchedulingHandler, STEP_DEADLINE } from './events/deadline-timers';
import { EXPLOITATION_CONSUMER, exploitationHandler, SIGNAL_CONSUMER, signalHandler } from './events/candidate-consumers';
import { AREA, enforcementStreams } from './events/referral-events';
import { enforcementService } from './grpc/enforcement-service';
import { EnforcementStore } from './store';

export async function startEnforcement(config: EnforcementConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const runtime = await ServiceRuntime.start({ name: 'enforcement', area: AREA, config, streams: enforcementStreams(config.NATS_STREAM_REPLICAS), consumes: true, timers: true });
  const store = await EnforcementStore.open(config.MONGODB_URI, config.MONGODB_DB, mongoTimeouts(config));
  runtime.onClose(() => store.close());
  const custody = await CustodyStore.open(store.database, { key: config.CUSTODY_CHECKPOINT_KEY, every: config.CUSTODY_CHECKPOINT_EVERY });
  // Referrals, evidence and custody entries each keep their own outbox: one relay per collection.
  store.publishWith(runtime.relay(store.referrals, store.locks));
  custody.publishWith({ evidence: runtime.relay(custody.evidence, custody.locks), custody: runtime.relay(custody.custody, custody.locks) });
  // Candidates from the clearinghouse's exploitation reports and early access's insider-risk signals.
  runtime.consume(EXPLOITATION_CONSUMER, exploitationHandler(store), 'exploitation-candidates');
  runtime.consume(SIGNAL_CONSUMER, signalHandler(store), 'signal-candidates');
  // Step deadlines: scheduled from enforcement's own referral events, each fire handled by one replica.
  const deadlines = stepDeadlinesOf(config);
  const timers: TimerScheduler = runtime.timers({ [STEP_DEADLINE]: (timer, delivery) => deadlineHandler(store, timers, deadlines)(timer, delivery) });
  runtime.consume(DEADLINE_SCHEDULING, deadlineSchedulingHandler(store, timers, deadlines), 'deadlines');
  return runtime.serve([enforcementService(runtime.kit(), { store, custody, deadlines, maxUploadBytes: config.EVIDENCE_UPLOAD_MAX_BYTES })]);
}

if (require.main === module) runService('enforcement', loadEnforcementConfig, startEnforcement);
