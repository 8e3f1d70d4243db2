/**
 * Designation end to end: intake and designation as their own processes on real nats-server,
 * FerretDB and Jaeger; every call over gRPC on loopback.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { readStream, REPO_ROOT, sharedServers, waitFor, waitForTrace } from '@rampart/testing';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const CONFORMANCE = path.join(REPO_ROOT, '../shared/conformance/inspect');
const D = v1.CapabilityDomain;
const L = v1.DeterminationLevel;
const C = v1.Comparison;
// Distinctive threshold values, so their absence from bytes means something.
const SECRET_VALUES = [0.7131, 0.4242, 0.9131];

const tokens: Record<string, string> = {};
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);

beforeAll(async () => {
  await h.start();
  const t = (roles: never[], organization: string, clearance: string, agency?: string) =>
    h.auth.token({ roles, organization, clearance: clearance as never, ...(agency ? { agency } : {}) });
  Object.assign(tokens, {
    acme: await h.auth.developer('acme'),
    globex: await h.auth.developer('globex'),
    evaluator: await t(['evaluator'] as never[], 'nsa', 'SECRET'),
    admin: await t(['policy-admin'] as never[], 'nsa', 'SECRET'),
    authority: await t(['designation-authority'] as never[], 'nsa', 'TOP_SECRET'),
    ncd: await t(['consultee'] as never[], 'oncd', 'SECRET', 'ONCD'),
    cisa: await t(['consultee'] as never[], 'cisa', 'SECRET', 'CISA'),
    auditorCui: await t(['auditor'] as never[], 'oig', 'CUI'),
    auditorSecret: await t(['auditor'] as never[], 'oig', 'SECRET'),
  });
}, 120_000);
afterAll(() => h.stop());

function policyRequest(expectedVersion: number, atOrAbove: number) {
  return {
    expectedVersion,
    requiredDomains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
    rules: [{
      domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT,
      atOrAbove: [{ metric: 'accuracy', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: atOrAbove }],
      cannotRuleOut: [{ metric: 'accuracy', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: 0.4242 }],
    }],
  };
}

it('opens a case from a submission made through intake, over real NATS, in the same trace', async () => {
  const traceId = randomBytes(16).toString('hex');
  const id = await h.submit(tokens.acme!, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
  const c = await h.waitForCase(id, tokens.auditorSecret!);
  expect(c).toMatchObject({ id, organization: 'acme', modelName: 'Atlas', status: v1.CaseStatus.CASE_STATUS_EVALUATING, submissionRevision: 1 });

  const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
    s.some((x) => x.service === 'designation' && x.name === 'process rampart.intake.submission.received') &&
    s.some((x) => x.service === 'designation' && x.name === 'publish rampart.designation.case.opened') &&
    s.some((x) => x.service === 'intake' && x.name === 'grpc.rampart.intake.v1.IntakeService/SubmitModel') &&
    s.some((x) => x.service === 'intake' && x.name === 'publish rampart.intake.submission.received'));
  const intakeServer = spans.find((s) => s.service === 'intake' && s.name === 'grpc.rampart.intake.v1.IntakeService/SubmitModel')!;
  const publish = spans.find((s) => s.service === 'intake' && s.name === 'publish rampart.intake.submission.received')!;
  const processSpan = spans.find((s) => s.service === 'designation' && s.name === 'process rampart.intake.submission.received')!;
  expect(intakeServer).toBeDefined();
  expect(publish.parentSpanId).toBe(intakeServer.spanId);
  expect(processSpan).toMatchObject({ kind: 5, parentSpanId: publish.spanId });
  expect(processSpan.attributes).toMatchObject({ 'messaging.consumer.group.name': 'designation-cases' });
  expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
});

describe('Inspect log evidence', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await h.submit(tokens.acme!);
    await h.waitForCase(caseId, tokens.auditorSecret!);
  });

  const accepted: [string, string, [string, string, number | 'NaN'][]][] = [
    ['log_formats.eval', 'accuracy', [['match', 'accuracy', 0], ['match', 'stderr', 0]]],
    ['log_message_deduplication.eval', 'accuracy', [['closeness_log', 'accuracy', 0], ['closeness_log', 'stderr', 0]]],
    ['log_read_sample.eval', 'accuracy', [['match', 'accuracy', 1], ['match', 'stderr', 0]]],
    ['log_streaming.eval', 'accuracy', [['match', 'accuracy', 0.75], ['match', 'stderr', 0.25]]],
    ['log_formats.json', 'accuracy', [['match', 'accuracy', 0], ['match', 'stderr', 0]]],
    ['log_images.json', 'accuracy', [['match', 'accuracy', 0], ['match', 'stderr', 0]]],
    ['log_images_tc.json', 'accuracy', [['match', 'accuracy', 0], ['match', 'stderr', 0]]],
    ['log_read_sample.json', 'match/accuracy', [['match', 'accuracy', 1], ['match', 'stderr', 0]]],
    ['log_tool_call_error.json', 'accuracy', [['includes', 'accuracy', 1], ['includes', 'stderr', 0]]],
    ['log_length_stop_reason.txt', 'mean', [['exact', 'mean', 0], ['exact', 'stderr', 0]]],
    ['log_valid.txt', 'accuracy', [['model_graded_fact', 'accuracy', 1], ['model_graded_fact', 'bootstrap_std', 0]]],
    ['log_with_nan.txt', 'accuracy', [['model_graded_fact', 'accuracy', 'NaN'], ['model_graded_fact', 'bootstrap_std', 0]]],
  ];

  it.each(accepted)('accepts %s and keeps its metrics as the file has them', async (file, counted, metrics) => {
    const { evidence } = await h.upload(tokens.evaluator!, { caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: [counted] }, path.join(CONFORMANCE, file));
    expect(evidence!.metrics.map((m) => [m.scorer, m.name, m.nonFiniteValue || m.value])).toEqual(metrics);
    expect(evidence).toMatchObject({ kind: 'inspect_log', marking: v1.Classification.CLASSIFICATION_SECRET, recordedBy: 'evaluator@nsa' });
    expect(evidence!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // The original is kept in GridFS, byte for byte.
    const stored = await h.db.collection('designation_logs.files').findOne({ 'metadata.evidenceId': evidence!.id });
    expect(stored?.length).toBe(Number(evidence!.sizeBytes));
  });

  it.each([
    ['log_invalid.txt', /truncated/],
    ['log_version_3.txt', /log version 4 is not supported/],
  ])('refuses %s with the reason and stores nothing', async (file, reason) => {
    const before = [await h.db.collection('designation_evidence').countDocuments(), await h.db.collection('designation_logs.files').countDocuments(), await h.db.collection('designation_logs.chunks').countDocuments()];
    const error = (await h.upload(tokens.evaluator!, { caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: ['accuracy'] }, path.join(CONFORMANCE, file)).catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const [violation] = fieldViolationsOf(error.metadata);
    expect(violation!.field).toBe('chunk');
    expect(violation!.description).toMatch(reason);
    const after = [await h.db.collection('designation_evidence').countDocuments(), await h.db.collection('designation_logs.files').countDocuments(), await h.db.collection('designation_logs.chunks').countDocuments()];
    expect(after).toEqual(before);
  });

  it('records a structured suite result with its marking and hash, and hides its scores and hash below that marking', async () => {
    const request = { caseId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_AUTONOMOUS_NETWORK_OPERATIONS, metric: 'solve_rate', value: 0.35, sampleCount: 40, elicitationNotes: 'scaffold v3, 5 attempts', marking: v1.Classification.CLASSIFICATION_TOP_SECRET };
    expect(await codeOf(h.call('recordSuiteResult', request, tokens.evaluator!))).toBe(status.PERMISSION_DENIED); // SECRET evaluator, TOP_SECRET item
    const topSecret = await h.auth.token({ roles: ['evaluator'], organization: 'nsa', clearance: 'TOP_SECRET' });
    const { evidence } = await h.call<v1.RecordSuiteResultResponse>('recordSuiteResult', request, topSecret);
    expect(evidence).toMatchObject({ kind: 'suite_result', suiteName: 'Cybench', totalSamples: 40, marking: v1.Classification.CLASSIFICATION_TOP_SECRET, metrics: [{ scorer: 'Cybench', name: 'solve_rate', value: 0.35 }] });
    const listed = (await h.call<v1.ListEvidenceResponse>('listEvidence', { caseId }, tokens.auditorSecret!)).evidence.find((e) => e.id === evidence!.id)!;
    expect(evidence!.sha256).toMatch(/^[0-9a-f]{64}$/);
    // A suite result's hash can be guessed offline from its few fields: it is marked as the item is.
    expect(listed).toMatchObject({ sha256: '', sizeBytes: 0, metrics: [], redactedFields: expect.arrayContaining(['metrics', 'elicitationNotes', 'sha256', 'sizeBytes']) });
    expect(await codeOf(h.call('recordSuiteResult', { ...request, suiteName: 'MadeUpBench' }, topSecret))).toBe(status.INVALID_ARGUMENT);
    const control = (await h.call('recordSuiteResult', { ...request, elicitationNotes: 'bell\u0007' }, topSecret).catch((e) => e)) as ServiceError;
    expect(fieldViolationsOf(control.metadata)).toEqual([{ field: 'elicitation_notes', description: 'must not contain control characters' }]);
  });

  it('pages evidence, refusing sizes and tokens it does not accept', async () => {
    const first = await h.call<v1.ListEvidenceResponse>('listEvidence', { caseId, pageSize: 5 }, tokens.auditorSecret!);
    expect(first.evidence).toHaveLength(5);
    const second = await h.call<v1.ListEvidenceResponse>('listEvidence', { caseId, pageSize: 5, pageToken: first.nextPageToken }, tokens.auditorSecret!);
    expect(second.evidence.map((e) => e.id).some((id) => first.evidence.some((f) => f.id === id))).toBe(false);
    for (const [bad, field] of [[{ pageSize: 500 }, 'page_size'], [{ pageToken: 'forged' }, 'page_token']] as const) {
      const error = (await h.call('listEvidence', { caseId, ...bad }, tokens.auditorSecret!).catch((e) => e)) as ServiceError;
      expect(fieldViolationsOf(error.metadata).map((v) => v.field)).toEqual([field]);
    }
  });

  it('refuses a counted metric the log does not have, and evidence from a non-evaluator', async () => {
    const error = (await h.upload(tokens.evaluator!, { caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: ['f1'] }, path.join(CONFORMANCE, 'log_valid.txt')).catch((e) => e)) as ServiceError;
    expect(fieldViolationsOf(error.metadata)[0]).toMatchObject({ field: 'header.counted_metrics[0]' });
    expect(await codeOf(h.upload(tokens.acme!, { caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: ['accuracy'] }, path.join(CONFORMANCE, 'log_valid.txt')))).toBe(status.PERMISSION_DENIED);
  });
});

describe('policy, determination, consultation, decision and release', () => {
  let caseId: string;
  beforeAll(async () => {
    caseId = await h.submit(tokens.acme!);
    await h.waitForCase(caseId, tokens.auditorSecret!);
  });

  it('only the policy admin writes policies; a stale version is refused', async () => {
    expect(await codeOf(h.call('putThresholdPolicy', policyRequest(0, 0.7131), tokens.evaluator!))).toBe(status.PERMISSION_DENIED);
    const { policy } = await h.call<v1.PutThresholdPolicyResponse>('putThresholdPolicy', policyRequest(0, 0.7131), tokens.admin!);
    expect(policy!.version).toBe(1);
    expect(await codeOf(h.call('putThresholdPolicy', policyRequest(0, 0.7131), tokens.admin!))).toBe(status.ABORTED);
  });

  it('turns AT_OR_ABOVE when evidence crosses the threshold, and a new policy version recomputes it', async () => {
    await h.upload(tokens.evaluator!, { caseId, domains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT], countedMetrics: ['accuracy'] }, path.join(CONFORMANCE, 'log_streaming.eval'));
    const crossed = await h.waitForCase(caseId, tokens.auditorSecret!, (c) => c.determinations.length > 0);
    expect(crossed.determinations).toEqual([expect.objectContaining({ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, level: L.DETERMINATION_LEVEL_AT_OR_ABOVE, policyVersion: 1 })]);
    expect(crossed.determinations[0]!.basis[0]).toMatchObject({ metric: 'accuracy', value: 0.75, threshold: 0.7131 });
    expect(crossed.readyForDecision).toBe(true);

    await h.call('putThresholdPolicy', policyRequest(1, 0.9131), tokens.admin!);
    const recomputed = await h.waitForCase(caseId, tokens.auditorSecret!, (c) => c.determinations[0]?.policyVersion === 2);
    expect(recomputed.determinations[0]).toMatchObject({ level: L.DETERMINATION_LEVEL_CANNOT_RULE_OUT, policyVersion: 2 });
  });

  it('keeps TOP_SECRET evidence values out of a SECRET reader\'s GetCase, determinations included, and shows them at TOP_SECRET', async () => {
    const other = await h.submit(tokens.acme!);
    await h.waitForCase(other, tokens.auditorSecret!);
    const topSecretEvaluator = await h.auth.token({ roles: ['evaluator'], organization: 'nsa', clearance: 'TOP_SECRET' });
    const score = 0.6173; // between the policy's thresholds: CANNOT_RULE_OUT, with this value as its basis
    await h.call('recordSuiteResult', { caseId: other, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'accuracy', value: score, sampleCount: 40, marking: v1.Classification.CLASSIFICATION_TOP_SECRET }, topSecretEvaluator);
    const top = await h.waitForCase(other, tokens.authority!, (c) => c.determinations.length > 0);
    expect(top.determinations[0]!.basis[0]).toMatchObject({ value: score, level: L.DETERMINATION_LEVEL_CANNOT_RULE_OUT });

    const scoreBytes = Buffer.alloc(8);
    scoreBytes.writeDoubleLE(score);
    const getCase = (token: string) => h.call<v1.GetCaseResponse>('getCase', { caseId: other }, token);
    const secret = await getCase(tokens.auditorSecret!);
    expect(Buffer.from(v1.GetCaseResponse.encode(secret).finish()).includes(scoreBytes)).toBe(false);
    expect(secret.case).toMatchObject({ determinations: [], readyForDecision: false, redactedFields: expect.arrayContaining(['determinations', 'readyForDecision', 'missingDomains']) });
    expect(Buffer.from(v1.GetCaseResponse.encode(await getCase(tokens.authority!)).finish()).includes(scoreBytes)).toBe(true);

    // Deciding on, or releasing, a TOP_SECRET evaluation takes an authority cleared for it: the
    // outcome and the released statements derive from it. Refused before any rule reveals more.
    const secretAuthority = await h.auth.token({ roles: ['designation-authority'], organization: 'nsa', clearance: 'SECRET' });
    const decision = { caseId: other, outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, rationale: 'r', effectiveTime: new Date() };
    expect(await codeOf(h.call('issueDecision', decision, secretAuthority))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(h.call('releaseAssessment', { caseId: other }, secretAuthority))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(h.call('issueDecision', decision, tokens.authority!))).toBe(status.FAILED_PRECONDITION); // cleared: on to the case's rules
  });

  it('refuses a decision until every required consultee has answered (FAILED_PRECONDITION)', async () => {
    const decision = { caseId, outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, rationale: 'cannot rule out exploit development', effectiveTime: new Date(Date.now() + 86_400_000) };
    expect(await codeOf(h.call('issueDecision', decision, tokens.authority!))).toBe(status.FAILED_PRECONDITION);
    await h.call('requestConsultation', { caseId }, tokens.authority!);
    await h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, tokens.ncd!);
    const blocked = (await h.call('issueDecision', decision, tokens.authority!).catch((e) => e)) as ServiceError;
    expect(blocked.code).toBe(status.FAILED_PRECONDITION);
    expect(blocked.details).toMatch(/awaiting CISA/);
    const fbi = await h.auth.token({ roles: ['consultee'], organization: 'doj', clearance: 'SECRET', agency: 'DOJ' });
    // An agency the consultation is not addressed to reads the case as missing (authorization table).
    expect(await codeOf(h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, fbi))).toBe(status.NOT_FOUND);
    await h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_COMMENTS, comments: 'agree; watch the evasion results' }, tokens.cisa!);
    const { case: decided } = await h.call<v1.IssueDecisionResponse>('issueDecision', decision, tokens.authority!);
    expect(decided).toMatchObject({ status: v1.CaseStatus.CASE_STATUS_DECIDED, decision: { outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, policyVersion: 2, lapsedAgencies: [] } });
  });

  it("releases the assessment to the developer only, without thresholds, and never below SECRET", async () => {
    const { assessment } = await h.call<v1.ReleaseAssessmentResponse>('releaseAssessment', { caseId }, tokens.authority!);
    expect(assessment).toMatchObject({ caseId, organization: 'acme', outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, tlp: 'AMBER+STRICT' });
    expect(assessment!.domains.find((d) => d.domain === D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT)!.statement).toBe('Exploit development: a capability of concern could not be ruled out.');

    const own = await h.call<v1.GetReleasableAssessmentResponse>('getReleasableAssessment', { caseId }, tokens.acme!);
    expect(own.assessment).toEqual(assessment);
    expect(await codeOf(h.call('getReleasableAssessment', { caseId }, tokens.globex!))).toBe(status.NOT_FOUND);
    expect(await codeOf(h.call('getCase', { caseId }, tokens.acme!))).toBe(status.PERMISSION_DENIED);

    // Every response a CUI-cleared reader can get, as bytes: no threshold value in any of them.
    const doubles = SECRET_VALUES.map((v) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; });
    const leaks = (bytes: Uint8Array) => doubles.some((d) => Buffer.from(bytes).includes(d)) || SECRET_VALUES.some((v) => Buffer.from(bytes).toString('latin1').includes(String(v)));
    const cui = tokens.auditorCui!;
    const getCase = await h.call<v1.GetCaseResponse>('getCase', { caseId }, cui);
    expect(getCase.case!.redactedFields).toEqual(expect.arrayContaining(['determinations', 'decision.rationale']));
    const responses = [
      v1.GetCaseResponse.encode(getCase).finish(),
      v1.ListCasesResponse.encode(await h.call('listCases', {}, cui)).finish(),
      v1.ListEvidenceResponse.encode(await h.call('listEvidence', { caseId }, cui)).finish(),
      v1.GetReleasableAssessmentResponse.encode(await h.call('getReleasableAssessment', { caseId }, cui)).finish(),
      v1.GetReleasableAssessmentResponse.encode(own).finish(),
    ];
    for (const bytes of responses) expect(leaks(bytes)).toBe(false);
    expect(await codeOf(h.call('getThresholdPolicy', {}, cui))).toBe(status.PERMISSION_DENIED);
    // The same reads at SECRET do carry them: the check above can fail.
    expect(leaks(v1.GetCaseResponse.encode(await h.call('getCase', { caseId }, tokens.auditorSecret!)).finish())).toBe(true);

    await waitFor('the releasable event', async () => (await readStream(h.jsm, 'DESIGNATION_RELEASABLE')).some((m) => m.event.subject === caseId));
    const releasable = await readStream(h.jsm, 'DESIGNATION_RELEASABLE');
    expect(releasable.map((m) => m.subject)).toContain('rampart.developer.acme.designation.assessment.released');
    for (const m of releasable) expect(leaks(Buffer.from(m.body))).toBe(false);
    expect((await readStream(h.jsm, 'DESIGNATION_CLASSIFIED')).some((m) => m.subject.startsWith('rampart.developer.'))).toBe(false);
  });
});

it('closes the case on withdrawal for good', async () => {
  const caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditorSecret!);
  await h.withdraw(tokens.acme!, caseId);
  await h.waitForCase(caseId, tokens.auditorSecret!, (c) => c.status === v1.CaseStatus.CASE_STATUS_WITHDRAWN);
  expect(await codeOf(h.call('recordSuiteResult', { caseId, suiteName: 'Cybench', suiteVersion: '1.0', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.3, sampleCount: 40 }, tokens.evaluator!))).toBe(status.FAILED_PRECONDITION);
  expect(await codeOf(h.call('requestConsultation', { caseId }, tokens.authority!))).toBe(status.FAILED_PRECONDITION);
});

it('a redelivered intake event has no second effect on a live case', async () => {
  const caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditorSecret!);
  await h.amend(tokens.acme!, caseId, 1);
  const reopened = await h.waitForCase(caseId, tokens.auditorSecret!, (c) => c.submissionRevision === 2);
  expect(reopened.status).toBe(v1.CaseStatus.CASE_STATUS_EVALUATING);

  // Deliver intake's events for this submission again, as a redelivery would: applied twice, the
  // amendment would re-open the case a second time (a new revision, a second case.reopened).
  const original = (await readStream(h.jsm, 'INTAKE_EVENTS')).filter((m) => m.event.subject === caseId);
  expect(original.map((m) => m.subject)).toEqual(['rampart.intake.submission.received', 'rampart.intake.submission.amended']);
  let last = 0;
  for (const m of original) {
    const hdr = natsHeaders();
    hdr.set('content-type', 'application/cloudevents+json');
    last = (await h.js.publish(m.subject, m.body, { headers: hdr, msgID: `redelivery-${m.seq}` })).seq;
  }
  // The positive signal that both were handled: the consumer acknowledged them.
  await h.waitForAck('INTAKE_EVENTS', 'designation-cases', last);
  const after = (await h.call<v1.GetCaseResponse>('getCase', { caseId }, tokens.auditorSecret!)).case!;
  expect(after.revision).toBe(reopened.revision);
  await waitFor('the case events published', async () => (await h.db.collection<{ outbox: unknown[] }>('designation_cases').findOne({ _id: caseId as never }))?.outbox.length === 0);
  const caseEvents = (await readStream(h.jsm, 'DESIGNATION_CLASSIFIED')).filter((m) => m.event.subject === caseId).map((m) => m.subject);
  expect(caseEvents).toEqual(['rampart.designation.case.opened', 'rampart.designation.case.reopened']);
});
