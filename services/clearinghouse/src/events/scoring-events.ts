/**
 * `rampart.clearinghouse.report.scored`: a report's priority changed (first scored on receipt,
 * scored again on validation, recomputed when a KEV listing or an exploitation report changed an
 * input). DESIGN.md names `.vulnerability.scored`: until reports join one record per flaw, the
 * report is what is scored, so the subject is the report's (on CLEARINGHOUSE_EVENTS, CUI, beside
 * `report.received`). The data is the scoring alone with the report's id, revision and status: no
 * details, so nothing of the flaw's description or proof travels with it.
 */
import { createEvent, natsSubject, outboxEntry, type EventName, type OutboxEntry } from '@rampart/events';
import type { ReportScoring } from '../domain/report-scoring';
import type { VulnerabilityReport } from '../domain/report';
import { AREA } from './report-events';

/** A function, not a constant: report-events.ts imports this module, so AREA is read once both are loaded. */
export const reportScoredName = (): EventName => ({ area: AREA, thing: 'report', verb: 'scored' });

export interface ScoringEventData {
  priority: { level: string; rank: number; decidedBy: string; reasons: string[]; preliminary: boolean };
  cvss: { version: string; vector: string; score: number; severity: string; givenBy: string }[];
  ssvc?: { outcome: string; table: string; row: number; decisionPoints: Record<string, string>; decidedBy: string };
  kev: { listed: boolean; cveId?: string; dateAdded?: string; dueDate?: string; knownRansomwareCampaignUse?: boolean };
  exploitation: { reports: number; aiEnabledTooling: boolean };
  scoredAt: string;
}

export function scoringEventData(s: ReportScoring): ScoringEventData {
  const { priority: p, kev } = s;
  return {
    priority: { level: p.level, rank: p.rank, decidedBy: p.decidedBy, reasons: [...p.reasons], preliminary: p.preliminary },
    cvss: s.cvss.map((c) => ({ ...c })),
    ...(s.ssvc ? { ssvc: { outcome: s.ssvc.outcome, table: s.ssvc.table, row: s.ssvc.row, decisionPoints: { ...s.ssvc.decisionPoints }, decidedBy: s.ssvc.decidedBy } } : {}),
    kev: kev.listed ? { listed: true, cveId: kev.cveId, dateAdded: kev.dateAdded, dueDate: kev.dueDate, knownRansomwareCampaignUse: kev.knownRansomwareCampaignUse } : { listed: false },
    exploitation: { reports: s.exploitation.reports, aiEnabledTooling: s.exploitation.aiEnabledTooling },
    scoredAt: s.scoredAt.toISOString(),
  };
}

export interface ReportScoredData extends ScoringEventData {
  reportId: string;
  revision: number;
  organization: string;
  status: string;
}

/** The event announcing `report`'s scoring (which it must have) at its current revision. */
export function reportScoredEvent(report: VulnerabilityReport, now: Date): OutboxEntry {
  if (!report.scoring) throw new Error(`report ${report.id} has no scoring to announce`);
  const data: ReportScoredData = { reportId: report.id, revision: report.revision, organization: report.organization, status: report.status, ...scoringEventData(report.scoring) };
  const name = reportScoredName();
  return outboxEntry(natsSubject(name), createEvent(name, report.id, data, now), now);
}
