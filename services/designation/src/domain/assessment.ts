/**
 * The assessment shared with the developer "as appropriate" (EO 14409 s.3): produced from the
 * decided case by marking-based redaction down to UNCLASSIFIED. The decision outcome and the
 * domain statements are released by the authority's act; rationale, thresholds and scores are not.
 */
import { CAPABILITY_DOMAINS, plainStatement, type CapabilityDomain } from './capability';
import type { Case, DecisionOutcome } from './case';
import { redact } from './markings';

export interface ReleasableAssessment {
  caseId: string;
  organization: string;
  modelName: string;
  modelVersion: string;
  outcome: DecisionOutcome;
  effectiveAt: Date;
  domains: { domain: CapabilityDomain; statement: string }[];
  releasedAt: Date;
  /** TLP 2.0: the developer organisation only. */
  tlp: 'AMBER+STRICT';
}

/** Every field of the assessment record with its marking at release. */
const RELEASE_MARKINGS = {
  rationale: 'SECRET',
  determinations: 'SECRET',
  decidedBy: 'SECRET',
  lapsedAgencies: 'SECRET',
  policyVersion: 'SECRET',
} as const;

export function releasableAssessment(c: Case, now: Date): ReleasableAssessment {
  const decision = c.decision!;
  const record = {
    caseId: c.id,
    organization: c.organization,
    modelName: c.modelName,
    modelVersion: c.modelVersion,
    outcome: decision.outcome,
    effectiveAt: decision.effectiveAt,
    domains: CAPABILITY_DOMAINS.map((domain) => ({ domain, statement: plainStatement(domain, c.determinations.find((d) => d.domain === domain)?.level) })),
    releasedAt: now,
    tlp: 'AMBER+STRICT' as const,
    rationale: decision.rationale,
    determinations: c.determinations,
    decidedBy: decision.decidedBy,
    lapsedAgencies: decision.lapsedAgencies,
    policyVersion: decision.policyVersion,
  };
  const { value } = redact(record, RELEASE_MARKINGS, 'UNCLASSIFIED');
  return { ...value, effectiveAt: decision.effectiveAt, releasedAt: now } as ReleasableAssessment;
}
