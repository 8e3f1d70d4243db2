/**
 * A new threshold policy re-determines every open case, from designation's own
 * `rampart.designation.policy.changed` event: completely (however many open cases), idempotently
 * (a redelivered event changes nothing) and resumably (a crash midway is finished after restart).
 */
import { randomUUID } from 'node:crypto';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { designationV1 as v1 } from '@rampart/proto';
import { readStream, sharedServers, waitFor } from '@rampart/testing';
import type { Case } from '../src/domain/case';
import { DesignationStore } from '../src/store';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const D = v1.CapabilityDomain;
const L = v1.DeterminationLevel;
const C = v1.Comparison;
const OPEN_CASES = 250;
const POLICY_CONSUMER = 'designation-policy-recompute';
let store: DesignationStore;
const tokens: Record<string, string> = {};
const withEvidence: string[] = [];
let withdrawn: string;

function policyRequest(expectedVersion: number, atOrAbove: number, required: v1.CapabilityDomain[]) {
  return {
    expectedVersion,
    requiredDomains: required,
    rules: [
      { domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, atOrAbove: [{ metric: 'solve_rate', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: atOrAbove }], cannotRuleOut: [{ metric: 'solve_rate', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: 0.5 }] },
      { domain: D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY, atOrAbove: [{ metric: 'solve_rate', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: 0.9 }], cannotRuleOut: [] },
    ],
  };
}
const EXPLOIT = [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT];
const BOTH = [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY];

/** Every open case as stored, by id. */
async function openCases(): Promise<Map<string, Case & { _id: string }>> {
  const docs = await h.db.collection<Case & { _id: string }>('designation_cases').find({ status: 'evaluating' }).toArray();
  return new Map(docs.map((d) => [d._id, d]));
}

const classifiedEvents = async () => (await readStream(h.jsm, 'DESIGNATION_CLASSIFIED'));
const policyChanged = async (version: number) => (await classifiedEvents()).find((m) => m.subject === 'rampart.designation.policy.changed' && m.event.data.version === version);
/** Every event the cases wrote has been published. */
const outboxesDrained = () => waitFor('every case event published', async () =>
  (await h.db.collection<{ outbox: unknown[] }>('designation_cases').find({}, { projection: { outbox: 1 } }).toArray()).every((d) => d.outbox.length === 0));

beforeAll(async () => {
  await h.start();
  store = await DesignationStore.open(sharedServers().mongodbUri, h.database);
  Object.assign(tokens, await h.cast());
  await h.call('putThresholdPolicy', policyRequest(0, 0.9, EXPLOIT), tokens.admin!);

  // Three cases from intake with evidence that v1 grades CANNOT_RULE_OUT, one withdrawn ...
  for (let i = 0; i < 3; i++) {
    const id = await h.submit(tokens.acme!);
    await h.waitForCase(id, tokens.auditor!);
    await h.call('recordSuiteResult', { caseId: id, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.6, sampleCount: 40 }, tokens.evaluator!);
    withEvidence.push(id);
  }
  withdrawn = await h.submit(tokens.acme!);
  await h.waitForCase(withdrawn, tokens.auditor!);
  await h.withdraw(tokens.acme!, withdrawn);
  await h.waitForCase(withdrawn, tokens.auditor!, (c) => c.status === v1.CaseStatus.CASE_STATUS_WITHDRAWN);

  // ... and many more open cases without evidence, stored as intake's events would store them.
  const at = new Date();
  const cases = Array.from({ length: OPEN_CASES }, (): Case => ({
    id: randomUUID(), organization: 'initech', modelName: 'Bulk', modelVersion: '1', submissionRevision: 1, status: 'evaluating', revision: 1,
    determinations: [], readyForDecision: false, missingDomains: ['exploit_development'], createdAt: at, updatedAt: at,
  }));
  for (let i = 0; i < cases.length; i += 50) {
    await Promise.all(cases.slice(i, i + 50).map((c) => store.applyIntakeEvent(c.id, randomUUID(), 1, () => ({ next: c, events: [] }))));
  }
}, 180_000);
afterAll(async () => {
  await store?.close();
  await h.stop();
});

it('a new policy version re-determines every open case, from an event that carries the version only', async () => {
  expect((await openCases()).size).toBe(OPEN_CASES + withEvidence.length);
  const withdrawnBefore = (await h.call<v1.GetCaseResponse>('getCase', { caseId: withdrawn }, tokens.auditor!)).case!;

  const { policy } = await h.call<v1.PutThresholdPolicyResponse>('putThresholdPolicy', policyRequest(1, 0.55, BOTH), tokens.admin!);
  expect(policy!.version).toBe(2);

  await waitFor('the policy change event', async () => !!(await policyChanged(2)));
  const changed = await policyChanged(2);
  expect(changed!.event).toMatchObject({ type: 'rampart.designation.policy.changed.v1', subject: '2', data: { version: 2, revision: 2 } });
  expect(Object.keys(changed!.event.data as object).sort()).toEqual(['revision', 'version']);
  expect(Buffer.from(changed!.body).toString()).not.toMatch(/0\.55|solve_rate/);

  await waitFor(`all ${OPEN_CASES + withEvidence.length} open cases under version 2`, async () =>
    [...(await openCases()).values()].every((c) => c.missingDomains.includes('vulnerability_discovery') && c.policyVersion === 2), 60_000, 250);
  for (const id of withEvidence) {
    const c = (await h.call<v1.GetCaseResponse>('getCase', { caseId: id }, tokens.auditor!)).case!;
    expect(c.determinations).toEqual([expect.objectContaining({ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, level: L.DETERMINATION_LEVEL_AT_OR_ABOVE, policyVersion: 2 })]);
    expect(c.missingDomains).toEqual([D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY]);
  }
  const withdrawnAfter = (await h.call<v1.GetCaseResponse>('getCase', { caseId: withdrawn }, tokens.auditor!)).case!;
  expect(withdrawnAfter.revision).toBe(withdrawnBefore.revision);
}, 120_000);

it('a redelivered policy change changes nothing', async () => {
  await outboxesDrained();
  const before = await openCases();
  const eventsBefore = (await classifiedEvents()).length;
  const changed = await policyChanged(2);
  const hdr = natsHeaders();
  hdr.set('content-type', 'application/cloudevents+json');
  const ack = await h.js.publish(changed!.subject, changed!.body, { headers: hdr, msgID: `redelivery-${changed!.seq}` });
  await h.waitForAck('DESIGNATION_CLASSIFIED', POLICY_CONSUMER, ack.seq);

  const after = await openCases();
  expect([...after.values()].map((c) => [c._id, c.revision])).toEqual([...before.values()].map((c) => [c._id, c.revision]));
  // Nothing but the redelivered event itself was added to the stream.
  expect((await classifiedEvents()).length).toBe(eventsBefore + 1);
});

it('a crash midway through is finished after the restart, each case changed once', async () => {
  const total = OPEN_CASES + withEvidence.length;
  await outboxesDrained();
  const lastSeq = (await classifiedEvents()).at(-1)!.seq;
  // Under version 3 a case's determinations say so; one without evidence misses one domain, not two.
  const underVersion3 = (c: Case) => (c.determinations.length ? c.determinations.every((d) => d.policyVersion === 3) : c.missingDomains.length === 1);
  const atVersion3 = async () => [...(await openCases()).values()].filter(underVersion3).length;
  expect(await atVersion3()).toBe(0);

  // Not awaited: where the recompute runs inside the call, the crash must come during the call.
  const put = h.call('putThresholdPolicy', policyRequest(2, 0.58, EXPLOIT), tokens.admin!).catch((e: Error) => e);
  await waitFor('the recompute to start', async () => (await atVersion3()) > 0, 30_000, 20);
  await h.crashAndRestartDesignation();
  expect(await atVersion3()).toBeLessThan(total); // the crash did interrupt it

  await waitFor(`all ${total} open cases under version 3`, async () => (await atVersion3()) === total, 90_000, 250);
  expect(await put).toMatchObject({ policy: { version: 3 } }); // returned once the policy was stored, before the crash
  await outboxesDrained();
  const changes = (await classifiedEvents()).filter((m) => m.seq > lastSeq && m.subject === 'rampart.designation.determination.changed');
  const perCase = new Map<string, number>();
  for (const m of changes) perCase.set(m.event.subject, (perCase.get(m.event.subject) ?? 0) + 1);
  expect(perCase.size).toBe(total);
  expect([...perCase.values()].every((n) => n === 1)).toBe(true);
}, 150_000);
