/**
 * Designation's view of intake: `rampart.intake.submission.*` opens, re-opens and closes cases.
 * Applied once per event id, whatever JetStream redelivers (the library's applyOnce, through
 * DesignationStore.applyIntakeEvent).
 */
import { PoisonMessageError, revisionOf, type CloudEvent, type ConsumerSpec, type EventHandler } from '@rampart/events';
import { onSubmissionChange, type SubmissionChange, type SubmissionFacts } from '../domain/case';
import { recomputeCase } from '../recompute';
import type { DesignationStore } from '../store';
import { caseEvent, RELEASABLE_PREFIX } from './designation-events';

export const INTAKE_CONSUMER: ConsumerSpec = {
  stream: 'INTAKE_EVENTS',
  durable: 'designation-cases',
  filterSubjects: ['rampart.intake.submission.>'],
  maxDeliver: 10,
};

const TYPES: Record<string, SubmissionChange> = {
  'rampart.intake.submission.received.v1': 'received',
  'rampart.intake.submission.amended.v1': 'amended',
  'rampart.intake.submission.withdrawn.v1': 'withdrawn',
};

function factsOf(event: CloudEvent<unknown>): SubmissionFacts {
  const d = event.data as Record<string, unknown>;
  const s = (k: string) => {
    if (typeof d?.[k] !== 'string' || d[k] === '') throw new PoisonMessageError(`event ${event.id} data has no ${k}`);
    return d[k];
  };
  const facts = { submissionId: s('submissionId'), organization: s('organization'), modelName: s('modelName'), modelVersion: s('modelVersion'), revision: revisionOf(event) };
  if (facts.submissionId !== event.subject) throw new PoisonMessageError(`event ${event.id}: subject ${event.subject} is not its submission ${facts.submissionId}`);
  return facts;
}

export function intakeEventHandler(store: DesignationStore, now: () => Date = () => new Date()): EventHandler {
  return async (event) => {
    const change = TYPES[event.type];
    if (!change) throw new PoisonMessageError(`unknown event type ${event.type}`);
    const facts = factsOf(event);
    const policy = await store.currentPolicy();
    const at = now();
    await store.applyIntakeEvent(facts.submissionId, event.id, facts.revision, (current) => {
      const changed = onSubmissionChange(current, change, facts, policy, at);
      if (!changed) return undefined;
      return {
        next: changed.next,
        events: [caseEvent(changed.next, ['case', changed.verb], at)],
        // After a withdrawal nothing releasable goes out, not even what was already pending.
        ...(changed.verb === 'closed' ? { dropPending: (e) => e.subject.startsWith(RELEASABLE_PREFIX) } : {}),
      };
    });
    // A case opened under an older policy than the current one (written meanwhile, its open cases
    // recomputed before this one existed), or re-opened after a policy change passed it by while
    // decided, is brought to the current policy here. Also on a redelivery: this step may be what
    // failed the first time.
    await recomputeCase({ store, now }, facts.submissionId, { skipAtVersion: (await store.currentPolicy())?.version ?? 0 });
  };
}
