/**
 * Who may call each DesignationService RPC: role x organisation x clearance, from DESIGN.md's
 * roles. The reasoning is written once, below, and docs/authorization.md is generated from this table.
 */
import type { AuthorizationTable, Grant, Role } from '@rampart/auth';
import type { designationV1 } from '@rampart/proto';
import { MINIMUM_EVIDENCE_MARKING } from './evidence';
import { CASE_BASE_MARKING } from './markings';
import { POLICY_MARKING } from './policy';

export type DesignationRpc = keyof typeof designationV1.DesignationServiceService;

const government = (clearance: Grant['clearance'], ...roles: Role[]): Grant[] => roles.map((role) => ({ role, scope: 'any', clearance }));

/** A consultee reads only the cases whose consultation is addressed to the agency in its token. */
const CONSULTEE: Grant = { role: 'consultee', scope: 'addressed', clearance: CASE_BASE_MARKING };
const CASE_READERS = [...government(CASE_BASE_MARKING, 'evaluator', 'designation-authority', 'auditor'), CONSULTEE];
const CASE_READ_WHY = `evaluator, designation-authority and auditor, every case; a consultee, only the cases whose consultation is addressed to its agency (others answer as missing ones); each cleared for a case's base marking (${CASE_BASE_MARKING}); fields above the reader's clearance are redacted.`;
const EVIDENCE_WHY = `evaluators only; evidence is never marked below ${MINIMUM_EVIDENCE_MARKING}, and the evaluator must also be cleared for the item's own marking (checked against the request).`;

export const AUTHORIZATION: AuthorizationTable<DesignationRpc> = {
  service: 'rampart.designation.v1.DesignationService',
  reasoning: [
    "Cases, evidence and policies are the government's classified work on a developer's model; the developer sees only the",
    'releasable assessment of its own models. Cases are read, in every organisation, by the roles that work on them, cleared for',
    "a case's base marking (CUI; every field above the reader's clearance is still redacted): the evaluator (attaches evidence),",
    'the designation-authority (requests consultation and decides) and auditors (read everything, change nothing). A consultee',
    'answers for one agency (named in its token) and reads only the cases whose consultation is addressed to that agency, with',
    'their evidence: any other case answers NOT_FOUND, word for word as a missing one. Not the policy-admin: its thresholds apply to every case at once and the service',
    'recomputes determinations itself, so no single case is needed. Not access officers, clearinghouse or enforcement analysts:',
    "their services learn what they need from designation's events. Not developers (the releasable assessment is theirs) nor any",
    'other outside role.',
  ].join(' '),
  rpcs: {
    getCase: { why: CASE_READ_WHY, grants: CASE_READERS },
    listCases: { why: CASE_READ_WHY, grants: CASE_READERS },
    uploadInspectLog: { why: EVIDENCE_WHY, grants: government(MINIMUM_EVIDENCE_MARKING, 'evaluator') },
    recordSuiteResult: { why: EVIDENCE_WHY, grants: government(MINIMUM_EVIDENCE_MARKING, 'evaluator') },
    listEvidence: { why: CASE_READ_WHY, grants: CASE_READERS },
    putThresholdPolicy: {
      why: `the policy-admin only, the keeper of the thresholds, cleared for the policy's marking (${POLICY_MARKING}).`,
      grants: government(POLICY_MARKING, 'policy-admin'),
    },
    getThresholdPolicy: {
      why: `cleared for ${POLICY_MARKING}: the policy-admin who writes it, the designation-authority who decides under it, auditors. Evaluators attach evidence without it; consultees read the determinations it yields on the case.`,
      grants: government(POLICY_MARKING, 'policy-admin', 'designation-authority', 'auditor'),
    },
    requestConsultation: {
      why: 'the designation-authority only, cleared SECRET: the consultation and its views are SECRET.',
      grants: government('SECRET', 'designation-authority'),
    },
    recordConsultationView: {
      why: "consultees only, cleared SECRET (views are SECRET), on cases whose consultation is addressed to the agency in their token: another case answers as a missing one.",
      grants: [{ ...CONSULTEE, clearance: 'SECRET' }],
    },
    issueDecision: {
      why: 'the designation-authority only, cleared SECRET: the decision and its rationale are SECRET.',
      grants: government('SECRET', 'designation-authority'),
    },
    releaseAssessment: {
      why: 'the designation-authority only, cleared SECRET: releasing reads the SECRET decision to produce what the developer may see.',
      grants: government('SECRET', 'designation-authority'),
    },
    getReleasableAssessment: {
      why: 'TLP AMBER+STRICT, for the owning developer organisation only (its own information, released to it at any clearance); on the government side, cleared for CUI, the designation-authority who released it and auditors. No other role: partners and early access learn of a covered model from the released event.',
      grants: [{ role: 'developer', scope: 'own', clearance: 'UNCLASSIFIED' }, ...government(CASE_BASE_MARKING, 'designation-authority', 'auditor')],
    },
  },
};
