/** rampart.designation.v1.DesignationService: authorise, validate, apply the domain rule, store with its events, redact the answer. */
import { createHash } from 'node:crypto';
import type { ObjectId } from 'mongodb';
import { v7 as uuidv7 } from 'uuid';
import { authorize, inScope, requireClearance, type Access, type Caller } from '@rampart/auth';
import { ConflictError, NotFoundError, textField as text, uuidField, ValidationError, type FieldViolation } from '@rampart/errors';
import { clientStreaming, unary, type HandlerKit, type ServiceBinding } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { releasableAssessment } from '../domain/assessment';
import { AUTHORIZATION } from '../domain/authorization';
import { assertOpen, assertReleasable, decide, recordView, requestConsultation, type Case, type Consultee } from '../domain/case';
import { evidenceMarking, SUITES, validateCountedMetrics, validateDomains, type Evidence } from '../domain/evidence';
import { InvalidLogError } from '../domain/inspect-log';
import { judgmentMarkingOf } from '../domain/markings';
import { validatePolicy } from '../domain/policy';
import type { ConsultationDeadlines } from '../events/consultation-deadline';
import { assessmentEvent, caseEvent, evidenceEvent } from '../events/designation-events';
import { policyChangedEvent } from '../events/policy-change';
import { detectFormat, readInspectLog } from '../inspect/read-log';
import { recomputeCase, recordEvidence } from '../recompute';
import type { DesignationStore } from '../store';
import { receiveLog, removeQuietly } from './log-upload';
import { assessmentToWire, caseToWire, classifications, domains, evidenceToWire, outcomes, policyToWire, rulesFromWire, statuses, views } from './mapping';

export interface DesignationDeps {
  store: DesignationStore;
  consultees: Consultee[];
  consultationDays: number;
  maxLogBytes: number;
  /** Arms consultation deadlines (durable timers). */
  consultationDeadlines: ConsultationDeadlines;
  now?: () => Date;
}

/** The agencies a case's consultation is addressed to: a consultee's scope. */
function consultedAgencies(c: Case): string[] {
  return c.consultation?.entries.map((e) => e.agency) ?? [];
}

function caseId(id: string, field = 'case_id'): string {
  const violations: FieldViolation[] = [];
  uuidField(violations, field, id, 'a case id (the submission id)');
  ValidationError.throwIfAny(violations);
  return id;
}

export function designationService(kit: HandlerKit, deps: DesignationDeps): ServiceBinding {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  /**
   * A case the call may see. One it may not (another organisation's; for a consultee, one whose
   * consultation is not addressed to its agency) reads as missing: see the authorization table.
   */
  async function loadCase(id: string, access: Access): Promise<Case> {
    return inScope(access, await store.getCase(caseId(id)), `case ${id} not found`, consultedAgencies);
  }

  /** Saves a case change made from the revision read, with its events, or reports the conflict. */
  async function save(next: Case, from: Case, events: ReturnType<typeof caseEvent>[], signal: AbortSignal): Promise<Case> {
    signal.throwIfAborted(); // the caller is gone: change nothing it will never hear of
    if (!(await store.saveCase(next, from.revision, events))) throw new ConflictError(`case ${from.id} changed meanwhile: read it again and retry`);
    return next;
  }

  /**
   * Evidence is stored as its case's next item, then counted in the case's determination (by `_id`
   * reads: recompute.ts). The recompute is not cut short by a cancelled call: the item is recorded
   * by then, and the case must say so.
   */
  const recomputeDeps = { store, now };

  function assertMayAttach(caller: Caller, c: Case, marking: ReturnType<typeof evidenceMarking>): void {
    requireClearance(caller, marking);
    assertOpen(c);
  }

  const implementation: v1.DesignationServiceServer = {
    getCase: unary(kit, async (request: v1.GetCaseRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'getCase', caller);
      return { case: caseToWire(await loadCase(request.caseId, access), caller.clearance) };
    }),

    listCases: unary(kit, async (request: v1.ListCasesRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listCases', caller);
      const { size, after } = pageRequest(request, 20, 100);
      // A consultee's listing holds only the cases addressed to its agency (none without one).
      const found = access.agency === '' ? [] : await store.listCases(statuses.fromWire(request.status), after, size + 1, access.agency);
      const { items, nextPageToken } = page(found, size, (c) => c.id);
      return { cases: items.map((c) => caseToWire(c, caller.clearance)), nextPageToken };
    }),

    uploadInspectLog: clientStreaming(kit, async (requests: AsyncIterable<v1.UploadInspectLogRequest>, { caller, signal, logger }) => {
      const access = authorize(AUTHORIZATION, 'uploadInspectLog', caller);
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
      if (!header) throw new ValidationError([{ field: 'header', description: 'the first message must carry the header' }]);
      const violations = validateDomains(header.domains.map(domains.fromWire), 'header.domains');
      if (header.countedMetrics.length === 0) violations.push({ field: 'header.counted_metrics', description: 'must name at least one metric of the log' });
      const c = await loadCase(caseId(header.caseId, 'header.case_id'), access);
      ValidationError.throwIfAny(violations);
      const marking = evidenceMarking(classifications.fromWire(header.marking));
      assertMayAttach(caller, c, marking);

      // Into GridFS as it arrives: never whole in memory, and nothing left behind by an upload that
      // does not complete (see log-upload.ts), nor by a log refused below.
      const id = uuidv7();
      const cleanup = { remove: (fileId: ObjectId) => store.deleteLog(fileId), logger };
      const log = await receiveLog({
        ...cleanup, bucket: store.logs, filename: `${c.id}/${id}`, metadata: { caseId: c.id, evidenceId: id, uploadedBy: caller.subject },
        messages: iterator, maxBytes: deps.maxLogBytes, signal,
      });
      let evidence: Evidence;
      let sequence: number;
      try {
        const read = await readInspectLog(store.logs, log.fileId, log.size, detectFormat(log.firstBytes));
        const counted = header.countedMetrics.map((m) => m.trim());
        const metricViolations = validateCountedMetrics(counted, read.summary);
        if (metricViolations.length > 0) throw new ValidationError([metricViolations[0]!]);
        const s = read.summary;
        evidence = {
          id, caseId: c.id, kind: 'inspect_log', domains: header.domains.map((d) => domains.fromWire(d)!), countedMetrics: counted,
          metrics: s.metrics, task: s.task, model: s.model, logVersion: s.version,
          ...(s.dataset ? { dataset: s.dataset } : {}), ...(s.sourceRevision ? { sourceRevision: s.sourceRevision } : {}),
          ...(s.totalSamples !== undefined ? { totalSamples: s.totalSamples } : {}), ...(s.completedSamples !== undefined ? { completedSamples: s.completedSamples } : {}),
          sha256: log.sha256, sizeBytes: log.size, marking, recordedBy: caller.subject, recordedAt: now(), logFileId: log.fileId.toHexString(),
        };
        signal.throwIfAborted(); // the last moment a cancelled upload is still refused whole
        sequence = await store.insertEvidence(evidence, [evidenceEvent(evidence, evidence.recordedAt)], c.evaluatedEvidence);
      } catch (error) {
        await removeQuietly(log.fileId, cleanup, error);
        if (error instanceof InvalidLogError) throw new ValidationError([{ field: 'chunk', description: error.message }], { cause: error });
        throw error;
      }
      await recomputeCase(recomputeDeps, evidence.caseId, { through: sequence });
      return { evidence: evidenceToWire(evidence, caller.clearance) };
    }),

    recordSuiteResult: unary(kit, async (request: v1.RecordSuiteResultRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'recordSuiteResult', caller);
      const violations: FieldViolation[] = [];
      if (!(SUITES as readonly string[]).includes(request.suiteName)) violations.push({ field: 'suite_name', description: `must be one of ${SUITES.join(', ')}` });
      const suiteVersion = text(violations, 'suite_version', request.suiteVersion, 100, true);
      const metric = text(violations, 'metric', request.metric, 200, true);
      const notes = text(violations, 'elicitation_notes', request.elicitationNotes, 10_000, false);
      violations.push(...validateDomains([domains.fromWire(request.domain)], 'domain').map((v) => ({ ...v, field: 'domain' })));
      if (!Number.isFinite(request.value)) violations.push({ field: 'value', description: 'must be a finite number' });
      const c = await loadCase(request.caseId, access);
      ValidationError.throwIfAny(violations);
      const marking = evidenceMarking(classifications.fromWire(request.marking));
      assertMayAttach(caller, c, marking);
      const canonical = JSON.stringify(v1.RecordSuiteResultRequest.toJSON(request));
      const evidence: Evidence = {
        id: uuidv7(), caseId: c.id, kind: 'suite_result', domains: [domains.fromWire(request.domain)!], countedMetrics: [metric],
        metrics: [{ scorer: request.suiteName, name: metric, value: request.value }], totalSamples: request.sampleCount,
        suiteName: request.suiteName, suiteVersion, ...(notes ? { elicitationNotes: notes } : {}),
        sha256: createHash('sha256').update(canonical).digest('hex'), sizeBytes: Buffer.byteLength(canonical), marking, recordedBy: caller.subject, recordedAt: now(),
      };
      signal.throwIfAborted();
      await recordEvidence(recomputeDeps, evidence, [evidenceEvent(evidence, evidence.recordedAt)], c.evaluatedEvidence);
      return { evidence: evidenceToWire(evidence, caller.clearance) };
    }),

    listEvidence: unary(kit, async (request: v1.ListEvidenceRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listEvidence', caller);
      await loadCase(request.caseId, access);
      const { size, after } = pageRequest(request, 50, 200);
      const { items, nextPageToken } = page(await store.listEvidence(request.caseId, after, size + 1), size, (e) => e.key);
      return { evidence: items.map((e) => evidenceToWire(e.evidence, caller.clearance)), nextPageToken };
    }),

    putThresholdPolicy: unary(kit, async (request: v1.PutThresholdPolicyRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'putThresholdPolicy', caller);
      const { rules, requiredDomains, violations } = validatePolicy({ ...rulesFromWire(request.rules), requiredDomains: request.requiredDomains.map(domains.fromWire) });
      ValidationError.throwIfAny(violations);
      const current = await store.currentPolicy();
      if ((current?.version ?? 0) !== request.expectedVersion) {
        throw new ConflictError(`the current policy is version ${current?.version ?? 0}, not ${request.expectedVersion}`);
      }
      const policy = { version: request.expectedVersion + 1, rules: rules!, requiredDomains: requiredDomains!, createdBy: caller.subject, createdAt: now() };
      // Stored with its policy.changed event, which designation consumes itself to re-determine
      // every open case (events/policy-change.ts): the call returns once the policy is stored.
      signal.throwIfAborted();
      if (!(await store.insertPolicy(policy, [policyChangedEvent(policy, policy.createdAt)]))) throw new ConflictError(`policy version ${policy.version} was written meanwhile`);
      return { policy: policyToWire(policy, caller.clearance) };
    }),

    getThresholdPolicy: unary(kit, async (request: v1.GetThresholdPolicyRequest, { caller }) => {
      authorize(AUTHORIZATION, 'getThresholdPolicy', caller);
      const policy = request.version === 0 ? await store.currentPolicy() : await store.policy(request.version);
      if (!policy) throw new NotFoundError(request.version === 0 ? 'no threshold policy yet' : `no policy version ${request.version}`);
      return { policy: policyToWire(policy, caller.clearance) };
    }),

    requestConsultation: unary(kit, async (request: v1.RequestConsultationRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'requestConsultation', caller);
      const c = await loadCase(request.caseId, access);
      const at = now();
      const deadline = request.deadlineTime ?? new Date(at.getTime() + deps.consultationDays * 86_400_000);
      if (!Number.isFinite(deadline.getTime()) || deadline.getUTCFullYear() > 9999) throw new ValidationError([{ field: 'deadline_time', description: 'must be a time before the year 10000' }]);
      const next = { ...requestConsultation(c, deps.consultees, deadline, caller.subject, at), revision: c.revision + 1, updatedAt: at };
      // Armed before the consultation is stored: none is ever stored without its deadline timer.
      await deps.consultationDeadlines.schedule(next);
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['consultation', 'requested'], at)], signal), caller.clearance) };
    }),

    recordConsultationView: unary(kit, async (request: v1.RecordConsultationViewRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'recordConsultationView', caller);
      const violations: FieldViolation[] = [];
      const view = views.fromWire(request.view);
      if (!view) violations.push({ field: 'view', description: 'must be concur, non_concur or comments' });
      const comments = text(violations, 'comments', request.comments, 10_000, view === 'comments');
      ValidationError.throwIfAny(violations);
      const c = await loadCase(request.caseId, access);
      const at = now();
      const next = { ...recordView(c, caller.agency, view!, comments, caller.subject, at), revision: c.revision + 1, updatedAt: at };
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['consultation', 'recorded'], at)], signal), caller.clearance) };
    }),

    issueDecision: unary(kit, async (request: v1.IssueDecisionRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'issueDecision', caller);
      const violations: FieldViolation[] = [];
      const outcome = outcomes.fromWire(request.outcome);
      if (!outcome) violations.push({ field: 'outcome', description: 'must be covered or not_covered' });
      const rationale = text(violations, 'rationale', request.rationale, 20_000, true);
      if (!request.effectiveTime) violations.push({ field: 'effective_time', description: 'is required' });
      ValidationError.throwIfAny(violations);
      const c = await loadCase(request.caseId, access);
      // The outcome is a judgment of the evaluation: only an authority cleared for it may make it.
      requireClearance(caller, judgmentMarkingOf(c));
      const policy = await store.currentPolicy();
      const at = now();
      const decided = decide(c, { outcome: outcome!, rationale, effectiveAt: request.effectiveTime!, actor: caller.subject, now: at, policyVersion: policy?.version ?? 0 });
      const next = { ...decided, revision: c.revision + 1, updatedAt: at };
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['decision', 'issued'], at)], signal), caller.clearance) };
    }),

    releaseAssessment: unary(kit, async (request: v1.ReleaseAssessmentRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'releaseAssessment', caller);
      const c = await loadCase(request.caseId, access);
      // Releasing declassifies statements derived from the evaluation: the releaser must be cleared for it.
      requireClearance(caller, judgmentMarkingOf(c));
      assertReleasable(c);
      const at = now();
      const assessment = releasableAssessment(c, at);
      const next = { ...c, releasedAt: at, revision: c.revision + 1, updatedAt: at };
      await save(next, c, [assessmentEvent(assessment, at)], signal);
      return { assessment: assessmentToWire(assessment, caller.clearance) };
    }),

    getReleasableAssessment: unary(kit, async (request: v1.GetReleasableAssessmentRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'getReleasableAssessment', caller);
      // Missing, another organisation's and not yet released read alike: nothing about the case leaks.
      const absent = `no assessment released for case ${request.caseId}`;
      const c = inScope(access, await store.getCase(caseId(request.caseId)), absent);
      if (!c.releasedAt || !c.decision) throw new NotFoundError(absent);
      return { assessment: assessmentToWire(releasableAssessment(c, c.releasedAt), caller.clearance) };
    }),
  };

  return { name: 'rampart.designation.v1.DesignationService', definition: v1.DesignationServiceService, implementation };
}
