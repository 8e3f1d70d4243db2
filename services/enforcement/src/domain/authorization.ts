/**
 * Who may call each EnforcementService RPC: role x organisation x clearance, from DESIGN.md's roles.
 * docs/authorization.md is generated from this table.
 */
import type { AuthorizationTable, Grant } from '@rampart/auth';
import type { enforcementV1 } from '@rampart/proto';
import { REFERRAL_MARKING } from './referral';

export type EnforcementRpc = keyof typeof enforcementV1.EnforcementServiceService;

const ANALYST: Grant = { role: 'enforcement-analyst', scope: 'any', clearance: REFERRAL_MARKING };
const AUDITOR: Grant = { role: 'auditor', scope: 'any', clearance: REFERRAL_MARKING };
const REFERRER: Grant = { role: 'referrer', scope: 'own', clearance: 'UNCLASSIFIED' };

const DECIDE = 'enforcement analysts only (DOJ staff, cleared for CUI): a person decides each step before anything goes to an agency.';
const EVIDENCE_READ = 'enforcement analysts, and auditors (who change nothing), both cleared for CUI: evidence and its custody are the record a court will examine.';

export const AUTHORIZATION: AuthorizationTable<EnforcementRpc> = {
  service: 'rampart.enforcement.v1.EnforcementService',
  reasoning: [
    'Enforcement data is law-enforcement sensitive (a CUI category). Enforcement analysts (DOJ staff) read and act on all of it, cleared',
    "for CUI. Auditors read it, cleared for CUI, with victims' personal data redacted, and change nothing. A referrer (an agency or a",
    "victim's representative) files referrals and reads its own organisation's referrals' status, at any clearance: it is its own",
    'information. Every other role (partners, operators, developers, the other services\' staff) reads nothing here: their work never',
    'needs a referral, and a referral may name them.',
  ].join(' '),
  rpcs: {
    fileReferral: { why: "a referrer files for its own organisation (the token's); an analyst may file one on a victim's behalf.", grants: [REFERRER, ANALYST] },
    getReferral: { why: "analysts read everything; auditors with victims' personal data redacted; a referrer its own referrals' status only.", grants: [ANALYST, AUDITOR, REFERRER] },
    listReferrals: { why: "as GetReferral: a referrer's list holds its own organisation's referrals only.", grants: [ANALYST, AUDITOR, REFERRER] },
    acceptCandidate: { why: DECIDE, grants: [ANALYST] },
    dismissCandidate: { why: DECIDE, grants: [ANALYST] },
    assignReferral: { why: DECIDE, grants: [ANALYST] },
    startReview: { why: DECIDE, grants: [ANALYST] },
    acceptReferral: { why: DECIDE, grants: [ANALYST] },
    declineReferral: { why: DECIDE, grants: [ANALYST] },
    closeReferral: { why: DECIDE, grants: [ANALYST] },
    getPriorityPolicy: { why: 'analysts and auditors: the weights explain every score.', grants: [ANALYST, AUDITOR] },
    setPriorityPolicy: { why: 'enforcement analysts: DOJ sets its own priorities (a new version; every score records the one that made it).', grants: [ANALYST] },
    addEvidence: { why: 'enforcement analysts handle evidence.', grants: [ANALYST] },
    uploadEvidence: { why: 'enforcement analysts handle evidence.', grants: [ANALYST] },
    listEvidence: { why: EVIDENCE_READ, grants: [ANALYST, AUDITOR] },
    recordCustody: { why: 'enforcement analysts record what happens to evidence.', grants: [ANALYST] },
    listCustody: { why: EVIDENCE_READ, grants: [ANALYST, AUDITOR] },
    verifyCustody: { why: EVIDENCE_READ, grants: [ANALYST, AUDITOR] },
    exportStix: { why: "analysts export for the agency a referral is routed to; auditors get the same bundle (it never names the victim).", grants: [ANALYST, AUDITOR] },
  },
};
