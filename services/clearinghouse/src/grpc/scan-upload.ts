/**
 * UploadScanResults: the claimer's SARIF 2.1.0 log, streamed (a header naming the job, then
 * chunks), held in memory up to MAX_SARIF_BYTES (refused as soon as it grows past them, before the
 * rest is read), validated against the OASIS schema (every error with its JSON pointer), then judged
 * result by result. Each admitted result is stored as a VulnerabilityReport (source SARIF, with its
 * `report.received` event) and as a finding the served operators read; the log as received, the
 * verdicts and the `scan.reported` event are stored last, in one write. The same result uploaded
 * again is the same report (its id derives from the job and the fingerprint).
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { authorize } from '@rampart/auth';
import { FailedPreconditionError, NotFoundError, ValidationError } from '@rampart/errors';
import { clientStreaming, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { formatSchemas } from '../assets/schemas';
import { AUTHORIZATION } from '../domain/authorization';
import { formatValidators, type SarifLog } from '../domain/formats';
import { receive } from '../domain/lifecycle';
import type { VulnerabilityReport } from '../domain/report';
import { reportEvent } from '../events/report-events';
import { scanReportedEvent } from '../events/scan-events';
import { findingReportId, judgeSarifLog, MAX_RESULTS_PER_UPLOAD, resultCount, type AdmittedResult } from '../scanning/sarif-results';
import type { ScanStore } from '../scanning/scan-store';
import type { ClearinghouseStore } from '../store';
import { validateJobId } from '../scanning/scan-validation';

/** The largest log one upload takes (a document holds it whole, under the store's 16 MiB). */
export const MAX_SARIF_BYTES = 8 * 1024 * 1024;
export const SARIF_MEDIA_TYPE = 'application/sarif+json';
const MAX_REASONS = 5;
const MAX_REASON_CHARS = 300;

const refuse = (field: string, description: string): never => {
  throw new ValidationError([{ field, description }]);
};

function bounded(reasons: readonly string[]): string[] {
  const kept = reasons.slice(0, MAX_REASONS).map((r) => (r.length <= MAX_REASON_CHARS ? r : `${r.slice(0, MAX_REASON_CHARS - 1)}…`));
  return reasons.length > MAX_REASONS ? [...kept, `and ${reasons.length - MAX_REASONS} more reasons`] : kept;
}

/** A finding as a report of its scanner's organisation: the candidate finding in the report's words. */
function findingReport(a: AdmittedResult, id: string, caller: { organization: string; subject: string }, now: Date): VulnerabilityReport {
  const f = a.finding;
  const where = f.location ? ` at ${f.location.uri}${f.location.region?.startLine !== undefined ? `:${f.location.region.startLine}` : ''}` : '';
  const title = `${f.ruleId}${where}`;
  const content = Buffer.from(a.json);
  const { report } = receive({
    id, organization: caller.organization, actor: caller.subject, now,
    details: {
      title: title.length <= 300 ? title : `${title.slice(0, 299)}…`,
      affectedProducts: [],
      cweIds: [...f.cwes],
      description: f.message || `${f.tool.name} reported ${f.ruleId}${where} (${f.level})`,
      discovery: { method: 'scanner', toolName: f.tool.name, ...(f.tool.version ? { toolVersion: f.tool.version } : {}) },
      tlp: 'AMBER',
      cvssVectors: [],
    },
    // What was received for this result: its part of the log (the whole log is kept with the upload).
    received: { mediaType: `${SARIF_MEDIA_TYPE}; part="${a.pointer}"`, sha256: createHash('sha256').update(content).digest('hex'), sizeBytes: content.length, content: new Uint8Array(content) },
  });
  return { ...report, source: 'sarif' };
}

export function uploadScanResultsHandler(kit: HandlerKit, deps: { store: ClearinghouseStore; scans: ScanStore; now?: () => Date }) {
  const { store, scans } = deps;
  const now = deps.now ?? (() => new Date());

  return clientStreaming(kit, async (requests: AsyncIterable<v1.UploadScanResultsRequest>, { caller, signal }): Promise<v1.UploadScanResultsResponse> => {
    authorize(AUTHORIZATION, 'uploadScanResults', caller);
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
    if (!header) return refuse('header', 'the first message must carry the header (job_id)');
    ValidationError.throwIfAny(validateJobId(header.jobId, 'header.job_id'));
    const job = await scans.getJob(header.jobId);
    if (!job) throw new NotFoundError(`scan job ${header.jobId} not found`);
    // The latest claim's organisation returns results, its lease ended or not, until another claims the job after it.
    const claim = await scans.latestClaim(job.id);
    if (!claim || claim.organization !== caller.organization) throw new FailedPreconditionError(`scan job ${job.id} is not claimed by your organisation: only its claimer returns results`);

    const chunks: Buffer[] = [];
    let size = 0;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value.part?.$case !== 'chunk') refuse('header', 'only the first message may carry a header');
      const chunk = (next.value.part as { value: Buffer }).value;
      size += chunk.length;
      if (size > MAX_SARIF_BYTES) refuse('chunk', `the SARIF log is larger than ${MAX_SARIF_BYTES} bytes: split the results over several uploads`);
      chunks.push(chunk);
    }
    if (size === 0) refuse('chunk', 'the SARIF log is empty');
    const bytes = Buffer.concat(chunks, size);
    const receivedAt = now();

    const validation = formatValidators(formatSchemas()).sarif(bytes, { maxBytes: MAX_SARIF_BYTES });
    // Every error, each named by its JSON pointer into the log (`sarif` is the log itself).
    if (!validation.ok) throw new ValidationError(validation.errors.map((p) => ({ field: `sarif${p.pointer}`, description: p.message })));
    const log: SarifLog = validation.document;
    const count = resultCount(log);
    if (count > MAX_RESULTS_PER_UPLOAD) refuse('sarif/runs', `hold ${count} results: at most ${MAX_RESULTS_PER_UPLOAD} per upload; split the results over several uploads`);

    // A cancelled request withdrew its consent: its targets leave the job.
    const served = await Promise.all(job.serves.map((s) => scans.getRequest(s.requestId)));
    const serves = job.serves.filter((_, i) => served[i]?.status === 'open');
    if (serves.length === 0) throw new FailedPreconditionError(`every request scan job ${job.id} serves was cancelled: no result can be admitted`);
    const verdicts = judgeSarifLog(log, { ...job, serves, claim }, caller, receivedAt);

    signal.throwIfAborted(); // the caller is gone: store nothing it will never hear of
    const admitted: v1.AdmittedScanResult[] = [];
    for (const a of verdicts.admitted) {
      const reportId = findingReportId(job.id, a.finding.fingerprint);
      const report = findingReport(a, reportId, caller, receivedAt);
      await store.insert(report, [reportEvent(report, receivedAt)]); // false: uploaded before, the report stands
      const operators = [...new Set(serves.filter((s) => a.requestIds.includes(s.requestId)).map((s) => s.operator))].sort();
      const f = a.finding;
      await scans.insertFinding({
        reportId, jobId: job.id, requestIds: a.requestIds, operators, scanner: caller.organization,
        toolName: f.tool.name, ...(f.tool.version ? { toolVersion: f.tool.version } : {}), ruleId: f.ruleId, level: f.level, message: f.message,
        ...(f.location ? { locationUri: f.location.uri, ...(f.location.region?.startLine !== undefined ? { startLine: f.location.region.startLine } : {}) } : {}),
        fingerprint: f.fingerprint, cweIds: [...f.cwes], receivedAt,
      });
      admitted.push({ pointer: a.pointer, reportId, ruleId: f.ruleId, fingerprint: f.fingerprint });
    }
    const refused = verdicts.refused.map((r) => ({ pointer: r.pointer, reasons: bounded(r.reasons) }));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const upload = {
      id: uuidv7(), jobId: job.id, organization: caller.organization, uploadedBy: caller.subject, receivedAt, sha256, sizeBytes: size, content: new Uint8Array(bytes),
      admitted: admitted.map((a) => ({ pointer: a.pointer, reportId: a.reportId })), refused,
    };
    await scans.insertUpload(upload, [scanReportedEvent({ ...upload, admitted: admitted.length, refused: refused.length, reportIds: admitted.map((a) => a.reportId) }, receivedAt)]);
    return { jobId: job.id, sha256, sizeBytes: size, admittedCount: admitted.length, refusedCount: refused.length, admitted, refused };
  });
}
