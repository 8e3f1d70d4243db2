/**
 * Who may call each DesignationService RPC, written out by hand from DESIGN.md's roles,
 * independently of src/domain/authorization.ts: the unit test holds the table to it, the e2e test
 * the running service.
 */
import type { ExpectedRule } from '@rampart/testing';
import type { DesignationRpc } from '../src/domain/authorization';

const CASE_READERS: ExpectedRule = { evaluator: 'any CUI', 'designation-authority': 'any CUI', consultee: 'addressed CUI', auditor: 'any CUI' };
const EVALUATOR: ExpectedRule = { evaluator: 'any SECRET' };
const AUTHORITY: ExpectedRule = { 'designation-authority': 'any SECRET' };

export const EXPECTED: Record<DesignationRpc, ExpectedRule> = {
  getCase: CASE_READERS,
  listCases: CASE_READERS,
  uploadInspectLog: EVALUATOR,
  recordSuiteResult: EVALUATOR,
  listEvidence: CASE_READERS,
  putThresholdPolicy: { 'policy-admin': 'any SECRET' },
  getThresholdPolicy: { 'policy-admin': 'any SECRET', 'designation-authority': 'any SECRET', auditor: 'any SECRET' },
  requestConsultation: AUTHORITY,
  recordConsultationView: { consultee: 'addressed SECRET' },
  issueDecision: AUTHORITY,
  releaseAssessment: AUTHORITY,
  getReleasableAssessment: { developer: 'own UNCLASSIFIED', 'designation-authority': 'any CUI', auditor: 'any CUI' },
};
