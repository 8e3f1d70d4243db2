/**
 * Early access's view of designation: only the releasable assessment, on the developer's own
 * subject (`rampart.developer.<org>.designation.assessment.released`), i.e. what the developer
 * itself has been told. Nothing classified ever reaches this service.
 */
import { PoisonMessageError, revisionOf, type ConsumerSpec, type EventHandler } from '@rampart/events';
import type { AssessmentOutcome, ReleasedAssessment } from '../domain/model';
import type { EarlyAccessStore } from '../store';

export const DESIGNATION_CONSUMER: ConsumerSpec = {
  stream: 'DESIGNATION_RELEASABLE',
  durable: 'access-assessments',
  filterSubjects: ['rampart.developer.*.designation.assessment.released'],
  maxDeliver: 10,
};

const TYPE = 'rampart.designation.assessment.released.v1';
const OUTCOMES = new Set<AssessmentOutcome>(['covered', 'not_covered']);

export function designationEventHandler(store: EarlyAccessStore): EventHandler {
  return async (event, delivery) => {
    if (event.type !== TYPE) throw new PoisonMessageError(`unknown event type ${event.type}`);
    const d = (event.data ?? {}) as Record<string, unknown>;
    const text = (k: string) => {
      if (typeof d[k] !== 'string' || d[k] === '') throw new PoisonMessageError(`event ${event.id} data has no ${k}`);
      return d[k];
    };
    const date = (k: string) => {
      const v = new Date(text(k));
      if (!Number.isFinite(v.getTime())) throw new PoisonMessageError(`event ${event.id} data has no valid ${k}`);
      return v;
    };
    const outcome = text('outcome') as AssessmentOutcome;
    if (!OUTCOMES.has(outcome)) throw new PoisonMessageError(`event ${event.id} has an unknown outcome`);
    const assessment: ReleasedAssessment = { caseId: text('caseId'), organization: text('organization'), outcome, effectiveAt: date('effectiveAt'), releasedAt: date('releasedAt') };
    // The subject names the organisation the assessment was released to; they must agree.
    if (delivery.subject !== `rampart.developer.${assessment.organization}.designation.assessment.released`) {
      throw new PoisonMessageError(`event ${event.id} for ${assessment.organization} arrived on ${delivery.subject}`);
    }
    await store.applyAssessment(event.id, revisionOf(event), assessment);
  };
}
