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
 * Markings: the evaluation (determinations, missing domains, readiness) derives from the SECRET
 * policy and from every evidence item of the case, so it carries the highest of their markings.
 * Every item counts, not only a domain's own: an item's domains decide where it counts, so which
 * domains have a determination, and at what marking, would otherwise tell a lower reader where a
 * higher item sits.
 */
import { highestMarking, type Marking } from '@rampart/auth';
import { CAPABILITY_DOMAINS, moreSevere, type CapabilityDomain, type DeterminationLevel } from './capability';
import type { EvidenceDomains } from './evidence';

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
  comparison?: Comparison;
  threshold?: number;
  level: DeterminationLevel;
}

export interface Determination {
  domain: CapabilityDomain;
  level: DeterminationLevel;
  policyVersion: number;
  basis: Basis[];
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
  return { evidenceId: metric.evidenceId, metric: name, value: metric.value, level: 'below' };
}

/** The determination of every domain that has evidence, under `policy`. */
export function determine(policy: ThresholdPolicy, metrics: CountedMetric[], evidence: EvidenceDomains): Determination[] {
  const marking = evaluationMarking(evidence);
  const out: Determination[] = [];
  for (const [domain, items] of evidence.counts) {
    if (items === 0) continue;
    const rule = policy.rules.find((r) => r.domain === domain);
    const bases = metrics.filter((m) => m.domains.includes(domain)).map((m) => assess(m, rule));
    const level = bases.reduce<DeterminationLevel>((worst, b) => moreSevere(worst, b.level), 'below');
    // The basis lists what decided the level (all of them when BELOW).
    out.push({ domain, level, policyVersion: policy.version, basis: bases.filter((b) => b.level === level), marking });
  }
  return out.sort((a, b) => a.domain.localeCompare(b.domain));
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
