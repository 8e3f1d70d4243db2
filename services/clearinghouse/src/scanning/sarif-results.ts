/**
 * A claimed job's SARIF log, judged result by result (pure): each result inside the job's targets
 * and window (coordination's placementOfSarifResult and checkFinding) becomes a candidate finding
 * (formats' findingFromResult: rule, location, fingerprint, level, message); every other result is
 * refused with every reason. The log is schema-valid already (formats' SARIF validator).
 */
import { createHash } from 'node:crypto';
import type { Caller } from '@rampart/auth';
import { checkFinding, placementOfSarifResult, type ScanClaim, type ScanJob } from '../domain/coordination';
import { findingFromResult, sarifRunContext, type CandidateFinding, type SarifLog, type SarifResult, type SarifRun } from '../domain/formats';

/** Results judged per upload at most: a larger scan returns its results in several uploads. */
export const MAX_RESULTS_PER_UPLOAD = 1_000;

export interface AdmittedResult {
  /** RFC 6901 pointer of the result in the log. */
  pointer: string;
  finding: CandidateFinding;
  /** The served requests whose targets hold its locations: only their operators are shown it. */
  requestIds: string[];
  /** The result as JSON (what was received for it, re-serialized). */
  json: string;
}

export interface RefusedResult {
  pointer: string;
  reasons: string[];
}

export interface Verdicts {
  admitted: AdmittedResult[];
  refused: RefusedResult[];
}

type Json = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** How many results the log holds. */
export function resultCount(log: SarifLog): number {
  return list(obj(log).runs).reduce<number>((n, run) => n + list(obj(run).results).length, 0);
}

/** Kinds of result that are not findings (SARIF 3.27.9): a passed or inapplicable check. */
const NOT_FINDINGS = new Set(['pass', 'notApplicable']);

/** Every result of `log`, admitted or refused, for `job` as claimed, uploaded by `submitter` at `receivedAt`. */
export function judgeSarifLog(log: SarifLog, job: ScanJob & { claim?: ScanClaim }, submitter: Pick<Caller, 'organization'>, receivedAt: Date): Verdicts {
  const admitted: AdmittedResult[] = [];
  const refused: RefusedResult[] = [];
  list(obj(log).runs).forEach((run, r) => {
    const ctx = sarifRunContext(run as SarifRun, r);
    list(obj(run).results).forEach((result, i) => {
      const pointer = `/runs/${r}/results/${i}`;
      const kind = obj(result).kind;
      if (typeof kind === 'string' && NOT_FINDINGS.has(kind)) {
        refused.push({ pointer, reasons: [`its kind is ${kind}: not a finding`] });
        return;
      }
      const { placement, problems } = placementOfSarifResult(run, result, job.kind);
      const verdict = checkFinding(job, placement, submitter, receivedAt);
      const reasons = [...problems, ...(verdict.admitted ? [] : verdict.reasons)];
      if (reasons.length > 0 || !verdict.admitted) refused.push({ pointer, reasons });
      else admitted.push({ pointer, finding: findingFromResult(result as SarifResult, ctx, i), requestIds: verdict.requestIds, json: JSON.stringify(result) });
    });
  });
  return { admitted, refused };
}

/**
 * The report id of a finding of a job: a UUID (version 8, RFC 9562) from the job and the
 * finding's fingerprint, so the same result uploaded again is the same report.
 */
export function findingReportId(jobId: string, fingerprint: string): string {
  const h = createHash('sha256').update(`${jobId}\n${fingerprint}`).digest('hex').slice(0, 32).split('');
  h[12] = '8';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const x = h.join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
