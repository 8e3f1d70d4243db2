/**
 * Enforcement's events, on ENFORCEMENT_EVENTS (read by auditors' tools; no outside reader's subject):
 * `rampart.enforcement.referral.<verb>` for every workflow step (received, dismissed, assigned,
 * review-started, accepted, declined, closed, rescored, overdue; `candidate` when one is made from
 * an event), `rampart.enforcement.evidence.added` and `rampart.enforcement.custody.recorded`.
 * They carry ids, status, routing and the priority's score and policy version, never the victim,
 * the narrative or indicators: a consumer entitled to those asks the gRPC API.
 */
import { createEvent, eventStream, natsSubject, outboxEntry, type EventName, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { CustodyEntry, EvidenceItem, Referral } from '../domain';

export const AREA = 'enforcement';
export const EVENTS_STREAM = 'ENFORCEMENT_EVENTS';

export function enforcementStreams(replicas: number): StreamSpec[] {
  return [eventStream(AREA, EVENTS_STREAM, ['referral', 'evidence', 'custody'], replicas)];
}

export function referralEvent(r: Referral, verb: string, actor: string, now: Date): OutboxEntry {
  const name: EventName = { area: AREA, thing: 'referral', verb };
  const data = {
    referralId: r.id, revision: r.revision, status: r.status, source: r.source, changedBy: actor,
    priority: { score: r.priority.score, policyVersion: r.priority.policyVersion },
    links: r.links.map((l) => ({ ...l })),
    ...(r.assignee ? { assignee: r.assignee } : {}),
    ...(r.routedTo ? { routedTo: r.routedTo } : {}),
    statusSince: r.statusSince.toISOString(),
  };
  return outboxEntry(natsSubject(name), createEvent(name, r.id, data, now), now);
}

export function evidenceEvent(e: EvidenceItem, now: Date): OutboxEntry {
  const name: EventName = { area: AREA, thing: 'evidence', verb: 'added' };
  const data = { evidenceId: e.id, referralId: e.referralId, sha256: e.sha256, sizeBytes: e.sizeBytes, mediaType: e.mediaType, addedBy: e.addedBy, revision: 1 };
  return outboxEntry(natsSubject(name), createEvent(name, e.id, data, now), now);
}

export function custodyEvent(c: CustodyEntry, now: Date): OutboxEntry {
  const name: EventName = { area: AREA, thing: 'custody', verb: 'recorded' };
  const data = { evidenceId: c.evidenceId, sequence: c.sequence, kind: c.action.kind, hash: c.hash, previousHash: c.previousHash, recordedBy: c.recordedBy, revision: c.sequence };
  return outboxEntry(natsSubject(name), createEvent(name, c.evidenceId, data, now), now);
}
