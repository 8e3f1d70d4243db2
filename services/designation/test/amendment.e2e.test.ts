/**
 * An amendment re-opens a decided and released case for real: the stored case loses the earlier
 * consultation, decision and release, so neither the decision rule nor the releasable assessment
 * can reuse what was about another revision of the submission.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { designationV1 as v1 } from '@rampart/proto';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const D = v1.CapabilityDomain;
const C = v1.Comparison;
const tokens: Record<string, string> = {};
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);

beforeAll(async () => {
  await h.start();
  Object.assign(tokens, await h.cast());
  await h.call('putThresholdPolicy', {
    expectedVersion: 0,
    requiredDomains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
    rules: [{ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, atOrAbove: [{ metric: 'solve_rate', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: 0.5 }], cannotRuleOut: [] }],
  }, tokens.admin!);
}, 120_000);
afterAll(() => h.stop());

it('an amendment removes the stored consultation, decision and release, so none of them is reused', async () => {
  const caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditor!);
  await h.call('recordSuiteResult', { caseId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.6, sampleCount: 40 }, tokens.evaluator!);
  await h.waitForCase(caseId, tokens.auditor!, (c) => c.readyForDecision);
  await h.call('requestConsultation', { caseId }, tokens.authority!);
  await h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, tokens.oncd!);
  await h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, tokens.cisa!);
  const decision = { caseId, outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, rationale: 'exploit development at or above', effectiveTime: new Date(Date.now() + 86_400_000) };
  await h.call('issueDecision', decision, tokens.authority!);
  await h.call('releaseAssessment', { caseId }, tokens.authority!);
  const cases = h.db.collection('designation_cases');
  expect(await cases.findOne({ _id: caseId as never })).toEqual(expect.objectContaining({ consultation: expect.anything(), decision: expect.anything(), releasedAt: expect.any(Date) }));

  await h.amend(tokens.acme!, caseId, 1);
  const reopened = await h.waitForCase(caseId, tokens.auditor!, (c) => c.submissionRevision === 2);
  // What is stored, not only what is served: the fields are gone from the document.
  const stored = (await cases.findOne({ _id: caseId as never }))!;
  expect(stored).toMatchObject({ status: 'evaluating', submissionRevision: 2 });
  expect(Object.keys(stored).filter((k) => ['consultation', 'decision', 'releasedAt'].includes(k))).toEqual([]);

  expect(reopened).toMatchObject({ status: v1.CaseStatus.CASE_STATUS_EVALUATING, readyForDecision: true });
  expect(reopened.consultation).toBeUndefined();
  expect(reopened.decision).toBeUndefined();

  // The previous consultation's views no longer count, and the old outcome is not served.
  const refused = (await h.call('issueDecision', decision, tokens.authority!).catch((e: ServiceError) => e)) as ServiceError;
  expect(refused.code).toBe(status.FAILED_PRECONDITION);
  expect(refused.details).toMatch(/request consultation before deciding/);
  expect(await codeOf(h.call('getReleasableAssessment', { caseId }, tokens.acme!))).toBe(status.NOT_FOUND);
  expect(await codeOf(h.call('releaseAssessment', { caseId }, tokens.authority!))).toBe(status.FAILED_PRECONDITION);

  // Evaluation goes on from here as for a new case: consult again, decide again.
  await h.call('requestConsultation', { caseId }, tokens.authority!);
  const again = (await h.call<v1.GetCaseResponse>('getCase', { caseId }, tokens.auditor!)).case!;
  expect(again.consultation!.entries.every((e) => e.view === v1.ConsultationView.CONSULTATION_VIEW_UNSPECIFIED)).toBe(true);
});
