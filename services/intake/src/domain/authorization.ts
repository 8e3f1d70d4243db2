/**
 * Who may call each IntakeService RPC: role x organisation x clearance, from DESIGN.md's roles.
 * The reasoning is written once, below, and docs/authorization.md is generated from this table.
 */
import type { AuthorizationTable, Grant } from '@rampart/auth';
import type { intakeV1 } from '@rampart/proto';
import { SUBMISSION_MARKING } from './submission';

export type IntakeRpc = keyof typeof intakeV1.IntakeServiceService;

const OWNER: Grant = { role: 'developer', scope: 'own', clearance: 'UNCLASSIFIED' };
const READERS: Grant[] = [
  OWNER,
  { role: 'evaluator', scope: 'any', clearance: SUBMISSION_MARKING },
  { role: 'designation-authority', scope: 'any', clearance: SUBMISSION_MARKING },
  { role: 'auditor', scope: 'any', clearance: SUBMISSION_MARKING },
];
const READ_WHY = `the owning developer organisation; and evaluator, designation-authority and auditor in every organisation, cleared for the submission's marking (${SUBMISSION_MARKING}).`;

export const AUTHORIZATION: AuthorizationTable<IntakeRpc> = {
  service: 'rampart.intake.v1.IntakeService',
  reasoning: [
    "Submissions are developers' proprietary plans, marked CUI. Developers act on their own organisation's only, at any clearance",
    '(it is their own information). Of the government roles, only those whose work starts from the submission itself read it,',
    'cleared for CUI: the evaluator (benchmarks the model it describes), the designation-authority (decides on it) and the auditor',
    "(reads everything, changes nothing). The policy-admin, consultees, access officers, clearinghouse and enforcement analysts work",
    "from designation's case or from their own services' read models, built from intake's events; outside roles have no business",
    'with submissions.',
  ].join(' '),
  rpcs: {
    submitModel: {
      why: "a developer submits for its own organisation (the token's), at any clearance: the details are its own.",
      grants: [OWNER],
    },
    getSubmission: { why: READ_WHY, grants: READERS },
    listSubmissions: { why: `${READ_WHY} A developer's list holds its own organisation's submissions only.`, grants: READERS },
    amendSubmission: {
      why: 'the owning developer organisation only: the government never edits what a developer said.',
      grants: [OWNER],
    },
    withdrawSubmission: {
      why: "the owning developer organisation only: participation is voluntary and withdrawal is the developer's act (EO 14409 s.3(c)).",
      grants: [OWNER],
    },
    listSubmissionRevisions: { why: READ_WHY, grants: READERS },
  },
};
