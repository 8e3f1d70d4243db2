/**
 * A flaw's priority for fixing, from four facts and nothing else (no clock, no store): its CVSS
 * scores, its SSVC decision, its KEV status and the reports of exploitation in the wild. The service
 * recomputes it whenever one of `PriorityInputs` changes (a KEV addition, an exploitation report, a
 * new score or decision, validation) and publishes it when the result differs (`samePriority`).
 *
 * Level, highest first (the first rule that applies decides, `decidedBy` says which):
 *   1. immediate  in CISA KEV, or exploitation in the wild reported: it is being exploited now.
 *   2. SSVC, when decided: Act -> immediate, Attend -> urgent, Track* -> elevated, Track -> routine.
 *      SSVC is the decision; CVSS measures severity, not risk (FIRST's own caution), so once an
 *      analyst or reporter has given the decision points, severity alone no longer sets the level.
 *   3. CVSS severity, when no SSVC decision exists yet: Critical -> urgent, High -> elevated,
 *      otherwise routine.
 *   4. routine, when nothing is known yet.
 *
 * `rank` orders flaws (higher first) and breaks ties within a level. Its decimal digits, from the
 * left: level (1 routine to 4 immediate), in KEV (0/1), exploitation reported (0/1), AI-enabled
 * tooling indicated (0/1), SSVC outcome (0 none, 1 Track to 4 Act), then the CVSS score in tenths
 * (000 to 100). So adding a KEV listing or an exploitation report never lowers the level or the rank.
 */
import type { CvssScore, CvssSeverity } from './cvss';
import type { CvssVersion } from './cvss-metrics';
import type { KevStatus } from './kev';
import { SSVC_OUTCOMES, type SsvcDecision, type SsvcOutcome } from './ssvc';

/** Lowest first. */
export const PRIORITY_LEVELS = ['routine', 'elevated', 'urgent', 'immediate'] as const;
export type PriorityLevel = (typeof PRIORITY_LEVELS)[number];

/** What the service knows of exploitation in the wild (`clearinghouse.exploitation.reported`). */
export interface ExploitationReports {
  /** How many reports of exploitation in the wild; 0 when none. */
  readonly reports: number;
  /** Any report carried indicators of AI-enabled tooling. */
  readonly aiEnabledTooling: boolean;
}

export const NO_EXPLOITATION: ExploitationReports = { reports: 0, aiEnabledTooling: false };

/** Everything the priority depends on. */
export interface PriorityInputs {
  /** Every CVSS score known for the flaw (reporter's, vendor's, imported): the best counts, v4.0 over 3.1 over 3.0, then the highest. */
  readonly cvss: readonly CvssScore[];
  /** The SSVC decision, if one has been made. */
  readonly ssvc?: SsvcDecision;
  readonly kev: KevStatus;
  readonly exploitation: ExploitationReports;
  /** Computed from the reporter's own claims before an analyst validated them. */
  readonly preliminary: boolean;
}

export type PriorityBasis = 'kev' | 'exploitation' | 'ssvc' | 'cvss' | 'nothing-yet';

export interface Priority {
  readonly level: PriorityLevel;
  /** Sort key, higher first; see the module comment for its digits. */
  readonly rank: number;
  /** Which rule set the level. */
  readonly decidedBy: PriorityBasis;
  /** Why, most weighty first, in words an analyst or operator reads as they are. */
  readonly reasons: readonly string[];
  readonly preliminary: boolean;
  /** The CVSS score that counted, if any. */
  readonly cvss?: { readonly version: CvssVersion; readonly vector: string; readonly score: number; readonly severity: CvssSeverity };
}

const VERSION_PREFERENCE: Readonly<Record<CvssVersion, number>> = { '4.0': 3, '3.1': 2, '3.0': 1 };
const SSVC_LEVEL: Readonly<Record<SsvcOutcome, PriorityLevel>> = { Act: 'immediate', Attend: 'urgent', 'Track*': 'elevated', Track: 'routine' };
const SEVERITY_LEVEL: Readonly<Record<CvssSeverity, PriorityLevel>> = { Critical: 'urgent', High: 'elevated', Medium: 'routine', Low: 'routine', None: 'routine' };

/** The priority of a flaw: pure and deterministic (the same inputs, in any order of `cvss`, give the same result). */
export function prioritise(inputs: PriorityInputs): Priority {
  const { kev, ssvc, preliminary } = inputs;
  const exploited = inputs.exploitation.reports >= 1;
  const aiTooling = exploited && inputs.exploitation.aiEnabledTooling;
  const cvss = bestCvss(inputs.cvss);

  const [level, decidedBy]: [PriorityLevel, PriorityBasis] = kev.listed
    ? ['immediate', 'kev']
    : exploited
      ? ['immediate', 'exploitation']
      : ssvc
        ? [SSVC_LEVEL[ssvc.outcome], 'ssvc']
        : cvss
          ? [SEVERITY_LEVEL[cvss.severity], 'cvss']
          : ['routine', 'nothing-yet'];

  const reasons: string[] = [];
  if (kev.listed) {
    const extra = [
      kev.cveId,
      ...(kev.dueBeforeAdded ? ['due date precedes the listing'] : []),
      ...(kev.knownRansomwareCampaignUse ? ['known ransomware campaign use'] : []),
      ...(kev.alsoListed.length > 0 ? [`also listed: ${kev.alsoListed.join(', ')}`] : []),
    ];
    reasons.push(`in CISA KEV since ${kev.dateAdded}, due ${kev.dueDate} (${extra.join('; ')})`);
  }
  if (exploited) {
    const n = inputs.exploitation.reports;
    reasons.push(`exploitation in the wild reported (${n} report${n === 1 ? '' : 's'}${aiTooling ? ', indicators of AI-enabled tooling' : ''})`);
  }
  if (ssvc) {
    const p = ssvc.decisionPoints;
    reasons.push(`SSVC ${ssvc.outcome} (exploitation ${p.exploitation}, automatable ${p.automatable}, technical impact ${p.technicalImpact}, mission and well-being ${p.missionWellbeing}; ${ssvc.table} row ${ssvc.row})`);
  }
  if (cvss) reasons.push(`CVSS ${cvss.version} ${cvss.score.toFixed(1)} ${cvss.severity}${cvssQualifier(cvss)}`);
  if (decidedBy === 'nothing-yet') reasons.push('no KEV listing, exploitation report, SSVC decision or CVSS score yet');
  if (preliminary) reasons.push("preliminary: from the reporter's own claims, before validation");

  const ssvcOrdinal = ssvc ? SSVC_OUTCOMES.indexOf(ssvc.outcome) + 1 : 0;
  const tenths = cvss ? Math.round(cvss.score * 10) : 0;
  const rank = (PRIORITY_LEVELS.indexOf(level) + 1) * 1e7 + (kev.listed ? 1e6 : 0) + (exploited ? 1e5 : 0) + (aiTooling ? 1e4 : 0) + ssvcOrdinal * 1e3 + tenths;

  return {
    level,
    rank,
    decidedBy,
    reasons,
    preliminary,
    ...(cvss ? { cvss: { version: cvss.version, vector: cvss.vector, score: cvss.score, severity: cvss.severity } } : {}),
  };
}

/** Whether two priorities say the same (the service publishes a new one only when not). */
export function samePriority(a: Priority, b: Priority): boolean {
  return a.level === b.level && a.rank === b.rank && a.preliminary === b.preliminary && a.decidedBy === b.decidedBy &&
    a.reasons.length === b.reasons.length && a.reasons.every((r, i) => r === b.reasons[i]);
}

/** v4.0 over 3.1 over 3.0; within a version the highest score; then the vector, so the order given never matters. */
function bestCvss(scores: readonly CvssScore[]): CvssScore | undefined {
  let best: CvssScore | undefined;
  for (const s of scores) {
    if (!best) best = s;
    else {
      const byVersion = VERSION_PREFERENCE[s.version] - VERSION_PREFERENCE[best.version];
      const byScore = s.score - best.score;
      if (byVersion > 0 || (byVersion === 0 && (byScore > 0 || (byScore === 0 && s.vector < best.vector)))) best = s;
    }
  }
  return best;
}

/** Says which score a reason quotes when it is not the base score alone. */
function cvssQualifier(s: CvssScore): string {
  if (s.version === '4.0') return s.nomenclature === 'CVSS-B' ? '' : ` (${s.nomenclature})`;
  return s.scoreFrom === 'base' ? '' : ` (${s.scoreFrom})`;
}
