/**
 * Coordinated scanning's events, into CLEARINGHOUSE_EVENTS (CUI: clearinghouse and government
 * services only), on DESIGN.md's `rampart.clearinghouse.<thing>.<verb>` with the thing `scan`:
 * - `scan.requested` (subject: the request id): an operator filed a request;
 * - `scan.cancelled` (the request id): its operator withdrew it;
 * - `scan.claimed` (the job id): a scanner claimed a job for a lease (its epoch: 0, then one more
 *   each time another claim follows a lease's end, `revision` epoch + 1); names the requests it serves;
 * - `scan.reported` (the job id): the claimer returned results; counts of admitted and refused.
 * Each is written in the same document write as the change it announces (outbox). Targets are in
 * the events: consumers are the clearinghouse's own and government services, never outside readers.
 */
import { createEvent, natsSubject, outboxEntry, type EventName, type OutboxEntry } from '@rampart/events';
import { formatZonedTime, type ScanRequest, type ScanTarget } from '../domain/coordination';
import { AREA } from './report-events';

export const SCAN_THING = 'scan';
export type ScanVerb = 'requested' | 'cancelled' | 'claimed' | 'reported';

const name = (verb: ScanVerb): EventName => ({ area: AREA, thing: SCAN_THING, verb });

function event(verb: ScanVerb, subject: string, data: { revision: number } & Record<string, unknown>, now: Date): OutboxEntry {
  return outboxEntry(natsSubject(name(verb)), createEvent(name(verb), subject, data, now), now);
}

const targetText = (t: ScanTarget) => ('host' in t ? t.host : 'cidr' in t ? t.cidr : 'domain' in t ? `*.${t.domain}` : t.url);

export function scanRequestedEvent(r: ScanRequest, now: Date): OutboxEntry {
  return event('requested', r.id, {
    revision: 1, requestId: r.id, operator: r.operator, requestedBy: r.requestedBy, targets: r.targets.map(targetText), scope: [...r.scope],
    window: { start: formatZonedTime(r.window.start), end: formatZonedTime(r.window.end) }, filedAt: r.filedAt.toISOString(),
  }, now);
}

export function scanCancelledEvent(r: ScanRequest, revision: number, cancelledBy: string, reason: string, now: Date): OutboxEntry {
  return event('cancelled', r.id, { revision, requestId: r.id, operator: r.operator, cancelledBy, reason, cancelledAt: now.toISOString() }, now);
}

export function scanClaimedEvent(job: { id: string; kind: string; serves: { requestId: string; operator: string }[] }, claim: { organization: string; claimedBy: string; claimedAt: Date; epoch: number; leaseEndsAt: Date }, now: Date): OutboxEntry {
  return event('claimed', job.id, {
    revision: claim.epoch + 1, epoch: claim.epoch, leaseEndsAt: claim.leaseEndsAt.toISOString(), jobId: job.id, kind: job.kind, requestIds: job.serves.map((s) => s.requestId), operators: [...new Set(job.serves.map((s) => s.operator))].sort(),
    scanner: claim.organization, claimedBy: claim.claimedBy, claimedAt: claim.claimedAt.toISOString(),
  }, now);
}

export function scanReportedEvent(upload: { id: string; jobId: string; organization: string; uploadedBy: string; sha256: string; sizeBytes: number; admitted: number; refused: number; reportIds: string[] }, now: Date): OutboxEntry {
  return event('reported', upload.jobId, {
    revision: 1, uploadId: upload.id, jobId: upload.jobId, scanner: upload.organization, uploadedBy: upload.uploadedBy, sha256: upload.sha256, sizeBytes: upload.sizeBytes,
    admitted: upload.admitted, refused: upload.refused, reportIds: upload.reportIds.slice(0, 1_000), receivedAt: now.toISOString(),
  }, now);
}
