/**
 * Who may call each EarlyAccessService RPC: role x organisation x clearance, from DESIGN.md's
 * roles. The reasoning is written once, below, and docs/authorization.md is generated from this table.
 */
import type { AuthorizationTable, Grant, Role } from '@rampart/auth';
import type { accessV1 } from '@rampart/proto';

export type AccessRpc = keyof typeof accessV1.EarlyAccessServiceService;

/** Programs and what hangs off them are a developer's proprietary plans. */
export const PROGRAM_MARKING = 'CUI' as const;

const own = (role: Role): Grant => ({ role, scope: 'own', clearance: 'UNCLASSIFIED' });
const government = (...roles: Role[]): Grant[] => roles.map((role) => ({ role, scope: 'any', clearance: PROGRAM_MARKING }));

const DEVELOPER = own('developer');
const GATEWAY = own('gateway');
/** Partners are outside organisations, cleared for nothing in particular; what they reach is limited by selection. */
const PARTNER: Grant = { role: 'partner', scope: 'any', clearance: 'UNCLASSIFIED' };
const READERS = [DEVELOPER, ...government('access-officer', 'auditor')];
const READ_WHY = 'the developer, for its own organisation\'s programs; cleared for CUI, the access officer and the auditor, for every program.';
const SELECTION_WHY = 'either side of the joint selection: the developer for its own programs, the access officer (cleared for CUI) for the government.';
const HOLDERS = [...government('evaluator'), PARTNER];

export const AUTHORIZATION: AuthorizationTable<AccessRpc> = {
  service: 'rampart.access.v1.EarlyAccessService',
  reasoning: [
    "A program is a developer's own business (its model's dates and plans, marked CUI): the developer acts on its own",
    "organisation's programs at any clearance; on the government side the access officer (the early-access coordinator) and",
    'the auditor (reads everything, changes nothing), cleared for CUI, act on every program. Grant holders (government',
    "evaluators cleared for CUI, partners' staff) accept agreements and obtain credentials for their own grants only. The",
    "developer's gateway (a machine identity of the developer's organisation) verifies credentials and reports uses for its own",
    "organisation's programs. Checks finer than the table (a partner accepts only for a program that selected its organisation;",
    "a credential goes to its grant's holder only) are made on the entity and answer NOT_FOUND, like another organisation's",
    'entity. No other role has business here: designation, clearinghouse and enforcement learn what they need from events.',
  ].join(' '),
  rpcs: {
    openProgram: { why: 'the developer only, for its own covered model: early access is offered by the developer, voluntarily.', grants: [DEVELOPER] },
    getProgram: { why: READ_WHY, grants: READERS },
    listPrograms: { why: `${READ_WHY} A developer's list holds its own organisation's programs only.`, grants: READERS },
    recordPublicRelease: { why: 'the developer only: the release is its act, recorded, never approved.', grants: [DEVELOPER] },

    publishAgreement: { why: 'the access officer, cleared for CUI: the agreements are the government\'s templates.', grants: government('access-officer') },
    listAgreements: {
      why: 'everyone a program involves: the developer, the access officer and auditor, and the grant holders who must read what they accept (evaluators cleared for CUI, partners). The templates hold no program\'s data.',
      grants: [DEVELOPER, ...government('access-officer', 'auditor'), ...HOLDERS],
    },
    acceptAgreement: { why: 'grant holders accept for themselves: government evaluators cleared for CUI, and partners\' staff for programs that selected their organisation.', grants: HOLDERS },
    listAcceptances: { why: READ_WHY, grants: READERS },

    nominatePartner: { why: SELECTION_WHY, grants: [DEVELOPER, ...government('access-officer')] },
    approvePartner: { why: SELECTION_WHY, grants: [DEVELOPER, ...government('access-officer')] },
    vetoPartner: { why: SELECTION_WHY, grants: [DEVELOPER, ...government('access-officer')] },
    removePartner: { why: SELECTION_WHY, grants: [DEVELOPER, ...government('access-officer')] },
    listNominations: { why: READ_WHY, grants: READERS },

    issueGrant: { why: 'the access officer, cleared for CUI: grants are the government\'s to give, inside the developer\'s window.', grants: government('access-officer') },
    revokeGrant: { why: 'the access officer, cleared for CUI.', grants: government('access-officer') },
    listGrants: { why: READ_WHY, grants: READERS },
    listMyGrants: { why: 'grant holders, their own grants only: government evaluators cleared for CUI, partners\' staff.', grants: HOLDERS },
    issueCredential: { why: 'the grant\'s holder only (its principal, in its organisation): government evaluators cleared for CUI, partners\' staff.', grants: HOLDERS },
    revokeCredential: { why: 'the access officer, cleared for CUI.', grants: government('access-officer') },
    verifyCredential: { why: 'the developer\'s model gateway, for credentials issued for its own organisation.', grants: [GATEWAY] },
    getVerificationKeys: { why: 'the developer\'s gateway and the developer (to verify credentials and signed checkpoints), and the auditor. Public keys only.', grants: [GATEWAY, DEVELOPER, ...government('auditor')] },

    reportAccess: { why: 'the developer\'s model gateway, for its own organisation\'s programs.', grants: [GATEWAY] },
    listAccessRecords: { why: `${READ_WHY} The developer reads its own log, so the record is checked by both parties.`, grants: READERS },
    verifyAccessLog: { why: READ_WHY, grants: READERS },
    listCheckpoints: { why: `${READ_WHY} The developer keeps signed checkpoints, so a deleted tail is detectable by it too.`, grants: READERS },
    listSignals: { why: `${READ_WHY} Signals are leads for a person to review, not accusations.`, grants: READERS },
  },
};
