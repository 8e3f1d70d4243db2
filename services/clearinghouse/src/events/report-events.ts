/**
 * The clearinghouse's report events, into CLEARINGHOUSE_EVENTS (CUI: readable by clearinghouse and
 * government services only): `rampart.clearinghouse.report.received` on receipt, then one subject
 * per Vultron move, named by the status reached: `report.validated`, `.invalidated`, `.accepted`,
 * `.deferred`, `.closed`. Each carries the report at its new revision without the proof of concept
 * and the bytes as received (consumers match on products and weaknesses; exploit code stays in the
 * report, read by id).
 */
import { createEvent, eventStream, natsSubject, outboxEntry, type EventName, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { ReportStatus, VulnerabilityReport } from '../domain/report';
import { scoringEventData, type ScoringEventData } from './scoring-events';

export const AREA = 'clearinghouse';
export const EVENTS_STREAM = 'CLEARINGHOUSE_EVENTS';

/**
 * One stream for the area's internal events, one subject prefix per thing (the audit trail, dead
 * letters and timers have streams of their own, so the things are listed). Phase 2 adds its things
 * (vulnerability, embargo, exploitation, scan) here, and CLEARINGHOUSE_RELEASABLE once something is releasable.
 */
export function clearinghouseStreams(replicas: number): StreamSpec[] {
  return [eventStream(AREA, EVENTS_STREAM, ['report', 'embargo', 'exploitation', 'scan', 'record', 'vulnerability', 'grouping', 'inventory'], replicas)];
}

export type ReportVerb = 'received' | 'validated' | 'invalidated' | 'accepted' | 'deferred' | 'closed';

/** The verb of the event announcing that a report reached `status`. */
export function reportVerb(status: ReportStatus): ReportVerb {
  switch (status) {
    case 'received': return 'received';
    case 'valid': return 'validated';
    case 'invalid': return 'invalidated';
    case 'accepted': return 'accepted';
    case 'deferred': return 'deferred';
    case 'closed': return 'closed';
  }
}

export function reportEventName(status: ReportStatus): EventName {
  return { area: AREA, thing: 'report', verb: reportVerb(status) };
}

export interface ReportEventData {
  reportId: string;
  revision: number;
  organization: string;
  reportedBy: string;
  source: VulnerabilityReport['source'];
  status: ReportStatus;
  title: string;
  affectedProducts: { purl: string; ranges: { introduced: string; fixed?: string; lastAffected?: string }[]; versions: string[] }[];
  cweIds: string[];
  description: string;
  hasProof: boolean;
  discovery: { method: string; toolName?: string; toolVersion?: string };
  requestedEmbargo?: { endAt: string; timeZone: string };
  tlp: string;
  cvssVectors: string[];
  cve?: { state: string; cna: string; cveId?: string };
  received: { mediaType: string; sha256: string; sizeBytes: number };
  createdAt: string;
  change?: { from: ReportStatus; to: ReportStatus; changedBy: string; changedAt: string; reasons: string[] };
  /** Scores and priority as of this revision (preliminary on receipt). */
  scoring?: ScoringEventData;
}

export function reportEventData(r: VulnerabilityReport): ReportEventData {
  const d = r.details;
  const change = r.lastChange;
  return {
    reportId: r.id,
    revision: r.revision,
    organization: r.organization,
    reportedBy: r.reportedBy,
    source: r.source,
    status: r.status,
    title: d.title,
    affectedProducts: d.affectedProducts.map((p) => ({ purl: p.purl, ranges: p.ranges.map((x) => ({ ...x })), versions: [...p.versions] })),
    cweIds: [...d.cweIds],
    description: d.description,
    hasProof: d.proof !== undefined,
    discovery: { ...d.discovery },
    ...(d.requestedEmbargo ? { requestedEmbargo: { endAt: d.requestedEmbargo.endAt.toISOString(), timeZone: d.requestedEmbargo.timeZone } } : {}),
    tlp: d.tlp,
    cvssVectors: [...d.cvssVectors],
    ...(d.cve ? { cve: { ...d.cve } } : {}),
    received: { mediaType: r.received.mediaType, sha256: r.received.sha256, sizeBytes: r.received.sizeBytes },
    createdAt: r.createdAt.toISOString(),
    ...(change ? { change: { from: change.from, to: change.to, changedBy: change.changedBy, changedAt: change.changedAt.toISOString(), reasons: [...change.reasons] } } : {}),
    ...(r.scoring ? { scoring: scoringEventData(r.scoring) } : {}),
  };
}

/** The event announcing `report` at its current revision and status. */
export function reportEvent(report: VulnerabilityReport, now: Date): OutboxEntry {
  const name = reportEventName(report.status);
  return outboxEntry(natsSubject(name), createEvent(name, report.id, reportEventData(report), now), now);
}
