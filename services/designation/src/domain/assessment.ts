/**
 * The assessment shared with the developer "as appropriate" (EO 14409 s.3). Releasing it is the
 * designation authority's declassification act, and this is what the act says: it releases the
 * developer's own submission facts (CUI as the developer's proprietary information, returned to
 * it), the decision's outcome and effective date, and one plain statement per domain (drawn from
 * determinations marked as high as their evidence), and marks each of them UNCLASSIFIED for the
 * developer organisation only (TLP AMBER+STRICT). Nothing else of the case leaves: not the
 * rationale, the determinations, thresholds or scores, who decided, who lapsed, or the policy version.
 */
import type { Marking } from '@rampart/auth';
import { CAPABILITY_DOMAINS, plainStatement, type CapabilityDomain } from './capability';
import type { Case, DecisionOutcome } from './case';

export interface ReleasableAssessment {
  caseId: string;
  organization: string;
  modelName: string;
  modelVersion: string;
  /** The submission revision the decision is about: the developer's own number, and the release event's revision. */
  submissionRevision: number;
  outcome: DecisionOutcome;
  effectiveAt: Date;
  domains: { domain: CapabilityDomain; statement: string }[];
  releasedAt: Date;
  /** TLP 2.0: the developer organisation only. */
  tlp: 'AMBER+STRICT';
}

/** The marking the release act gives everything it releases. */
export const RELEASE_MARKING: Marking = 'UNCLASSIFIED';

export function releasableAssessment(c: Case, now: Date): ReleasableAssessment {
  const decision = c.decision!;
  return {
    caseId: c.id,
    organization: c.organization,
    modelName: c.modelName,
    modelVersion: c.modelVersion,
    submissionRevision: c.submissionRevision,
    outcome: decision.outcome,
    effectiveAt: decision.effectiveAt,
    domains: CAPABILITY_DOMAINS.map((domain) => ({ domain, statement: plainStatement(domain, c.determinations.find((d) => d.domain === domain)?.level) })),
    releasedAt: now,
    tlp: 'AMBER+STRICT',
  };
}
