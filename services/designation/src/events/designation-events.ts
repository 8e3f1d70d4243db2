/**
 * Designation's events. Classified ones (`rampart.designation.*`) go to DESIGNATION_CLASSIFIED,
 * for government consumers; the releasable assessment goes on the developer's own subject,
 * `rampart.developer.<org>.designation.assessment.released`, into DESIGNATION_RELEASABLE.
 * No threshold or score ever enters a releasable event.
 */
import { createEvent, eventStream, natsSubject, outboxEntry, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { Case } from '../domain/case';
import type { Evidence } from '../domain/evidence';
import type { ReleasableAssessment } from '../domain/assessment';

export const AREA = 'designation';

export function designationStreams(replicas: number): StreamSpec[] {
  return [
    eventStream(AREA, 'DESIGNATION_CLASSIFIED', ['case', 'evidence', 'determination', 'consultation', 'decision'], replicas),
    { ...eventStream(AREA, 'DESIGNATION_RELEASABLE', [], replicas), subjects: ['rampart.developer.*.designation.>'] },
  ];
}

export const RELEASABLE_PREFIX = 'rampart.developer.';

type CaseVerb = ['case', 'opened' | 'reopened' | 'closed'] | ['determination', 'changed'] | ['consultation', 'requested' | 'recorded'] | ['decision', 'issued'];

/** A classified case event; data is the case at its new revision (determinations included, thresholds not). */
export function caseEvent(c: Case, [thing, verb]: CaseVerb, now: Date): OutboxEntry {
  const name = { area: AREA, thing, verb };
  const data = {
    caseId: c.id,
    revision: c.revision,
    organization: c.organization,
    submissionRevision: c.submissionRevision,
    status: c.status,
    determinations: c.determinations.map((d) => ({ domain: d.domain, level: d.level, policyVersion: d.policyVersion })),
    readyForDecision: c.readyForDecision,
    ...(c.decision ? { decision: { outcome: c.decision.outcome, effectiveAt: c.decision.effectiveAt.toISOString(), policyVersion: c.decision.policyVersion } } : {}),
  };
  return outboxEntry(natsSubject(name), createEvent(name, c.id, data, now), now);
}

export function evidenceEvent(e: Evidence, now: Date): OutboxEntry {
  const name = { area: AREA, thing: 'evidence', verb: 'recorded' };
  const data = { evidenceId: e.id, caseId: e.caseId, revision: 1, kind: e.kind, domains: e.domains, sha256: e.sha256, marking: e.marking };
  return outboxEntry(natsSubject(name), createEvent(name, e.caseId, data, now), now);
}

/** The releasable assessment, on the owning developer organisation's subject. */
export function assessmentEvent(a: ReleasableAssessment, revision: number, now: Date): OutboxEntry {
  const name = { area: AREA, thing: 'assessment', verb: 'released' };
  const event = createEvent(name, a.caseId, { ...a, revision, effectiveAt: a.effectiveAt.toISOString(), releasedAt: a.releasedAt.toISOString() }, now);
  return outboxEntry(`${RELEASABLE_PREFIX}${subjectToken(a.organization)}.designation.assessment.released`, event, now);
}

/** Organisation ids become one NATS subject token. */
export function subjectToken(organization: string): string {
  return organization.replace(/[^A-Za-z0-9_-]/g, '_');
}
