/** A report's scoring on the wire (rampart.clearinghouse.v1.ReportScoring). */
import { enumTable } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import type { ReportScoring } from '../domain/report-scoring';
import type { PriorityLevel } from '../domain/scoring';

const { PriorityLevel: L } = v1;

export const priorityLevels = enumTable<PriorityLevel, v1.PriorityLevel>([
  ['routine', L.PRIORITY_LEVEL_ROUTINE],
  ['elevated', L.PRIORITY_LEVEL_ELEVATED],
  ['urgent', L.PRIORITY_LEVEL_URGENT],
  ['immediate', L.PRIORITY_LEVEL_IMMEDIATE],
]);

export function scoringToWire(s: ReportScoring): v1.ReportScoring {
  const { priority: p, kev } = s;
  return {
    priority: { level: priorityLevels.toWire(p.level), rank: p.rank, decidedBy: p.decidedBy, reasons: [...p.reasons], preliminary: p.preliminary },
    cvss: s.cvss.map((c) => ({ version: c.version, vector: c.vector, score: c.score, severity: c.severity, givenBy: c.givenBy })),
    ssvc: s.ssvc ? { outcome: s.ssvc.outcome, decisionPoints: { ...s.ssvc.decisionPoints }, table: s.ssvc.table, row: s.ssvc.row, decidedBy: s.ssvc.decidedBy } : undefined,
    kev: kev.listed
      ? { listed: true, cveId: kev.cveId, dateAdded: kev.dateAdded, dueDate: kev.dueDate, knownRansomwareCampaignUse: kev.knownRansomwareCampaignUse, requiredAction: kev.requiredAction ?? '' }
      : { listed: false, cveId: '', dateAdded: '', dueDate: '', knownRansomwareCampaignUse: false, requiredAction: '' },
    exploitationReports: s.exploitation.reports,
    aiEnabledTooling: s.exploitation.aiEnabledTooling,
    scoreTime: s.scoredAt,
  };
}
