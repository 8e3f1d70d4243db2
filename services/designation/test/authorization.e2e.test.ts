/**
 * DesignationService's authorization matrix, cell by cell, against the running services over gRPC:
 * every RPC x every role x every clearance x {own organisation's case, another's, a missing id}.
 * Each allowed cell sends a request that only a caller past authorization can see fail (or succeed)
 * the way it does, and changes nothing. Consultees (scope `addressed`) hold CISA, to which both
 * cases' consultations are addressed, in the own organisation, and DOE, to which none is, in the other.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { bearer } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { checkAuthorizationMatrix, rpcCoverageGaps, outcomeOf, type Probe, type Relation } from '@rampart/testing';
import { AUTHORIZATION } from '../src/domain/authorization';
import { EXPECTED } from './authorization-expectation';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const D = v1.CapabilityDomain;
const missingId = randomUUID();
/** An open case (consulting) and one whose assessment was released; both acme's, both consulting CISA. */
let open = '';
let released = '';

beforeAll(async () => {
  await h.start();
  const t = (role: string, clearance: string, agency?: string) => h.auth.token({ roles: [role as never], organization: 'gov', clearance: clearance as never, ...(agency ? { agency } : {}) });
  const [acme, admin, evaluator, authority, oncd, cisa] = await Promise.all([
    h.auth.developer('acme'), t('policy-admin', 'SECRET'), t('evaluator', 'SECRET'), t('designation-authority', 'SECRET'), t('consultee', 'SECRET', 'ONCD'), t('consultee', 'SECRET', 'CISA'),
  ]);
  await h.call('putThresholdPolicy', {
    expectedVersion: 0, requiredDomains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
    rules: [{ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, atOrAbove: [{ metric: 'solve_rate', comparison: v1.Comparison.COMPARISON_GREATER_OR_EQUAL, value: 0.5 }], cannotRuleOut: [] }],
  }, admin);
  [released, open] = await Promise.all([h.submit(acme), h.submit(acme)]);
  await Promise.all([h.waitForCase(released, authority), h.waitForCase(open, authority)]);
  await h.call('recordSuiteResult', { caseId: released, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.6, sampleCount: 40 }, evaluator);
  await h.waitForCase(released, authority, (c) => c.readyForDecision);
  await h.call('requestConsultation', { caseId: released }, authority);
  for (const consultee of [oncd, cisa]) await h.call('recordConsultationView', { caseId: released, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, consultee);
  await h.call('issueDecision', { caseId: released, outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, rationale: 'at or above', effectiveTime: new Date(Date.now() + 86_400_000) }, authority);
  await h.call('releaseAssessment', { caseId: released }, authority);
  await h.call('requestConsultation', { caseId: open }, authority);
}, 180_000);
afterAll(() => h.stop());

const unary = (kind: Probe['kind'], method: Parameters<typeof h.call>[0], request: (relation: Relation) => object, passed: Probe['passed'], extra: Partial<Probe> = {}): Probe => ({
  kind, passed, ...extra,
  call: (token, relation) => outcomeOf(h.call(method, request(relation), token)),
});
const openOr = (relation: Relation) => (relation === 'missing' ? missingId : open);
const DAY = 86_400_000;

const PROBES: Record<string, Probe> = {
  getCase: unary('entity', 'getCase', (r) => ({ caseId: openOr(r) }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  listCases: unary('list', 'listCases', () => ({ pageSize: 100 }), { own: status.OK, other: status.OK }, {
    organizationsIn: (r) => (r as v1.ListCasesResponse).cases.map((c) => c.organization),
    addresseesIn: (r) => (r as v1.ListCasesResponse).cases.map((c) => c.consultation?.entries.map((e) => e.agency) ?? []),
  }),
  // A header naming no counted metric is refused once the caller is authorised and the case found; nothing is stored.
  uploadInspectLog: {
    kind: 'entity', passed: { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.NOT_FOUND },
    call: (token, relation) => outcomeOf(new Promise((resolve, reject) => {
      const call = h.client.uploadInspectLog(bearer(token), (e, r) => (e ? reject(e) : resolve(r)));
      call.write(v1.UploadInspectLogRequest.fromPartial({ part: { $case: 'header', value: v1.InspectLogHeader.fromPartial({ caseId: openOr(relation), domains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT], countedMetrics: [] }) } }));
      call.end();
    })),
  },
  recordSuiteResult: unary('entity', 'recordSuiteResult', (r) => ({ caseId: openOr(r), suiteName: 'MadeUpBench', suiteVersion: '1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.1, sampleCount: 1 }), { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.NOT_FOUND }),
  listEvidence: unary('entity', 'listEvidence', (r) => ({ caseId: openOr(r) }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  putThresholdPolicy: unary('none', 'putThresholdPolicy', () => ({ expectedVersion: 1 }), { own: status.INVALID_ARGUMENT }),
  getThresholdPolicy: unary('none', 'getThresholdPolicy', () => ({}), { own: status.OK }),
  // A deadline in the past is refused by the case's rule, after authorization.
  requestConsultation: unary('entity', 'requestConsultation', (r) => ({ caseId: openOr(r), deadlineTime: new Date(Date.now() - DAY) }), { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  // A view on the decided case is refused by the case's rule, once the case is found in the caller's scope.
  recordConsultationView: unary('entity', 'recordConsultationView', (r) => ({ caseId: r === 'missing' ? missingId : released, view: v1.ConsultationView.CONSULTATION_VIEW_COMMENTS, comments: 'probe' }), { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  issueDecision: unary('entity', 'issueDecision', (r) => ({ caseId: openOr(r), rationale: 'probe', effectiveTime: new Date(Date.now() + DAY) }), { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.INVALID_ARGUMENT }),
  // The open case has no decision to release.
  releaseAssessment: unary('entity', 'releaseAssessment', (r) => ({ caseId: openOr(r) }), { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  getReleasableAssessment: unary('entity', 'getReleasableAssessment', (r) => ({ caseId: r === 'missing' ? missingId : released }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
};

it('probes every RPC of the service, and its table covers every RPC', () => {
  expect(rpcCoverageGaps(v1.DesignationServiceService, { PROBES, AUTHORIZATION: AUTHORIZATION.rpcs, EXPECTED })).toEqual([]);
});

it('answers every cell (role x organisation x clearance x RPC) as DESIGN.md expects', async () => {
  const evidenceBefore = await h.db.collection('designation_evidence').countDocuments();
  const auditor = await h.auth.token({ roles: ['auditor'], organization: 'oig', clearance: 'SECRET' });
  const before = await h.waitForCase(open, auditor);
  const { cells, mismatches } = await checkAuthorizationMatrix({
    expected: EXPECTED,
    probes: PROBES,
    token: (role, organization, clearance, agency) => h.auth.token({ roles: [role], organization, clearance, ...(role === 'consultee' ? { agency } : {}) }),
    agencies: { addressed: 'CISA', other: 'DOE' },
    ownOrganization: 'acme',
    otherOrganization: 'globex',
    ids: [open, released, missingId],
  });
  expect(mismatches).toEqual([]);
  expect(cells).toBeGreaterThan(1_500);
  // No cell changed anything.
  expect(await h.db.collection('designation_evidence').countDocuments()).toBe(evidenceBefore);
  const after = await h.waitForCase(open, auditor);
  expect(after).toMatchObject({ status: v1.CaseStatus.CASE_STATUS_CONSULTING, revision: before.revision });
  expect(after.consultation?.entries.every((e) => !e.view)).toBe(true);
}, 180_000);
