/**
 * Determinations consider every evidence item of a case, however many: with 1,000 items below
 * the level of concern already stored, the 1,001st (the decisive one) still decides.
 */
import { v7 as uuidv7 } from 'uuid';
import { designationV1 as v1 } from '@rampart/proto';
import { sharedServers } from '@rampart/testing';
import type { Evidence } from '../src/domain/evidence';
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

it('decides on the 1,001st evidence item when 1,000 are stored before it', async () => {
  const caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditor!);
  // 1,000 items below the threshold, stored as the service stores them (ids in time order, so
  // every one of them sorts before the item recorded next).
  const below = Array.from({ length: 1_000 }, () => suiteResult(caseId, 0.1));
  for (let i = 0; i < below.length; i += 100) await Promise.all(below.slice(i, i + 100).map((e) => store.insertEvidence(e, [])));

  const { evidence } = await h.call<v1.RecordSuiteResultResponse>('recordSuiteResult', {
    caseId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'solve_rate', value: 0.95, sampleCount: 40,
  }, tokens.evaluator!);
  expect(below.every((e) => e.id < evidence!.id)).toBe(true);

  const c = (await h.call<v1.GetCaseResponse>('getCase', { caseId }, tokens.auditor!)).case!;
  expect(c.determinations).toHaveLength(1);
  expect(c.determinations[0]).toMatchObject({ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, level: L.DETERMINATION_LEVEL_AT_OR_ABOVE, policyVersion: 1 });
  expect(c.determinations[0]!.basis.map((b) => b.evidenceId)).toEqual([evidence!.id]);
}, 120_000);
