/**
 * Coordinated scanning: FileScanRequest, GetScanRequest, ListScanRequests, CancelScanRequest (an
 * operator's own requests; analysts and auditors read all), ListScanJobs, ClaimScanJob,
 * UploadScanResults (scanners, role reporter), ListScanFindings (the served operator's findings).
 * Another operator's request answers NOT_FOUND in the words a missing one does.
 */
import { v7 as uuidv7 } from 'uuid';
import { authorize, inScope } from '@rampart/auth';
import { ConflictError, FailedPreconditionError, NotFoundError, ValidationError, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { AUTHORIZATION } from '../domain/authorization';
import { validateScanRequest } from '../domain/coordination';
import { scanCancelledEvent, scanRequestedEvent } from '../events/scan-events';
import { claimJob } from '../scanning/claiming';
import { planOpenJobs } from '../scanning/planning';
import { validateCancelReason, validateJobId, validateRequestId } from '../scanning/scan-validation';
import type { ScanStore, StoredScanRequest } from '../scanning/scan-store';
import type { ClearinghouseDeps } from './context';
import { scanFindingToWire, scanJobToWire, scanRequestInputFromWire, scanRequestToWire } from './scan-mapping';
import { uploadScanResultsHandler } from './scan-upload';

type Handlers = Pick<v1.ClearinghouseServiceServer,
  'fileScanRequest' | 'getScanRequest' | 'listScanRequests' | 'cancelScanRequest' | 'listScanJobs' | 'claimScanJob' | 'uploadScanResults' | 'listScanFindings'>;

/** The same words for a missing request and another operator's: existence does not leak. */
export const scanRequestNotFound = (id: string) => `scan request ${id} not found`;

export function scanningHandlers(kit: HandlerKit, deps: ClearinghouseDeps): Handlers {
  const { store } = deps;
  const scans: ScanStore = deps.scans;
  const now = deps.now ?? (() => new Date());

  const loadRequest = async (access: Parameters<typeof inScope>[0], id: string) => {
    ValidationError.throwIfAny(validateRequestId(id));
    return inScope(access, await scans.getRequest(id), scanRequestNotFound(id));
  };
  const toWire = async (r: StoredScanRequest, at: Date) => scanRequestToWire(r, await scans.unitsOfRequest(r, at), at);

  return {
    fileScanRequest: unary(kit, async (request: v1.FileScanRequestRequest, { caller, signal }): Promise<v1.FileScanRequestResponse> => {
      authorize(AUTHORIZATION, 'fileScanRequest', caller);
      const at = now();
      // Throws with every violation at once.
      const filed = validateScanRequest(scanRequestInputFromWire(request), uuidv7(), caller, at);
      signal.throwIfAborted();
      const stored = await scans.insertRequest(filed, [scanRequestedEvent(filed, at)]);
      return { scanRequest: scanRequestToWire(stored, [], at) };
    }),

    getScanRequest: unary(kit, async (request: v1.GetScanRequestRequest, { caller }): Promise<v1.GetScanRequestResponse> => {
      const access = authorize(AUTHORIZATION, 'getScanRequest', caller);
      return { scanRequest: await toWire(await loadRequest(access, request.requestId), now()) };
    }),

    listScanRequests: unary(kit, async (request: v1.ListScanRequestsRequest, { caller }): Promise<v1.ListScanRequestsResponse> => {
      const { organization } = authorize(AUTHORIZATION, 'listScanRequests', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const { items, nextPageToken } = page(await scans.listRequests(organization, after, size + 1), size, (r) => r.id);
      const at = now();
      return { scanRequests: await Promise.all(items.map((r) => toWire(r, at))), nextPageToken };
    }),

    cancelScanRequest: unary(kit, async (request: v1.CancelScanRequestRequest, { caller, signal }): Promise<v1.CancelScanRequestResponse> => {
      const access = authorize(AUTHORIZATION, 'cancelScanRequest', caller);
      const out: FieldViolation[] = [...validateRequestId(request.requestId)];
      const reason = validateCancelReason(out, request.reason);
      ValidationError.throwIfAny(out);
      const current = await loadRequest(access, request.requestId);
      const at = now();
      if (current.status === 'cancelled') {
        // The same cancellation retried answers as it did; another one is refused.
        if (current.cancellation?.cancelledBy === caller.subject && current.cancellation.reason === reason) return { scanRequest: await toWire(current, at) };
        throw new FailedPreconditionError(`scan request ${current.id} was cancelled already`);
      }
      signal.throwIfAborted();
      const cancellation = { cancelledBy: caller.subject, cancelledAt: at, reason };
      if (!(await scans.cancelRequest(current.id, current.revision, cancellation, [scanCancelledEvent(current, current.revision + 1, caller.subject, reason, at)]))) {
        throw new ConflictError(`scan request ${current.id} changed while cancelling: read it again and retry`);
      }
      return { scanRequest: await toWire({ ...current, status: 'cancelled', revision: current.revision + 1, cancellation }, at) };
    }),

    listScanJobs: unary(kit, async (request: v1.ListScanJobsRequest, { caller }): Promise<v1.ListScanJobsResponse> => {
      authorize(AUTHORIZATION, 'listScanJobs', caller);
      const { size, after } = pageRequest(request, 20, 100);
      // Jobs come planned in kind, start, id order; a page continues after the last job id it showed.
      const jobs = await planOpenJobs(scans, now());
      const from = after === undefined ? 0 : jobs.findIndex((j) => j.id === after) + 1;
      const { items, nextPageToken } = page(jobs.slice(from, from + size + 1), size, (j) => j.id);
      return { scanJobs: items.map((j) => scanJobToWire(j)), nextPageToken };
    }),

    claimScanJob: unary(kit, async (request: v1.ClaimScanJobRequest, { caller, signal }): Promise<v1.ClaimScanJobResponse> => {
      authorize(AUTHORIZATION, 'claimScanJob', caller);
      ValidationError.throwIfAny(validateJobId(request.jobId));
      const job = await scans.getJob(request.jobId);
      if (!job) throw new NotFoundError(`scan job ${request.jobId} not found`);
      signal.throwIfAborted();
      const claimed = await claimJob(scans, job, caller, now());
      return { scanJob: scanJobToWire(claimed, claimed.claim.claimedAt) };
    }),

    uploadScanResults: uploadScanResultsHandler(kit, { store, scans, ...(deps.now ? { now: deps.now } : {}) }),

    listScanFindings: unary(kit, async (request: v1.ListScanFindingsRequest, { caller }): Promise<v1.ListScanFindingsResponse> => {
      const access = authorize(AUTHORIZATION, 'listScanFindings', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const scanRequest = await loadRequest(access, request.requestId);
      const { items, nextPageToken } = page(await scans.listFindings(scanRequest.id, after, size + 1), size, (f) => f.reportId);
      return { findings: items.map(scanFindingToWire), nextPageToken };
    }),
  };
}
