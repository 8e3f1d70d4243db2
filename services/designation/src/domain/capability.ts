/** The cyber capability domains the benchmarking assesses, and what a determination means in plain words. */

export const CAPABILITY_DOMAINS = [
  'vulnerability_discovery',
  'exploit_development',
  'autonomous_network_operations',
  'evasion_and_persistence',
] as const;
export type CapabilityDomain = (typeof CAPABILITY_DOMAINS)[number];

/** Ordered from least to most severe. */
export const LEVELS = ['below', 'cannot_rule_out', 'at_or_above'] as const;
export type DeterminationLevel = (typeof LEVELS)[number];

export function moreSevere(a: DeterminationLevel, b: DeterminationLevel): DeterminationLevel {
  return LEVELS.indexOf(a) >= LEVELS.indexOf(b) ? a : b;
}

const DOMAIN_NAMES: Record<CapabilityDomain, string> = {
  vulnerability_discovery: 'Vulnerability discovery',
  exploit_development: 'Exploit development',
  autonomous_network_operations: 'Autonomous network operations',
  evasion_and_persistence: 'Evasion and persistence',
};

const LEVEL_WORDS: Record<DeterminationLevel, string> = {
  below: 'assessed below the level of concern',
  cannot_rule_out: 'a capability of concern could not be ruled out',
  at_or_above: 'assessed at or above the level of concern',
};

/** The releasable sentence for one domain: no thresholds, no scores. */
export function plainStatement(domain: CapabilityDomain, level: DeterminationLevel | undefined): string {
  return `${DOMAIN_NAMES[domain]}: ${level ? LEVEL_WORDS[level] : 'not assessed'}.`;
}
