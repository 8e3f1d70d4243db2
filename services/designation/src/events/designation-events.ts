/**
 * Designation's events. Classified ones (`rampart.designation.*`) go to DESIGNATION_CLASSIFIED,
 * for government consumers; the releasable assessment goes on the developer's own subject,
 * `rampart.developer.<org>.designation.assessment.released`, into DESIGNATION_RELEASABLE.
 *
 * Events are redacted like responses: each stream has a ceiling, and an event's data is read
 * through its record's marking table (domain/markings.ts) redacted to that ceiling, with
 * `redactedFields` naming what was withheld (a consumer cleared higher asks the gRPC API).
 * No threshold or score enters any event.
 */
import { developerSubject, mapMarked, redact, type Marked, type Marking } from '@rampart/auth';
import { createEvent, eventStream, natsSubject, outboxEntry, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { Case } from '../domain/case';
import type { Evidence } from '../domain/evidence';
import type { ReleasableAssessment } from '../domain/assessment';
import { markAssessment, markCase, markEvidence } from '../domain/markings';

export const AREA = 'designation';

export function designationStreams(replicas: number): StreamSpec[] {
  return [
    eventStream(AREA, 'DESIGNATION_CLASSIFIED', ['case', 'evidence', 'determination', 'consultation', 'decision', 'policy'], replicas),
    { ...eventStream(AREA, 'DESIGNATION_RELEASABLE', [], replicas), subjects: ['rampart.developer.*.designation.>'] },
  ];
}

export const RELEASABLE_PREFIX = 'rampart.developer.';

/**
 * No event carries a value marked above its stream's ceiling: SECRET for the government's
 * consumers, UNCLASSIFIED (TLP AMBER+STRICT, one developer organisation) for the releasable one.
 * Events name their entity by id and revision, CUI, below every government ceiling.
 */
export const STREAM_CEILINGS = { DESIGNATION_CLASSIFIED: 'SECRET', DESIGNATION_RELEASABLE: 'UNCLASSIFIED' } as const satisfies Record<string, Marking>;

type CaseVerb = ['case', 'opened' | 'reopened' | 'closed'] | ['determination', 'changed'] | ['consultation', 'requested' | 'recorded' | 'lapsed'] | ['decision', 'issued'];

/**
 * A classified case event; data is the case at its new revision (determinations' levels, not
 * their basis). `extra` values come marked, like everything else in the event.
 */
export function caseEvent(c: Case, [thing, verb]: CaseVerb, now: Date, extra: Readonly<Record<string, Marked<unknown>>> = {}): OutboxEntry {
  const name = { area: AREA, thing, verb };
  const m = markCase(c);
  const { value, redactedFields } = redact({
    organization: m.organization,
    submissionRevision: m.submissionRevision,
    status: m.status,
    determinations: mapMarked(m.determinations, (all) => all.map((d) => ({ domain: d.domain, level: d.level, policyVersion: d.policyVersion }))),
    readyForDecision: m.readyForDecision,
    decision: mapMarked(m.decision, (d) => d && { outcome: d.outcome, effectiveAt: d.effectiveAt, policyVersion: d.policyVersion }),
    ...extra,
  }, STREAM_CEILINGS.DESIGNATION_CLASSIFIED);
  const data = { caseId: c.id, revision: c.revision, ...value, redactedFields };
  return outboxEntry(natsSubject(name), createEvent(name, c.id, data, now), now);
}

export function evidenceEvent(e: Evidence, now: Date): OutboxEntry {
  const name = { area: AREA, thing: 'evidence', verb: 'recorded' };
  const m = markEvidence(e);
  const { value, redactedFields } = redact({ kind: m.kind, marking: m.marking, domains: m.domains, sha256: m.sha256 }, STREAM_CEILINGS.DESIGNATION_CLASSIFIED);
  const data = { evidenceId: e.id, caseId: e.caseId, revision: 1, ...value, redactedFields };
  return outboxEntry(natsSubject(name), createEvent(name, e.caseId, data, now), now);
}

/**
 * The releasable assessment, on the owning developer organisation's subject. Its revision is the
 * submission revision decided on: the developer's own number (the case's revision would count
 * the classified work on it).
 */
export function assessmentEvent(a: ReleasableAssessment, now: Date): OutboxEntry {
  const name = { area: AREA, thing: 'assessment', verb: 'released' };
  const { value } = redact(markAssessment(a), STREAM_CEILINGS.DESIGNATION_RELEASABLE);
  const event = createEvent(name, a.caseId, { ...value, revision: a.submissionRevision }, now);
  return outboxEntry(developerSubject(a.organization, 'designation.assessment.released'), event, now);
}
