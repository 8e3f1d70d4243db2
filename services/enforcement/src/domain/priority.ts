/**
 * A referral's priority, explained: a weighted sum of factors, each 0 to 1, scaled to 0..100. The
 * order (s.4) directs that AI-enabled conduct be prioritised, so its weight is the largest by
 * default. The weights are a versioned policy (like designation's thresholds); every score records
 * the version that made it, so a rescore under a new version is visible as such. Deterministic:
 * the same facts, policy and instant give the same score and factors.
 */
import type { FieldViolation } from '@rampart/errors';
import type { ReferralDetails, Statute } from './referral';

export interface PriorityWeights {
  aiEnabled: number;
  criticalInfrastructure: number;
  loss: number;
  statutes: number;
  recency: number;
  knownExploitedFlaw: number;
}

export interface PriorityPolicy {
  version: number;
  weights: PriorityWeights;
  /** Days after which the recency factor counts half. */
  recencyHalfLifeDays: number;
  setBy: string;
  setAt: Date;
}

export const DEFAULT_POLICY: PriorityPolicy = {
  version: 1,
  weights: { aiEnabled: 35, criticalInfrastructure: 20, loss: 15, statutes: 10, recency: 10, knownExploitedFlaw: 10 },
  recencyHalfLifeDays: 30,
  setBy: 'rampart (default)',
  setAt: new Date('2026-01-01T00:00:00Z'),
};

export interface PriorityFacts {
  details: Pick<ReferralDetails, 'victim' | 'lossUsdCents' | 'suspectedStatutes' | 'aiEnabledIndicators' | 'exploitsKnownExploitedFlaw' | 'occurredFrom' | 'occurredUntil'>;
  /** When the conduct is known to have happened last (else when the referral arrived). */
  receivedAt: Date;
}

export interface ScoredFactor {
  factor: keyof PriorityWeights;
  weight: number;
  value: number;
  contribution: number;
  reason: string;
}

export interface PriorityScore {
  score: number;
  factors: ScoredFactor[];
  policyVersion: number;
}

/** Rounded to 2 places so stored scores compare exactly across engines. */
const round = (n: number) => Math.round(n * 100) / 100;

/** Loss on a log scale: $1k counts 0.25, $100k 0.5... $100M and above 1. */
function lossValue(cents: number): number {
  const dollars = cents / 100;
  if (dollars < 1) return 0;
  return Math.min(1, Math.log10(dollars) / 8);
}

/** Wire fraud alone is the broadest; computer fraud and identity fraud add to it, each once. */
const STATUTE_VALUE: Record<Statute, number> = { '18 U.S.C. 1030': 0.5, '18 U.S.C. 1028': 0.3, '18 U.S.C. 1343': 0.2 };

export function scoreReferral(facts: PriorityFacts, policy: PriorityPolicy, now: Date): PriorityScore {
  const d = facts.details;
  const w = policy.weights;
  const last = d.occurredUntil?.at ?? d.occurredFrom?.at ?? facts.receivedAt;
  const ageDays = Math.max(0, (now.getTime() - last.getTime()) / 86_400_000);
  const recency = Math.pow(0.5, ageDays / policy.recencyHalfLifeDays);
  const ci = d.victim.sector !== 'other';
  const statutes = Math.min(1, d.suspectedStatutes.reduce((sum, s) => sum + STATUTE_VALUE[s], 0));
  const ai = d.aiEnabledIndicators.length;
  const factors: Omit<ScoredFactor, 'contribution'>[] = [
    { factor: 'aiEnabled', weight: w.aiEnabled, value: ai === 0 ? 0 : Math.min(1, 0.6 + 0.2 * (ai - 1)), reason: ai === 0 ? 'no sign of AI-enabled conduct' : `AI-enabled conduct: ${d.aiEnabledIndicators.join(', ')}` },
    { factor: 'criticalInfrastructure', weight: w.criticalInfrastructure, value: ci ? 1 : 0, reason: ci ? `victim in critical infrastructure (${d.victim.sector})` : 'victim outside critical infrastructure' },
    { factor: 'loss', weight: w.loss, value: lossValue(d.lossUsdCents), reason: `loss of $${(d.lossUsdCents / 100).toFixed(2)} (log scale, $100M counts whole)` },
    { factor: 'statutes', weight: w.statutes, value: statutes, reason: d.suspectedStatutes.length ? `suspected: ${[...d.suspectedStatutes].sort().join(', ')}` : 'no statute named' },
    { factor: 'recency', weight: w.recency, value: recency, reason: `${Math.floor(ageDays)} days since the conduct (half-life ${policy.recencyHalfLifeDays} days)` },
    { factor: 'knownExploitedFlaw', weight: w.knownExploitedFlaw, value: d.exploitsKnownExploitedFlaw ? 1 : 0, reason: d.exploitsKnownExploitedFlaw ? 'exploits an actively exploited flaw' : 'no link to an actively exploited flaw' },
  ];
  const total = factors.reduce((sum, f) => sum + f.weight, 0);
  const scored = factors.map((f) => ({ ...f, value: round(f.value), contribution: round(total > 0 ? (100 * f.weight * f.value) / total : 0) }));
  return { score: round(scored.reduce((s, f) => s + f.contribution, 0)), factors: scored, policyVersion: policy.version };
}

/** Weights are 0 to 100 each, not all 0; the half-life 1 to 3,650 days. */
export function validatePolicy(weights: Partial<PriorityWeights> | undefined, halfLifeDays: number): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (!weights) return [{ field: 'weights', description: 'is required' }];
  const keys: [keyof PriorityWeights, string][] = [['aiEnabled', 'ai_enabled'], ['criticalInfrastructure', 'critical_infrastructure'], ['loss', 'loss'], ['statutes', 'statutes'], ['recency', 'recency'], ['knownExploitedFlaw', 'known_exploited_flaw']];
  for (const [key, field] of keys) {
    const v = weights[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) out.push({ field: `weights.${field}`, description: 'must be a number from 0 to 100' });
  }
  if (out.length === 0 && keys.every(([k]) => weights[k] === 0)) out.push({ field: 'weights', description: 'must not all be 0' });
  if (!Number.isInteger(halfLifeDays) || halfLifeDays < 1 || halfLifeDays > 3_650) out.push({ field: 'recency_half_life_days', description: 'must be a whole number of days from 1 to 3650' });
  return out;
}
