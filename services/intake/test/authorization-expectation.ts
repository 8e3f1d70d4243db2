/**
 * Who may call each IntakeService RPC, written out by hand from DESIGN.md's roles, independently of
 * src/domain/authorization.ts: the unit test holds the table to it, the e2e test the running service.
 */
import type { ExpectedRule } from '@rampart/testing';
import type { IntakeRpc } from '../src/domain/authorization';

const OWNER: ExpectedRule = { developer: 'own UNCLASSIFIED' };
const READERS: ExpectedRule = { developer: 'own UNCLASSIFIED', evaluator: 'any CUI', 'designation-authority': 'any CUI', auditor: 'any CUI' };

export const EXPECTED: Record<IntakeRpc, ExpectedRule> = {
  submitModel: OWNER,
  getSubmission: READERS,
  listSubmissions: READERS,
  amendSubmission: OWNER,
  withdrawSubmission: OWNER,
  listSubmissionRevisions: READERS,
};
