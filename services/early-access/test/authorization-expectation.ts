/**
 * Who may call each EarlyAccessService RPC, written out by hand from DESIGN.md's roles, independently
 * of src/domain/authorization.ts: the unit test holds the table to it, the e2e test the running service.
 */
import type { ExpectedRule } from '@rampart/testing';
import type { AccessRpc } from '../src/domain/authorization';

const DEVELOPER: ExpectedRule = { developer: 'own UNCLASSIFIED' };
const OFFICER: ExpectedRule = { 'access-officer': 'any CUI' };
const READERS: ExpectedRule = { developer: 'own UNCLASSIFIED', 'access-officer': 'any CUI', auditor: 'any CUI' };
const SELECTION: ExpectedRule = { developer: 'own UNCLASSIFIED', 'access-officer': 'any CUI' };
const HOLDERS: ExpectedRule = { evaluator: 'any CUI', partner: 'any UNCLASSIFIED' };
const GATEWAY: ExpectedRule = { gateway: 'own UNCLASSIFIED' };

export const EXPECTED: Record<AccessRpc, ExpectedRule> = {
  openProgram: DEVELOPER,
  getProgram: READERS,
  listPrograms: READERS,
  recordPublicRelease: DEVELOPER,
  publishAgreement: OFFICER,
  listAgreements: { ...READERS, ...HOLDERS },
  acceptAgreement: HOLDERS,
  listAcceptances: READERS,
  nominatePartner: SELECTION,
  approvePartner: SELECTION,
  vetoPartner: SELECTION,
  removePartner: SELECTION,
  listNominations: READERS,
  issueGrant: OFFICER,
  revokeGrant: OFFICER,
  listGrants: READERS,
  listMyGrants: HOLDERS,
  issueCredential: HOLDERS,
  revokeCredential: OFFICER,
  verifyCredential: GATEWAY,
  getVerificationKeys: { ...GATEWAY, developer: 'own UNCLASSIFIED', auditor: 'any CUI' },
  reportAccess: GATEWAY,
  listAccessRecords: READERS,
  verifyAccessLog: READERS,
  listCheckpoints: READERS,
  listSignals: READERS,
};
