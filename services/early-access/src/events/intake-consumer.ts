/**
 * Early access's view of intake: `rampart.intake.submission.*` gives the organisation, the model,
 * its intended partner and public release, amendments and withdrawal. Applied once per event id;
 * then the model's program, if any, follows (moved window, or closed on withdrawal).
 */
import { PoisonMessageError, revisionOf, type CloudEvent, type ConsumerSpec, type EventHandler } from '@rampart/events';
import type { SubmissionFacts } from '../domain/model';
import type { EarlyAccessStore } from '../store';
import { syncProgram } from './program-sync';

export const INTAKE_CONSUMER: ConsumerSpec = {
  stream: 'INTAKE_EVENTS',
  durable: 'access-submissions',
  filterSubjects: ['rampart.intake.submission.>'],
  maxDeliver: 10,
};

const TYPES = new Set(['rampart.intake.submission.received.v1', 'rampart.intake.submission.amended.v1', 'rampart.intake.submission.withdrawn.v1']);

export function factsOf(event: CloudEvent<unknown>): SubmissionFacts {
  const d = (event.data ?? {}) as Record<string, unknown>;
  const text = (k: string) => {
    const v = d[k];
    if (typeof v !== 'string' || v === '') throw new PoisonMessageError(`event ${event.id} data has no ${k}`);
    return v;
  };
  const date = (k: string) => {
    const v = new Date(text(k));
    if (!Number.isFinite(v.getTime())) throw new PoisonMessageError(`event ${event.id} data has no valid ${k}`);
    return v;
  };
  const facts: SubmissionFacts = {
    submissionId: text('submissionId'),
    organization: text('organization'),
    modelName: text('modelName'),
    modelVersion: text('modelVersion'),
    revision: revisionOf(event),
    withdrawn: event.type === 'rampart.intake.submission.withdrawn.v1' || d.status === 'withdrawn',
    partnerReleaseAt: date('intendedPartnerReleaseAt'),
    publicReleaseAt: date('intendedPublicReleaseAt'),
  };
  if (facts.submissionId !== event.subject) throw new PoisonMessageError(`event ${event.id}: subject ${event.subject} is not its submission ${facts.submissionId}`);
  return facts;
}

export function intakeEventHandler(store: EarlyAccessStore, now: () => Date = () => new Date()): EventHandler {
  return async (event) => {
    if (!TYPES.has(event.type)) throw new PoisonMessageError(`unknown event type ${event.type}`);
    const facts = factsOf(event);
    await store.applySubmission(event.id, facts);
    // Also on a redelivery or a stale event: this step may be what failed the first time.
    await syncProgram(store, facts.submissionId, now);
  };
}
