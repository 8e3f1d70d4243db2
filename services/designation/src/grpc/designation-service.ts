/** rampart.designation.v1.DesignationService: authorise, validate, apply the domain rule, store with its events, redact the answer. */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { v7 as uuidv7 } from 'uuid';
import { GOVERNMENT_ROLES, hasRole, requireClearance, requireRole, type Caller } from '@rampart/auth';
import { ConflictError, NotFoundError, PermissionDeniedError, textField as text, uuidField, ValidationError, type FieldViolation } from '@rampart/errors';
import { clientStreaming, unary, type HandlerKit, type ServiceBinding } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { releasableAssessment } from '../domain/assessment';
import { assertOpen, assertOwnOrganization, assertReleasable, decide, recordView, requestConsultation, type Case, type Consultee } from '../domain/case';
import { countedMetricsOf, evidenceByDomain, evidenceMarking, SUITES, validateCountedMetrics, validateDomains, type Evidence } from '../domain/evidence';
import { InvalidLogError } from '../domain/inspect-log';
import { CASE_BASE_MARKING } from '../domain/markings';
import { determine, missingDomains, POLICY_MARKING, validatePolicy } from '../domain/policy';
import { assessmentEvent, caseEvent, evidenceEvent } from '../events/designation-events';
import { detectFormat, readInspectLog } from '../inspect/read-log';
import type { DesignationStore } from '../store';
import { assessmentToWire, caseToWire, classifications, domains, evidenceToWire, outcomes, policyToWire, rulesFromWire, statuses, views } from './mapping';

export interface DesignationDeps {
  store: DesignationStore;
  consultees: Consultee[];
  consultationDays: number;
  maxLogBytes: number;
  eventsWritten: () => void;
  now?: () => Date;
}

function caseId(id: string, field = 'case_id'): string {
  const violations: FieldViolation[] = [];
  uuidField(violations, field, id, 'a case id (the submission id)');
  ValidationError.throwIfAny(violations);
  return id;
}

/** Government readers of cases, cleared at least for the case's base marking. */
function assertGovernmentReader(caller: Caller): void {
  requireRole(caller, ...GOVERNMENT_ROLES);
  requireClearance(caller, CASE_BASE_MARKING);
}

export function designationService(kit: HandlerKit, deps: DesignationDeps): ServiceBinding {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  async function loadCase(id: string): Promise<Case> {
    const c = await store.getCase(caseId(id));
    if (!c) throw new NotFoundError(`case ${id} not found`);
    return c;
  }

  /** Saves a case change made from the revision read, with its events, or reports the conflict. */
  async function save(next: Case, from: Case, events: ReturnType<typeof caseEvent>[]): Promise<Case> {
    if (!(await store.saveCase(next, from.revision, events))) throw new ConflictError(`case ${from.id} changed meanwhile: read it again and retry`);
    deps.eventsWritten();
    return next;
  }

  /** Recomputes a case's preliminary determination from its evidence under the current policy. */
  async function recompute(id: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await store.getCase(id);
      if (!c || c.status === 'withdrawn' || c.status === 'decided') return;
      const policy = await store.currentPolicy();
      const evidence = await store.listEvidence(id);
      const byDomain = evidenceByDomain(evidence);
      const determinations = policy ? determine(policy, evidence.flatMap(countedMetricsOf), byDomain) : [];
      const missing = policy ? missingDomains(policy, byDomain) : [];
      const ready = !!policy && missing.length === 0;
      if (JSON.stringify([determinations, missing, ready]) === JSON.stringify([c.determinations, c.missingDomains, c.readyForDecision])) return;
      const at = now();
      const next: Case = { ...c, determinations, missingDomains: missing, readyForDecision: ready, revision: c.revision + 1, updatedAt: at };
      if (await store.saveCase(next, c.revision, [caseEvent(next, ['determination', 'changed'], at)])) {
        deps.eventsWritten();
        return;
      }
    }
    throw new ConflictError(`case ${id} keeps changing; its determination will be recomputed on the next change`);
  }

  async function recordEvidence(evidence: Evidence): Promise<void> {
    await store.insertEvidence(evidence, [evidenceEvent(evidence, evidence.recordedAt)]);
    deps.eventsWritten();
    await recompute(evidence.caseId);
  }

  function assertMayAttach(caller: Caller, c: Case, marking: ReturnType<typeof evidenceMarking>): void {
    requireRole(caller, 'evaluator');
    requireClearance(caller, marking);
    assertOpen(c);
  }

  const implementation: v1.DesignationServiceServer = {
    getCase: unary(kit, async (request: v1.GetCaseRequest, { caller }) => {
      assertGovernmentReader(caller);
      return { case: caseToWire(await loadCase(request.caseId), caller.clearance) };
    }),

    listCases: unary(kit, async (request: v1.ListCasesRequest, { caller }) => {
      assertGovernmentReader(caller);
      const { size, after } = pageRequest(request, 20, 100);
      const { items, nextPageToken } = page(await store.listCases(statuses.fromWire(request.status), after, size + 1), size, (c) => c.id);
      return { cases: items.map((c) => caseToWire(c, caller.clearance)), nextPageToken };
    }),

    uploadInspectLog: clientStreaming(kit, async (requests: AsyncIterable<v1.UploadInspectLogRequest>, { caller }) => {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
      if (!header) throw new ValidationError([{ field: 'header', description: 'the first message must carry the header' }]);
      const violations = validateDomains(header.domains.map(domains.fromWire), 'header.domains');
      if (header.countedMetrics.length === 0) violations.push({ field: 'header.counted_metrics', description: 'must name at least one metric of the log' });
      const c = await loadCase(caseId(header.caseId, 'header.case_id'));
      ValidationError.throwIfAny(violations);
      const marking = evidenceMarking(classifications.fromWire(header.marking));
      assertMayAttach(caller, c, marking);

      // Stream to GridFS, hashing as it goes: the log is never whole in memory.
      const id = uuidv7();
      const upload = store.logs.openUploadStream(`${c.id}/${id}`, { metadata: { caseId: c.id, evidenceId: id, uploadedBy: caller.subject } });
      const hash = createHash('sha256');
      let size = 0;
      let firstBytes = Buffer.alloc(0);
      const discard = async (reason: FieldViolation) => {
        await upload.abort().catch(() => undefined);
        await store.logs.delete(upload.id).catch(() => undefined);
        throw new ValidationError([reason]);
      };
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (next.value.part?.$case !== 'chunk') await discard({ field: 'header', description: 'only the first message may carry a header' });
        const chunk = (next.value.part as { value: Buffer }).value;
        size += chunk.length;
        if (size > deps.maxLogBytes) await discard({ field: 'chunk', description: `the log is larger than ${deps.maxLogBytes} bytes` });
        if (firstBytes.length < 64) firstBytes = Buffer.concat([firstBytes, chunk.subarray(0, 64)]);
        hash.update(chunk);
        if (!upload.write(chunk)) await once(upload, 'drain');
      }
      await new Promise<void>((resolve, reject) => upload.end((error?: Error | null) => (error ? reject(error) : resolve())));
      if (size === 0) await discard({ field: 'chunk', description: 'the log is empty' });

      let read;
      try {
        read = await readInspectLog(store.logs, upload.id, size, detectFormat(firstBytes));
      } catch (error) {
        if (error instanceof InvalidLogError) await discard({ field: 'chunk', description: error.message });
        throw error;
      }
      const counted = header.countedMetrics.map((m) => m.trim());
      const metricViolations = validateCountedMetrics(counted, read!.summary);
      if (metricViolations.length > 0) await discard(metricViolations[0]!);

      const s = read!.summary;
      const evidence: Evidence = {
        id, caseId: c.id, kind: 'inspect_log', domains: header.domains.map((d) => domains.fromWire(d)!), countedMetrics: counted,
        metrics: s.metrics, task: s.task, model: s.model, logVersion: s.version,
        ...(s.dataset ? { dataset: s.dataset } : {}), ...(s.sourceRevision ? { sourceRevision: s.sourceRevision } : {}),
        ...(s.totalSamples !== undefined ? { totalSamples: s.totalSamples } : {}), ...(s.completedSamples !== undefined ? { completedSamples: s.completedSamples } : {}),
        sha256: hash.digest('hex'), sizeBytes: size, marking, recordedBy: caller.subject, recordedAt: now(), logFileId: upload.id.toHexString(),
      };
      await recordEvidence(evidence);
      return { evidence: evidenceToWire(evidence, caller.clearance) };
    }),

    recordSuiteResult: unary(kit, async (request: v1.RecordSuiteResultRequest, { caller }) => {
      const violations: FieldViolation[] = [];
      if (!(SUITES as readonly string[]).includes(request.suiteName)) violations.push({ field: 'suite_name', description: `must be one of ${SUITES.join(', ')}` });
      const suiteVersion = text(violations, 'suite_version', request.suiteVersion, 100, true);
      const metric = text(violations, 'metric', request.metric, 200, true);
      const notes = text(violations, 'elicitation_notes', request.elicitationNotes, 10_000, false);
      violations.push(...validateDomains([domains.fromWire(request.domain)], 'domain').map((v) => ({ ...v, field: 'domain' })));
      if (!Number.isFinite(request.value)) violations.push({ field: 'value', description: 'must be a finite number' });
      const c = await loadCase(request.caseId);
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
      await recordEvidence(evidence);
      return { evidence: evidenceToWire(evidence, caller.clearance) };
    }),

    listEvidence: unary(kit, async (request: v1.ListEvidenceRequest, { caller }) => {
      assertGovernmentReader(caller);
      await loadCase(request.caseId);
      const { size, after } = pageRequest(request, 50, 200);
      const { items, nextPageToken } = page(await store.listEvidence(request.caseId, after, size + 1), size, (e) => e.id);
      return { evidence: items.map((e) => evidenceToWire(e, caller.clearance)), nextPageToken };
    }),

    putThresholdPolicy: unary(kit, async (request: v1.PutThresholdPolicyRequest, { caller }) => {
      requireRole(caller, 'policy-admin');
      requireClearance(caller, POLICY_MARKING);
      const { rules, requiredDomains, violations } = validatePolicy({ ...rulesFromWire(request.rules), requiredDomains: request.requiredDomains.map(domains.fromWire) });
      ValidationError.throwIfAny(violations);
      const current = await store.currentPolicy();
      if ((current?.version ?? 0) !== request.expectedVersion) {
        throw new ConflictError(`the current policy is version ${current?.version ?? 0}, not ${request.expectedVersion}`);
      }
      const policy = { version: request.expectedVersion + 1, rules: rules!, requiredDomains: requiredDomains!, createdBy: caller.subject, createdAt: now() };
      if (!(await store.insertPolicy(policy))) throw new ConflictError(`policy version ${policy.version} was written meanwhile`);
      // A new policy re-determines every open case, and each records the version it used.
      for (const id of await store.openCaseIds()) await recompute(id);
      return { policy: policyToWire(policy) };
    }),

    getThresholdPolicy: unary(kit, async (request: v1.GetThresholdPolicyRequest, { caller }) => {
      requireRole(caller, 'policy-admin', 'designation-authority', 'auditor');
      requireClearance(caller, POLICY_MARKING);
      const policy = request.version === 0 ? await store.currentPolicy() : await store.policy(request.version);
      if (!policy) throw new NotFoundError(request.version === 0 ? 'no threshold policy yet' : `no policy version ${request.version}`);
      return { policy: policyToWire(policy) };
    }),

    requestConsultation: unary(kit, async (request: v1.RequestConsultationRequest, { caller }) => {
      requireRole(caller, 'designation-authority');
      requireClearance(caller, 'SECRET');
      const c = await loadCase(request.caseId);
      const at = now();
      const deadline = request.deadlineTime ?? new Date(at.getTime() + deps.consultationDays * 86_400_000);
      const next = { ...requestConsultation(c, deps.consultees, deadline, caller.subject, at), revision: c.revision + 1, updatedAt: at };
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['consultation', 'requested'], at)]), caller.clearance) };
    }),

    recordConsultationView: unary(kit, async (request: v1.RecordConsultationViewRequest, { caller }) => {
      requireRole(caller, 'consultee');
      requireClearance(caller, 'SECRET');
      const violations: FieldViolation[] = [];
      const view = views.fromWire(request.view);
      if (!view) violations.push({ field: 'view', description: 'must be concur, non_concur or comments' });
      const comments = text(violations, 'comments', request.comments, 10_000, view === 'comments');
      ValidationError.throwIfAny(violations);
      const c = await loadCase(request.caseId);
      const at = now();
      const next = { ...recordView(c, caller.agency, view!, comments, caller.subject, at), revision: c.revision + 1, updatedAt: at };
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['consultation', 'recorded'], at)]), caller.clearance) };
    }),

    issueDecision: unary(kit, async (request: v1.IssueDecisionRequest, { caller }) => {
      requireRole(caller, 'designation-authority');
      requireClearance(caller, 'SECRET');
      const violations: FieldViolation[] = [];
      const outcome = outcomes.fromWire(request.outcome);
      if (!outcome) violations.push({ field: 'outcome', description: 'must be covered or not_covered' });
      const rationale = text(violations, 'rationale', request.rationale, 20_000, true);
      if (!request.effectiveTime) violations.push({ field: 'effective_time', description: 'is required' });
      ValidationError.throwIfAny(violations);
      const c = await loadCase(request.caseId);
      const policy = await store.currentPolicy();
      const at = now();
      const decided = decide(c, { outcome: outcome!, rationale, effectiveAt: request.effectiveTime!, actor: caller.subject, now: at, policyVersion: policy?.version ?? 0 });
      const next = { ...decided, revision: c.revision + 1, updatedAt: at };
      return { case: caseToWire(await save(next, c, [caseEvent(next, ['decision', 'issued'], at)]), caller.clearance) };
    }),

    releaseAssessment: unary(kit, async (request: v1.ReleaseAssessmentRequest, { caller }) => {
      requireRole(caller, 'designation-authority');
      const c = await loadCase(request.caseId);
      assertReleasable(c);
      const at = now();
      const assessment = releasableAssessment(c, at);
      const next = { ...c, releasedAt: at, revision: c.revision + 1, updatedAt: at };
      await save(next, c, [assessmentEvent(assessment, next.revision, at)]);
      return { assessment: assessmentToWire(assessment) };
    }),

    getReleasableAssessment: unary(kit, async (request: v1.GetReleasableAssessmentRequest, { caller }) => {
      const c = await store.getCase(caseId(request.caseId));
      if (hasRole(caller, 'developer') && !hasRole(caller, ...GOVERNMENT_ROLES)) assertOwnOrganization(c, caller.organization, request.caseId);
      else if (!hasRole(caller, ...GOVERNMENT_ROLES)) throw new PermissionDeniedError('requires the developer role or a government role');
      if (!c || !c.releasedAt || !c.decision) throw new NotFoundError(`no assessment released for case ${request.caseId}`);
      return { assessment: assessmentToWire(releasableAssessment(c, c.releasedAt)) };
    }),
  };

  return { name: 'rampart.designation.v1.DesignationService', definition: v1.DesignationServiceService, implementation, protoFile: 'rampart/designation/v1/designation.proto' };
}
