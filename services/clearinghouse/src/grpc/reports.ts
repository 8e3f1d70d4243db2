/** Reading reports and moving them through their lifecycle: GetReport, ListReports, TransitionReport, ListReportRevisions. */
import { authorize, inScope } from '@rampart/auth';
import { ConflictError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { encodePageToken, page, pageRequest } from '@rampart/store';
import { AUTHORIZATION } from '../domain/authorization';
import { transition } from '../domain/lifecycle';
import { isReportStatus } from '../domain/report';
import { validateReportId, validateTransition } from '../domain/validation';
import { reportEvent } from '../events/report-events';
import { asHumanStep, scoredEvents, scoreOnValidation, validateValidationInputs } from '../scoring/report-scoring';
import { loadReport, reportNotFound, type ClearinghouseDeps } from './context';
import { reportsForReader, revisionsForReader } from '../embargoes/reader-views';
import { withheldDuringEmbargo } from '../events/embargo-events';
import { withFlawJoin } from './flaws';
import { reportToWire, revisionToWire, statusFromWire } from './mapping';

type Handlers = Pick<v1.ClearinghouseServiceServer, 'getReport' | 'listReports' | 'transitionReport' | 'listReportRevisions'>;

export function reportHandlers(kit: HandlerKit, deps: ClearinghouseDeps): Handlers {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  return {
    getReport: unary(kit, async (request: v1.GetReportRequest, { caller }): Promise<v1.GetReportResponse> => {
      const access = authorize(AUTHORIZATION, 'getReport', caller);
      const view = request.view;
      if (view !== v1.ReportView.REPORT_VIEW_UNSPECIFIED && view !== v1.ReportView.REPORT_VIEW_BASIC && view !== v1.ReportView.REPORT_VIEW_FULL) {
        ValidationError.throwIfAny([...validateReportId(request.reportId), { field: 'view', description: 'must be BASIC or FULL' }]);
      }
      const [report] = await reportsForReader(deps.embargoes, [await loadReport(store, access, request.reportId, view === v1.ReportView.REPORT_VIEW_FULL)], caller, now());
      return { report: report && (await withFlawJoin(deps.flaws, report)) };
    }),

    listReports: unary(kit, async (request: v1.ListReportsRequest, { caller }): Promise<v1.ListReportsResponse> => {
      const { organization } = authorize(AUTHORIZATION, 'listReports', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const status = statusFromWire(request.status);
      if (status !== undefined && !isReportStatus(status)) throw new ValidationError([{ field: 'status', description: 'is not a known report status' }]);
      const fetched = await store.list({ ...(organization ? { organization } : {}), ...(status ? { status } : {}) }, after, size + 1);
      const { items, nextPageToken } = page(fetched, size, (r) => r.id);
      // The flaw each joined: one `_id` read each, as GetReport does.
      const reports = await reportsForReader(deps.embargoes, items, caller, now());
      return { reports: await Promise.all(reports.map((r) => withFlawJoin(deps.flaws, r))), nextPageToken };
    }),

    // A human step: its own trace, linked to the report's receipt (scoring/report-scoring.ts).
    transitionReport: unary(kit, asHumanStep(store, 'transition report', async (request: v1.TransitionReportRequest, { caller, signal }): Promise<v1.TransitionReportResponse> => {
      const access = authorize(AUTHORIZATION, 'transitionReport', caller);
      const checked = validateTransition({ expectedRevision: request.expectedRevision, to: statusFromWire(request.toStatus), reasons: request.reasons });
      const scoring = validateValidationInputs({ ...(request.ssvc ? { ssvc: request.ssvc } : {}), cvssVectors: request.cvssVectors }, statusFromWire(request.toStatus));
      ValidationError.throwIfAny([...validateReportId(request.reportId), ...checked.violations, ...scoring.violations]);
      const current = await loadReport(store, access, request.reportId);
      const at = now();
      const changed = transition(current, { expectedRevision: request.expectedRevision, to: checked.to!, reasons: checked.reasons, actor: caller.subject, now: at });
      if (!changed) return { report: reportToWire(current) }; // this very transition, retried
      // Validation scores the report again (no longer preliminary), in the same write as the status change.
      if (changed.report.status === 'valid') changed.report.scoring = await scoreOnValidation(deps, current, caller.subject, scoring, at);
      signal.throwIfAborted(); // the caller is gone: change nothing it will never hear of
      // While the report's flaw is embargoed its events carry the summary only (events/embargo-events.ts).
      const events = withheldDuringEmbargo([reportEvent(changed.report, at), ...scoredEvents(current, changed.report, at)], await deps.embargoes.embargoOfReport(current), at);
      if (!(await store.applyChange(changed.report, current.revision, changed.revision, events))) {
        throw new ConflictError(`report ${current.id} changed while transitioning: read it again and retry`);
      }
      return { report: reportToWire(changed.report) };
    })),

    listReportRevisions: unary(kit, async (request: v1.ListReportRevisionsRequest, { caller }): Promise<v1.ListReportRevisionsResponse> => {
      const access = authorize(AUTHORIZATION, 'listReportRevisions', caller);
      ValidationError.throwIfAny(validateReportId(request.reportId));
      const { size, after } = pageRequest(request, 20, 100);
      const afterRevision = after === undefined ? 0 : /^[1-9]\d{0,8}$/.test(after) ? Number(after) : undefined;
      if (afterRevision === undefined) throw new ValidationError([{ field: 'page_token', description: 'is not a token this service issued' }]);
      const found = inScope(access, await store.revisionsPage(request.reportId, afterRevision, size), reportNotFound(request.reportId));
      const last = found.revisions.at(-1)?.revision ?? afterRevision;
      const report = await loadReport(store, access, request.reportId);
      const revisions = revisionsForReader(report, await deps.embargoes.embargoOfReport(report), found.revisions.map(revisionToWire), caller, now());
      return { revisions, nextPageToken: last < found.total ? encodePageToken(String(last)) : '' };
    }),
  };
}
