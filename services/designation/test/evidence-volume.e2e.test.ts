/**
 * Determinations consider every evidence item of a case, however many: with 1,001 items below
 * the level of concern already stored, the 1,002nd (the decisive one) still decides. The basis
 * the API shows is bounded, with the count of what it leaves out.
 */
import { v7 as uuidv7 } from 'uuid';
import { designationV1 as v1 } from '@rampart/proto';
import { sharedServers } from '@rampart/testing';
import type { Evidence } from '../src/domain/evidence';
import { MAX_BASIS } from '../src/domain/policy';
import { DesignationStore } from '../src/store';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const D = v1.CapabilityDomain;
const L = v1.DeterminationLevel;
const C = v1.Comparison;
let store: DesignationStore;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  await h.start();
  store = await DesignationStore.open(sharedServers().mongodbUri, h.database);
  Object.assign(tokens, await h.cast());
  await h.call('putThresholdPolicy', {
    expectedVersion: 0,
    requiredDomains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
    rules: [{ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, atOrAbove: [{ metric: 'solve_rate', comparison: C.COMPARISON_GREATER_OR_EQUAL, value: 0.9 }], cannotRuleOut: [] }],
  }, tokens.admin!);
}, 120_000);
afterAll(async () => {
  await store?.close();
  await h.stop();
});

function suiteResult(caseId: string, value: number): Evidence {
  return {
    id: uuidv7(), caseId, kind: 'suite_result', domains: ['exploit_development'], countedMetrics: ['solve_rate'],
    metrics: [{ scorer: 'Cybench', name: 'solve_rate', value }], suiteName: 'Cybench', suiteVersion: '2.1', totalSamples: 40,
    sha256: '0'.repeat(64), sizeBytes: 100, marking: 'SECRET', recordedBy: 'evaluator@nsa', recordedAt: new Date(),
  };
}

it('decides on the 1,002nd evidence item when 1,001 are stored before it, showing a bounded basis', async () => {
  const caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditor!);
  // 1,000 items below the threshold, stored as the service stores them (ids in time order, so
  // every one of them sorts before the item recorded next).
  const below = Array.from({ length: 1_000 }, () => suiteResult(caseId, 0.1));
  for (let i = 0; i < below.length; i += 100) await Promise.all(below.slice(i, i + 100).map((e, j) => store.insertEvidence(e, [], i + j)));

  // One more below: the case counts all 1,001, and shows a bounded basis and how many it left out.
  await h.call('recordSuiteResult', {
    caseId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.5, sampleCount: 40,
  }, tokens.evaluator!);
  const below1001 = (await h.call<v1.GetCaseResponse>('getCase', { caseId }, tokens.auditor!)).case!.determinations[0]!;
  expect(below1001).toMatchObject({ level: L.DETERMINATION_LEVEL_BELOW, omittedBasisCount: 1_001 - MAX_BASIS });
  expect(below1001.basis).toHaveLength(MAX_BASIS);
  expect(below1001.basis[0]).toMatchObject({ value: 0.5, threshold: 0.9, level: L.DETERMINATION_LEVEL_BELOW }); // the nearest call first

  const { evidence } = await h.call<v1.RecordSuiteResultResponse>('recordSuiteResult', {
    caseId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.95, sampleCount: 40,
  }, tokens.evaluator!);
  expect(below.every((e) => e.id < evidence!.id)).toBe(true);

  const c = (await h.call<v1.GetCaseResponse>('getCase', { caseId }, tokens.auditor!)).case!;
  expect(c.determinations).toHaveLength(1);
  expect(c.determinations[0]).toMatchObject({ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, level: L.DETERMINATION_LEVEL_AT_OR_ABOVE, policyVersion: 1, omittedBasisCount: 0 });
  expect(c.determinations[0]!.basis.map((b) => b.evidenceId)).toEqual([evidence!.id]);
}, 120_000);
