/**
 * A new threshold policy version re-determines every open case. PutThresholdPolicy stores the
 * version with a `rampart.designation.policy.changed` event (one write: the policy's outbox) and
 * returns; designation consumes that event itself (durable `designation-policy-recompute`) and
 * recomputes the open cases page by page:
 * - complete: every open case, however many; one that cannot be done now (a conflict, an
 *   error) does not stop the others, and the event is redelivered until none is left;
 * - idempotent: a case already computed under the version is skipped unread, and a recompute
 *   that changes nothing writes nothing;
 * - resumable: the event is acknowledged only when all are done, so after a crash its
 *   redelivery finishes what is missing.
 * The event carries the version only: thresholds never leave the policy collection.
 */
import { createEvent, eventType, natsSubject, outboxEntry, PoisonMessageError, revisionOf, type ConsumerSpec, type EventHandler, type OutboxEntry } from '@rampart/events';
import type { Logger } from '@rampart/telemetry';
import type { ThresholdPolicy } from '../domain/policy';
import { recomputeCase, type RecomputeDeps } from '../recompute';
import { AREA } from './designation-events';

const POLICY_CHANGED = { area: AREA, thing: 'policy', verb: 'changed' };

export function policyChangedEvent(policy: ThresholdPolicy, now: Date): OutboxEntry {
  const event = createEvent(POLICY_CHANGED, String(policy.version), { version: policy.version, revision: policy.version }, now);
  return outboxEntry(natsSubject(POLICY_CHANGED), event, now);
}

export const POLICY_CONSUMER: ConsumerSpec = {
  stream: 'DESIGNATION_CLASSIFIED',
  durable: 'designation-policy-recompute',
  filterSubjects: [natsSubject(POLICY_CHANGED)],
  maxDeliver: 20,
  // Short, because the handler reports progress (delivery.working) after every case: a crash is
  // noticed, and the rest redone, this soon after.
  ackWaitMs: 15_000,
};

const PAGE = 100;
const PROGRESS_EVERY_MS = 1_000;

/** `stopping`: aborted when the service shuts down; the work left is then redelivered, elsewhere or after restart. */
export function policyChangeHandler(deps: RecomputeDeps & { logger: Logger; stopping: AbortSignal }): EventHandler {
  const { store, logger, stopping } = deps;
  return async (event, delivery) => {
    if (event.type !== eventType(POLICY_CHANGED)) throw new PoisonMessageError(`unknown event type ${event.type}`);
    const version = revisionOf(event);
    if ((event.data as { version?: unknown }).version !== version) throw new PoisonMessageError(`event ${event.id}: version and revision differ`);
    if (!(await store.policy(version))) throw new PoisonMessageError(`event ${event.id}: there is no policy version ${version}`);

    let failed = 0;
    let changed = 0;
    let reported = Date.now();
    for (let after: string | undefined; ;) {
      const ids = await store.openCaseIds(after, PAGE);
      for (const id of ids) {
        if (stopping.aborted) throw new Error(`shutting down: policy version ${version} is redelivered to finish the open cases`);
        try {
          if ((await recomputeCase(deps, id, { skipAtVersion: version })) === 'changed') changed++;
        } catch (error) {
          failed++;
          logger.warn({ err: error, caseId: id, policyVersion: version }, 'case not recomputed under the new policy yet; the redelivery retries it');
        }
        if (Date.now() - reported >= PROGRESS_EVERY_MS) {
          delivery.working();
          reported = Date.now();
        }
      }
      if (ids.length < PAGE) break;
      after = ids.at(-1);
    }
    logger.info({ policyVersion: version, changed, failed }, 'open cases recomputed under the new policy');
    if (failed > 0) throw new Error(`${failed} open cases are not yet recomputed under policy version ${version}`);
  };
}
