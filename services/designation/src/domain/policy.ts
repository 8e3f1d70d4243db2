/**
 * Threshold policies and the preliminary determination they yield.
 *
 * Rule form, per capability domain: two lists of thresholds, `atOrAbove` and `cannotRuleOut`, each
 * `{metric, comparison, value}`. For every evidence item attached to the domain, each of its
 * counted metrics is compared with the thresholds naming that metric:
 * - meeting an `atOrAbove` threshold makes the item AT_OR_ABOVE;
 * - else meeting a `cannotRuleOut` threshold, or a counted metric that is not a finite number
 *   (NaN or Infinity from an Inspect log), makes it CANNOT_RULE_OUT;
 * - else the item is BELOW.
 * Items combine by taking the most severe. A domain with no evidence has no determination, and a
 * case is ready for decision only when every required domain has evidence. Every determination
 * records the policy version it used and the evidence metrics that decided it (its basis).
 *
 * The basis is bounded (MAX_BASIS entries, and a count of the rest), whatever the case holds: a
 * case is one document, saved (and claimed) on every item, so a basis that grew with its items
 * would make each upload cost more than the last and, at some 80,000 items, pass MongoDB's 16 MB
 * document limit. It keeps the metrics that decide the level: at AT_OR_ABOVE or CANNOT_RULE_OUT,
 * the first that reached it; at BELOW, the nearest to a threshold (the closest calls), each with
 * the threshold it came nearest to. The level and the marking still count every metric and item.
 *
 * Markings: the evaluation (determinations, missing domains, readiness) derives from the SECRET
 * policy and from every evidence item of the case, so it carries the highest of their markings.
 * Every item counts, not only a domain's own: an item's domains decide where it counts, so which
 * domains have a determination, and at what marking, would otherwise tell a lower reader where a
 * higher item sits.
 */
import { highestMarking, type Marking } from '@rampart/auth';
import { CAPABILITY_DOMAINS, moreSevere, type CapabilityDomain, type DeterminationLevel } from './capability';
import { countedMetricsOf, type Evidence, type EvidenceDomains } from './evidence';

export const COMPARISONS = ['gte', 'gt', 'lte', 'lt'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export interface Threshold {
  metric: string;
  comparison: Comparison;
  value: number;
}

export interface DomainRule {
  domain: CapabilityDomain;
  atOrAbove: Threshold[];
  cannotRuleOut: Threshold[];
}

export interface ThresholdPolicy {
  version: number;
  rules: DomainRule[];
  requiredDomains: CapabilityDomain[];
  createdBy: string;
  createdAt: Date;
}

/** Policies are SECRET: their thresholds never reach a lower clearance. */
export const POLICY_MARKING = 'SECRET' as const satisfies Marking;

/** An evidence metric as the policy sees it; `value` may be NaN or infinite. */
export interface CountedMetric {
  evidenceId: string;
  domains: CapabilityDomain[];
  /** Names the metric answers to: "accuracy" and "scorer/accuracy". */
  names: string[];
  value: number;
}

export interface Basis {
  evidenceId: string;
  metric: string;
  value: number;
  /** The threshold met; at BELOW, the one the value came nearest to (none when no threshold names the metric). */
  comparison?: Comparison;
  threshold?: number;
  level: DeterminationLevel;
}

/** The most basis entries a determination keeps (see above). */
export const MAX_BASIS = 20;

export interface Determination {
  domain: CapabilityDomain;
  level: DeterminationLevel;
  policyVersion: number;
  /** At most MAX_BASIS of the metrics at the determination's level: see above which. */
  basis: Basis[];
  /** How many more metrics at the determination's level it counts than its basis lists. */
  omittedBasis: number;
  /** The highest marking of what it derives from: the policy and the case's evidence items. */
  marking: Marking;
}

/** The marking of what the policy derives from a case's evidence. */
export function evaluationMarking(evidence: EvidenceDomains): Marking {
  return highestMarking(POLICY_MARKING, evidence.marking);
}

export function meets(value: number, t: Threshold): boolean {
  switch (t.comparison) {
    case 'gte': return value >= t.value;
    case 'gt': return value > t.value;
    case 'lte': return value <= t.value;
    case 'lt': return value < t.value;
  }
}

function assess(metric: CountedMetric, rule: DomainRule | undefined): Basis {
  const name = metric.names[0]!;
  if (!Number.isFinite(metric.value)) return { evidenceId: metric.evidenceId, metric: name, value: metric.value, level: 'cannot_rule_out' };
  for (const [level, thresholds] of [['at_or_above', rule?.atOrAbove ?? []], ['cannot_rule_out', rule?.cannotRuleOut ?? []]] as const) {
    const hit = thresholds.find((t) => metric.names.includes(t.metric) && meets(metric.value, t));
    if (hit) return { evidenceId: metric.evidenceId, metric: hit.metric, value: metric.value, comparison: hit.comparison, threshold: hit.value, level };
  }
  return { evidenceId: metric.evidenceId, metric: name, value: metric.value, ...nearestThreshold(metric, rule), level: 'below' };
}

/** Of the thresholds naming the metric, the one its value is nearest to (the first of equals). */
function nearestThreshold(metric: CountedMetric, rule: DomainRule | undefined): Pick<Basis, 'metric' | 'comparison' | 'threshold'> | undefined {
  let nearest: Threshold | undefined;
  for (const t of [...(rule?.atOrAbove ?? []), ...(rule?.cannotRuleOut ?? [])]) {
    if (metric.names.includes(t.metric) && (!nearest || Math.abs(metric.value - t.value) < Math.abs(metric.value - nearest.value))) nearest = t;
  }
  return nearest && { metric: nearest.metric, comparison: nearest.comparison, threshold: nearest.value };
}

/** How close a BELOW entry came to its threshold; the closer, the more it says about the level. */
function distance(b: Basis): number {
  return b.threshold === undefined ? Infinity : Math.abs(b.value - b.threshold);
}

/** The determination of every domain that has evidence, under `policy`. */
export function determine(policy: ThresholdPolicy, metrics: CountedMetric[], evidence: EvidenceDomains): Determination[] {
  const marking = evaluationMarking(evidence);
  const byDomain = new Map<CapabilityDomain, Determination>();
  for (const [domain, items] of evidence.counts) if (items > 0) byDomain.set(domain, undetermined(policy, domain, marking));
  for (const metric of metrics) addMetric(policy, byDomain, metric);
  return [...byDomain.values()].sort((a, b) => a.domain.localeCompare(b.domain));
}

/**
 * `current` (determined under `policy` from earlier items) with `items` added after them: the same
 * determinations as `determine` over all of them, without reading the earlier items again. The
 * per-item fold is what `determine` does too, so the two cannot drift apart.
 */
export function withEvidence(policy: ThresholdPolicy, current: readonly Determination[], items: readonly Evidence[]): Determination[] {
  const marking = highestMarking(POLICY_MARKING, ...current.map((d) => d.marking), ...items.map((e) => e.marking));
  // Bounded copies (MAX_BASIS entries each); the marking is the running highest of every item, counted or not.
  const byDomain = new Map<CapabilityDomain, Determination>(current.map((d) => [d.domain, { ...d, basis: [...d.basis], omittedBasis: d.omittedBasis ?? 0, marking }]));
  for (const item of items) {
    for (const domain of item.domains) if (!byDomain.has(domain)) byDomain.set(domain, undetermined(policy, domain, marking));
    for (const metric of countedMetricsOf(item)) addMetric(policy, byDomain, metric);
  }
  return [...byDomain.values()].sort((a, b) => a.domain.localeCompare(b.domain));
}

/** A domain with evidence and no counted metric yet: BELOW, on no basis. */
function undetermined(policy: ThresholdPolicy, domain: CapabilityDomain, marking: Marking): Determination {
  return { domain, level: 'below', policyVersion: policy.version, basis: [], omittedBasis: 0, marking };
}

/**
 * Adds one counted metric to the determination of each of its domains: the level is the most
 * severe, and the basis keeps what decided it, bounded (see above): above BELOW the first
 * MAX_BASIS in the order they came, at BELOW the MAX_BASIS nearest their thresholds (earlier first
 * among equals). Either is what keeping them all and then choosing would give, so adding items
 * one at a time gives what `determine` gives over all of them.
 */
function addMetric(policy: ThresholdPolicy, byDomain: Map<CapabilityDomain, Determination>, metric: CountedMetric): void {
  for (const domain of metric.domains) {
    const d = byDomain.get(domain);
    if (!d) continue;
    const basis = assess(metric, policy.rules.find((r) => r.domain === domain));
    const level = moreSevere(d.level, basis.level);
    if (level !== d.level) {
      d.level = level;
      d.basis = [];
      d.omittedBasis = 0;
    }
    if (basis.level !== level) continue;
    const at = level === 'below' ? d.basis.findIndex((b) => distance(b) > distance(basis)) : -1;
    if (at < 0) d.basis.push(basis);
    else d.basis.splice(at, 0, basis);
    if (d.basis.length > MAX_BASIS) {
      d.basis.pop();
      d.omittedBasis++;
    }
  }
}

/** The required domains with no evidence: those without a determination. */
export function missingFrom(policy: ThresholdPolicy, determinations: readonly Determination[]): CapabilityDomain[] {
  return policy.requiredDomains.filter((d) => !determinations.some((x) => x.domain === d));
}

export function missingDomains(policy: ThresholdPolicy | undefined, evidence: EvidenceDomains): CapabilityDomain[] {
  return (policy?.requiredDomains ?? []).filter((d) => !evidence.counts.get(d));
}

export interface PolicyInput {
  rules: { domain?: CapabilityDomain; atOrAbove: Partial<Threshold>[]; cannotRuleOut: Partial<Threshold>[] }[];
  requiredDomains: (CapabilityDomain | undefined)[];
}

/** Checks a proposed policy; every violation names its field. */
/** At most one rule per domain, and this many thresholds per list: a longer list is refused whole, unread. */
export const MAX_THRESHOLDS_PER_LIST = 50;

export function validatePolicy(input: PolicyInput): { rules?: DomainRule[]; requiredDomains?: CapabilityDomain[]; violations: { field: string; description: string }[] } {
  const violations: { field: string; description: string }[] = [];
  const domainCount = CAPABILITY_DOMAINS.length;
  if (input.rules.length > domainCount) violations.push({ field: 'rules', description: `must have at most ${domainCount} entries (one per capability domain)` });
  if (input.requiredDomains.length > domainCount) violations.push({ field: 'required_domains', description: `must have at most ${domainCount} entries` });
  if (violations.length > 0) return { violations };
  const seen = new Set<string>();
  input.rules.forEach((rule, i) => {
    if (!rule.domain) violations.push({ field: `rules[${i}].domain`, description: 'must be a capability domain' });
    else if (seen.has(rule.domain)) violations.push({ field: `rules[${i}].domain`, description: `repeats ${rule.domain}` });
    else seen.add(rule.domain);
    for (const list of ['atOrAbove', 'cannotRuleOut'] as const) {
      const wire = list === 'atOrAbove' ? 'at_or_above' : 'cannot_rule_out';
      if (rule[list].length > MAX_THRESHOLDS_PER_LIST) {
        violations.push({ field: `rules[${i}].${wire}`, description: `must have at most ${MAX_THRESHOLDS_PER_LIST} entries` });
        continue;
      }
      rule[list].forEach((t, j) => {
        const at = `rules[${i}].${wire}[${j}]`;
        if (!t.metric || t.metric.length > 200) violations.push({ field: `${at}.metric`, description: 'is required (at most 200 characters)' });
        if (!t.comparison) violations.push({ field: `${at}.comparison`, description: 'must be a comparison' });
        if (typeof t.value !== 'number' || !Number.isFinite(t.value)) violations.push({ field: `${at}.value`, description: 'must be a finite number' });
      });
    }
  });
  if (input.rules.length === 0) violations.push({ field: 'rules', description: 'must have a rule for at least one domain' });
  if (input.requiredDomains.length === 0) violations.push({ field: 'required_domains', description: 'must name at least one domain' });
  input.requiredDomains.forEach((d, i) => {
    if (!d) violations.push({ field: `required_domains[${i}]`, description: 'must be a capability domain' });
    else if (!seen.has(d)) violations.push({ field: `required_domains[${i}]`, description: `has no rule for ${d}` });
  });
  if (violations.length > 0) return { violations };
  return { violations, rules: input.rules as DomainRule[], requiredDomains: input.requiredDomains as CapabilityDomain[] };
}
