/**
 * A case counts a new evidence item by adding it to the determinations it has (withEvidence), not
 * by reading all of its items again: for any policy and any items, split anywhere, that gives
 * exactly what `determine` gives over all of them, basis order and marking included. And the basis
 * stays bounded however many items there are, while the level is still that of every metric and
 * the marking that of every item (a reference grading, written out here, says which).
 */
import fc from 'fast-check';
import { CLEARANCES, highestMarking } from '@rampart/auth';
import { CAPABILITY_DOMAINS, LEVELS, type CapabilityDomain, type DeterminationLevel } from '../src/domain/capability';
import { countedMetricsOf, evidenceByDomain, type Evidence } from '../src/domain/evidence';
import { COMPARISONS, determine, MAX_BASIS, meets, missingDomains, missingFrom, withEvidence, type CountedMetric, type Determination, type ThresholdPolicy } from '../src/domain/policy';

const METRICS = ['accuracy', 'solve_rate'];
const value = fc.oneof({ weight: 9, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity) });
const threshold = fc.record({ metric: fc.constantFrom(...METRICS), comparison: fc.constantFrom(...COMPARISONS), value: fc.double({ min: 0, max: 1, noNaN: true }) });
const policyArb = fc.record({
  rules: fc.uniqueArray(fc.record({ domain: fc.constantFrom(...CAPABILITY_DOMAINS), atOrAbove: fc.array(threshold, { maxLength: 2 }), cannotRuleOut: fc.array(threshold, { maxLength: 2 }) }), { selector: (r) => r.domain, minLength: 1 }),
  requiredDomains: fc.subarray([...CAPABILITY_DOMAINS], { minLength: 1 }),
}).map((p): ThresholdPolicy => ({ ...p, version: 2, createdBy: 'admin', createdAt: new Date(0) }));
const itemArb = fc.record({
  domains: fc.subarray([...CAPABILITY_DOMAINS], { minLength: 1 }),
  metrics: fc.array(fc.record({ name: fc.constantFrom(...METRICS), value, counted: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  marking: fc.constantFrom(...CLEARANCES.filter((c) => c === 'SECRET' || c === 'TOP_SECRET')),
});

function items(specs: fc.infer<typeof itemArb>[]): Evidence[] {
  return specs.map((s, i) => ({
    id: `e${String(i).padStart(3, '0')}`, caseId: 'c', kind: 'suite_result', domains: s.domains,
    countedMetrics: s.metrics.filter((m) => m.counted).map((m) => m.name), metrics: s.metrics.map((m) => ({ scorer: 'suite', name: m.name, value: m.value })),
    sha256: '0'.repeat(64), sizeBytes: 1, marking: s.marking, recordedBy: 'evaluator', recordedAt: new Date(0),
  }));
}

/** Each counted metric of a domain graded on its own, and how near it came to a threshold naming it. */
function graded(policy: ThresholdPolicy, domain: CapabilityDomain, metrics: CountedMetric[]): { evidenceId: string; level: DeterminationLevel; distance: number }[] {
  const rule = policy.rules.find((r) => r.domain === domain);
  return metrics.filter((m) => m.domains.includes(domain)).map((m) => {
    const naming = (list: ThresholdPolicy['rules'][number]['atOrAbove']) => list.filter((t) => m.names.includes(t.metric));
    const level: DeterminationLevel = !Number.isFinite(m.value) ? 'cannot_rule_out'
      : naming(rule?.atOrAbove ?? []).some((t) => meets(m.value, t)) ? 'at_or_above'
        : naming(rule?.cannotRuleOut ?? []).some((t) => meets(m.value, t)) ? 'cannot_rule_out' : 'below';
    const distance = Math.min(Infinity, ...naming([...(rule?.atOrAbove ?? []), ...(rule?.cannotRuleOut ?? [])]).map((t) => Math.abs(m.value - t.value)));
    return { evidenceId: m.evidenceId, level, distance };
  });
}

/** The determination keeps a bounded basis of what decided its level, counts the rest, and is marked by every item. */
function expectBounded(policy: ThresholdPolicy, all: Evidence[], determinations: Determination[]): void {
  const metrics = all.flatMap(countedMetricsOf);
  for (const d of determinations) {
    const grades = graded(policy, d.domain, metrics);
    const level = LEVELS[Math.max(0, ...grades.map((g) => LEVELS.indexOf(g.level)))];
    expect(d.level).toBe(level);
    const atLevel = grades.filter((g) => g.level === level);
    expect(d.basis.length).toBe(Math.min(MAX_BASIS, atLevel.length));
    expect(d.basis.length + d.omittedBasis).toBe(atLevel.length);
    expect(d.basis.every((b) => b.level === level)).toBe(true);
    if (level === 'below') {
      // The nearest calls: no metric left out came nearer than one kept.
      const kept = d.basis.map((b) => (b.threshold === undefined ? Infinity : Math.abs(b.value - b.threshold)));
      expect(kept).toEqual(atLevel.map((g) => g.distance).sort((a, b) => a - b).slice(0, MAX_BASIS));
    } else {
      expect(d.basis.map((b) => b.evidenceId)).toEqual(atLevel.slice(0, MAX_BASIS).map((g) => g.evidenceId));
    }
    expect(d.marking).toBe(highestMarking('SECRET', ...all.map((e) => e.marking)));
  }
}

it('adds items to determinations exactly as determining from all of them, keeping a bounded basis', () => {
  fc.assert(fc.property(policyArb, fc.array(itemArb, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 4 }), (policy, specs, cuts) => {
    const all = items(specs);
    const whole = determine(policy, all.flatMap(countedMetricsOf), evidenceByDomain(all));
    // Added in batches, as recordings come: split at the cuts.
    const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
    let folded = withEvidence(policy, [], []);
    let from = 0;
    for (const to of [...points, all.length]) {
      folded = withEvidence(policy, folded, all.slice(from, to));
      from = Math.max(from, to);
    }
    expect(JSON.stringify(folded)).toEqual(JSON.stringify(whole));
    expect(missingFrom(policy, folded)).toEqual(missingDomains(policy, evidenceByDomain(all)));
    expectBounded(policy, all, whole);
  }), { numRuns: 300 });
});
