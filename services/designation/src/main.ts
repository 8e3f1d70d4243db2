/**
 * The designation service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { mongoTimeouts } from '@rampart/config';
import { runService, ServiceRuntime } from '@rampart/grpc-kit';
import { loadDesignationConfig, type DesignationConfig } from './config';
import { CONSULTATION_DEADLINE, consultationDeadlineHandler, consultationDeadlines } from './events/consultation-deadline';
import { AREA, designationStreams } from './events/designation-events';
import { INTAKE_CONSUMER, intakeEventHandler } from './events/intake-consumer';
import { POLICY_CONSUMER, policyChangeHandler } from './events/policy-change';
import { designationService } from './grpc/designation-service';
import { DesignationStore } from './store';

export async function startDesignation(config: DesignationConfig): Promise<{ port: number; stop(): Promise<void> }> {
  const runtime = await ServiceRuntime.start({ name: 'designation', area: AREA, config, streams: designationStreams(config.NATS_STREAM_REPLICAS), consumes: true, timers: true });
  const store = await DesignationStore.open(config.MONGODB_URI, config.MONGODB_DB, mongoTimeouts(config));
  runtime.onClose(() => store.close());
  // Cases, evidence and policies each keep their own outbox: one relay per collection.
  store.publishWith({ cases: runtime.relay(store.cases, store.locks), evidence: runtime.relay(store.evidence, store.locks), policies: runtime.relay(store.policies, store.locks) });

  runtime.consume(INTAKE_CONSUMER, intakeEventHandler(store), 'intake-consumer');
  // Designation's own policy.changed events re-determine every open case, outside any request.
  const policyStopping = new AbortController();
  runtime.onStopping(() => policyStopping.abort());
  const policyLogger = runtime.logger.child({ component: 'policy-recompute' });
  runtime.consume(POLICY_CONSUMER, policyChangeHandler({ store, now: () => new Date(), logger: policyLogger, stopping: policyStopping.signal }), 'policy-recompute');
  // Consultation deadlines: durable timers in DESIGNATION_TIMERS, each fire handled by one replica.
  const timers = runtime.timers({ [CONSULTATION_DEADLINE]: consultationDeadlineHandler(store) });

  return runtime.serve([designationService(runtime.kit({ maxDeadlineMs: 10 * 60_000 }), {
    store, consultees: config.CONSULTEES, consultationDays: config.CONSULTATION_DAYS, maxLogBytes: config.MAX_LOG_BYTES,
    consultationDeadlines: consultationDeadlines(timers),
  })]);
}

if (require.main === module) runService('designation', loadDesignationConfig, startDesignation);
