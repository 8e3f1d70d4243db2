/**
 * Who may call each EnforcementService RPC, written out by hand from DESIGN.md's roles and issue 10
 * ("law-enforcement sensitive"), independently of src/domain/authorization.ts: the unit test holds the
 * table to it cell by cell.
 */
import type { ExpectedRule } from '@rampart/testing';
import type { EnforcementRpc } from '../src/domain/authorization';

const ANALYST: ExpectedRule = { 'enforcement-analyst': 'any CUI' };
const ANALYST_AND_AUDITOR: ExpectedRule = { 'enforcement-analyst': 'any CUI', auditor: 'any CUI' };
const READERS: ExpectedRule = { 'enforcement-analyst': 'any CUI', auditor: 'any CUI', referrer: 'own UNCLASSIFIED' };

export const EXPECTED: Record<EnforcementRpc, ExpectedRule> = {
  fileReferral: { referrer: 'own UNCLASSIFIED', 'enforcement-analyst': 'any CUI' },
  getReferral: READERS,
  listReferrals: READERS,
  acceptCandidate: ANALYST,
  dismissCandidate: ANALYST,
  assignReferral: ANALYST,
  startReview: ANALYST,
  acceptReferral: ANALYST,
  declineReferral: ANALYST,
  closeReferral: ANALYST,
  getPriorityPolicy: ANALYST_AND_AUDITOR,
  setPriorityPolicy: ANALYST,
  addEvidence: ANALYST,
  uploadEvidence: ANALYST,
  listEvidence: ANALYST_AND_AUDITOR,
  recordCustody: ANALYST,
  listCustody: ANALYST_AND_AUDITOR,
  verifyCustody: ANALYST_AND_AUDITOR,
  exportStix: ANALYST_AND_AUDITOR,
};
