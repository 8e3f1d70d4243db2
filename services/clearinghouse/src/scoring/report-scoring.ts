/**
 * Scoring wired into the report's life. For other parts of the service:
 *
 *   rescoreReport(deps: ScoringDeps, reportId: string, change: RescoreChange, actor: string, now: Date): Promise<RescoreResult>
 *
 * recomputes a report's priority after an input changed, e.g. exploitation reported
 * (`{ exploitation: { reports, aiEnabledTooling } }`) or CVE ids it became known by when it joined a
 * flaw (`{ cveIds: [...] }`: indexed, kept, and its KEV status read by them from then on), re-reading
 * its KEV status every time; when the
 * priority differs it records revision `rescored` with a `rampart.clearinghouse.report.scored` event
 * in the same claimed write (retrying a conflicting write), otherwise it writes nothing.
 *
 * And for the handlers:
 * - scoreOnArrival: on receipt, indexes the report's CVE ids (clearinghouse_report_cves) and scores
 *   it from what the reporter gave, its KEV status read by `_id` (preliminary);
 * - scoreOnValidation: on TransitionReport to valid, scores it again with the analyst's SSVC
 *   decision points and vectors (not preliminary);
 * - asHumanStep: runs a human step (a transition) in its own trace, linked to the report's receipt.
 */
import type { FieldViolation } from '@rampart/errors';
import type { OutboxEntry } from '@rampart/events';
import { withLinkedTrace } from '@rampart/telemetry';
import { ssvcCoordinatorTable } from '../assets/ssvc';
import { kevStatus, type ExploitationReports, type SsvcDecisionPoints } from '../domain/scoring';
import { cvssVectorsField, reportCveIds, rescore, scoreOnReceipt, scoringChanged, ssvcField, type ReportScoring } from '../domain/report-scoring';
import type { ReportDetails, ReportRevision, VulnerabilityReport } from '../domain/report';
import { validateReportId } from '../domain/validation';
import type { Embargo } from '../domain/coordination';
import { withheldDuringEmbargo } from '../events/embargo-events';
import { reportScoredEvent } from '../events/scoring-events';
import type { ClearinghouseStore } from '../store';
import type { KevStore } from './kev-store';

export interface ScoringDeps {
  store: ClearinghouseStore;
  kev: KevStore;
  /** The embargo holding the report back, if any: a rescore during it announces the summary only. */
  embargoOfReport?: (report: Pick<VulnerabilityReport, 'id'>) => Promise<Embargo | undefined>;
}

export interface RescoreChange {
  exploitation?: ExploitationReports;
  /** More CVE ids the report is known by (its flaw's aliases); added to those it has. */
  cveIds?: readonly string[];
}

export interface RescoreResult {
  /** The report as it stands after the call; undefined when there is none. */
  report?: VulnerabilityReport;
  /** Whether its priority changed (and `report.scored` was written). */
  changed: boolean;
}

/** Claimed writes tried before giving up on a report that keeps changing underneath. */
const ATTEMPTS = 5;

/** The CVE ids of `report`: its own, those its scoring kept and `more`, upper-cased, sorted, once. */
function cveIdsOf(report: Pick<VulnerabilityReport, 'details' | 'scoring'>, more: readonly string[] = []): string[] {
  return reportCveIds({ details: report.details, aliases: [...(report.scoring?.cveIds ?? []), ...more] });
}

async function kevOf(kev: KevStore, ids: readonly string[]) {
  return kevStatus(ids, ids.length ? await kev.entries(ids) : []);
}

export async function rescoreReport(deps: ScoringDeps, reportId: string, change: RescoreChange, actor: string, now: Date): Promise<RescoreResult> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    const report = await deps.store.get(reportId);
    if (!report) return { changed: false };
    const cveIds = cveIdsOf(report, change.cveIds);
    const added = cveIds.filter((id) => !(report.scoring?.cveIds ?? []).includes(id));
    if (added.length) await deps.kev.indexReport(added, reportId); // before the KEV read: a concurrent import finds it
    const scoring = rescore(report.scoring, report.details.cvssVectors, { kev: await kevOf(deps.kev, cveIds), cveIds, ...(change.exploitation ? { exploitation: change.exploitation } : {}) }, now);
    const changed = scoringChanged(report.scoring, scoring);
    // New CVE ids are kept even when the priority stays (a later KEV listing of one must find them); only a new priority is announced.
    if (!changed && added.length === 0) return { report, changed: false };
    const updated: VulnerabilityReport = { ...report, scoring, revision: report.revision + 1, updatedAt: now };
    const record: Omit<ReportRevision, 'revision'> & { reportId: string } = { reportId, change: 'rescored', status: report.status, changedBy: actor, changedAt: now };
    const events = changed ? withheldDuringEmbargo([reportScoredEvent(updated, now)], await deps.embargoOfReport?.(report), now) : [];
    if (await deps.store.changes.commit(reportId, report.revision, { state: { scoring, updatedAt: now }, events }, record)) {
      return { report: updated, changed };
    }
  }
  throw new Error(`report ${reportId} kept changing while it was rescored`);
}

/** On receipt: the report's CVE ids indexed (before it is stored: every stored report is found by a KEV import), then its preliminary scoring. */
export async function scoreOnArrival(deps: ScoringDeps, reportId: string, details: ReportDetails, now: Date): Promise<ReportScoring> {
  const ids = reportCveIds({ details });
  if (ids.length) await deps.kev.indexReport(ids, reportId);
  return scoreOnReceipt(details.cvssVectors, await kevOf(deps.kev, ids), now, ids);
}

/** What an analyst adds on validation, as TransitionReportRequest carries it. */
export interface ValidationInputs {
  ssvc?: { exploitation: string; automatable: string; technicalImpact: string; missionWellbeing: string };
  cvssVectors: string[];
}

/** Checks the analyst's scoring inputs: every violation, named `ssvc.<point>` and `cvss_vectors[i]`; only on validation. */
export function validateValidationInputs(input: ValidationInputs, toStatus: string | undefined): { violations: FieldViolation[]; ssvc?: SsvcDecisionPoints; vectors: string[] } {
  const out: FieldViolation[] = [];
  const given = input.ssvc !== undefined || input.cvssVectors.length > 0;
  if (given && toStatus !== 'valid') {
    if (input.ssvc) out.push({ field: 'ssvc', description: 'is given only when validating (to_status VALID)' });
    if (input.cvssVectors.length) out.push({ field: 'cvss_vectors', description: 'are given only when validating (to_status VALID)' });
    return { violations: out, vectors: [] };
  }
  const ssvc = ssvcField(out, 'ssvc', input.ssvc);
  const vectors = cvssVectorsField(out, 'cvss_vectors', input.cvssVectors);
  return { violations: out, ...(ssvc ? { ssvc } : {}), vectors };
}

/** The scoring a report validated now gets: with the analyst's decision points and vectors, its KEV status read again. */
export async function scoreOnValidation(deps: ScoringDeps, report: VulnerabilityReport, analyst: string, inputs: { ssvc?: SsvcDecisionPoints; vectors: string[] }, now: Date): Promise<ReportScoring> {
  const cveIds = cveIdsOf(report);
  return rescore(report.scoring, report.details.cvssVectors, {
    kev: await kevOf(deps.kev, cveIds),
    cveIds,
    validation: { analyst, table: ssvcCoordinatorTable(), vectors: inputs.vectors, ...(inputs.ssvc ? { ssvc: inputs.ssvc } : {}) },
  }, now);
}

/**
 * Wraps a handler of a human step on one report (`request.reportId`) so it runs in a trace of its
 * own, linked to the trace the report was received in (and to the caller's request span): the
 * issue's "a human step (validation) starts its own trace linked to the report's".
 */
export function asHumanStep<Req extends { reportId: string }, Ctx, Res>(store: ClearinghouseStore, name: string, handler: (request: Req, ctx: Ctx) => Promise<Res>): (request: Req, ctx: Ctx) => Promise<Res> {
  return async (request, ctx) => {
    const wellFormed = validateReportId(request.reportId).length === 0;
    const origin = wellFormed ? await store.receivedTrace(request.reportId) : undefined;
    return withLinkedTrace(name, origin, { 'rampart.report.id': wellFormed ? request.reportId : '' }, () => handler(request, ctx));
  };
}


/** `report.scored` for `after` when its priority differs from `before`'s (or `before` had none). */
export function scoredEvents(before: VulnerabilityReport, after: VulnerabilityReport, now: Date): OutboxEntry[] {
  return after.scoring && scoringChanged(before.scoring, after.scoring) ? [reportScoredEvent(after, now)] : [];
}
