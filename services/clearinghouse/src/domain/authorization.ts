/**
 * Who may call each ClearinghouseService RPC: role x organisation x clearance, from DESIGN.md's
 * roles. The reasoning is written once, below, and docs/authorization.md is generated from this table.
 */
import type { AuthorizationTable, Grant, Role } from '@rampart/auth';
import type { clearinghouseV1 } from '@rampart/proto';
import { REPORT_MARKING } from './report';

export type ClearinghouseRpc = keyof typeof clearinghouseV1.ClearinghouseServiceService;

const REPORTER: Grant = { role: 'reporter', scope: 'own', clearance: 'UNCLASSIFIED' };
const government = (...roles: Role[]): Grant[] => roles.map((role) => ({ role, scope: 'any', clearance: REPORT_MARKING }));
const READERS: Grant[] = [REPORTER, ...government('clearinghouse-analyst', 'auditor')];
const anyOrganization = (...roles: Role[]): Grant[] => roles.map((role) => ({ role, scope: 'any', clearance: 'UNCLASSIFIED' }));
const EMBARGO_WHY = `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: coordinating disclosure (who is a party, until when) is the clearinghouse's judgement.`;
const OPERATOR: Grant = { role: 'operator', scope: 'own', clearance: 'UNCLASSIFIED' };
const SCAN_READERS: Grant[] = [OPERATOR, ...government('clearinghouse-analyst', 'auditor')];
const SCAN_FILE_WHY = "an operator, for its own organisation's targets (the token's), at any clearance: only the owner may ask to have its systems scanned.";
const SCAN_READ_WHY = `the operator, for its own organisation's scan requests, at any clearance; cleared for ${REPORT_MARKING}, the clearinghouse analyst and the auditor, for every request.`;
const SCANNER_WHY = "scanners (role reporter: AI companies' and the government's), any organisation, at any clearance: open jobs show only what to scan and when, never which operators asked; analysts and auditors, cleared for CUI, list them too.";
const OPERATOR_READ_WHY = `the operator, for its own organisation, at any clearance; cleared for ${REPORT_MARKING}, the clearinghouse analyst and the auditor, for every operator (exposure is theirs to see).`;
const READ_WHY = `the reporter, for its own organisation's reports, at any clearance; cleared for ${REPORT_MARKING}, the clearinghouse analyst and the auditor, for every report.`;

export const AUTHORIZATION: AuthorizationTable<ClearinghouseRpc> = {
  service: 'rampart.clearinghouse.v1.ClearinghouseService',
  reasoning: [
    `A report describes a flaw that is not public yet, marked ${REPORT_MARKING} (Information Systems Vulnerability Information).`,
    "Reporters (AI companies, researchers, scanners, operators reporting a flaw) submit for their own organisation and read",
    "their own organisation's reports only, at any clearance: what they read is what they said. Clearinghouse analysts (the",
    `Treasury-led clearinghouse's staff), cleared for ${REPORT_MARKING}, read every report and alone move a report through its`,
    'lifecycle (validation is theirs); auditors, cleared alike, read everything and change nothing. Vendors and operators',
    'learn of a flaw from the validated vulnerability, redacted by embargo and TLP, never from the raw report; no other role',
    'has business with reports.',
  ].join(' '),
  rpcs: {
    submitReport: { why: "a reporter, for its own organisation (the token's), at any clearance: the report is its own information.", grants: [REPORTER] },
    getReport: { why: READ_WHY, grants: READERS },
    listReports: { why: `${READ_WHY} A reporter's list holds its own organisation's reports only.`, grants: READERS },
    transitionReport: {
      why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: validating, accepting, deferring and closing are the clearinghouse's judgement, never the reporter's.`,
      grants: government('clearinghouse-analyst'),
    },
    listReportRevisions: { why: READ_WHY, grants: READERS },
    // Coordinated scanning (src/scanning): operators file for their own targets, scanners (reporters) claim and return results.
    fileScanRequest: { why: SCAN_FILE_WHY, grants: [OPERATOR] },
    getScanRequest: { why: SCAN_READ_WHY, grants: SCAN_READERS },
    listScanRequests: { why: `${SCAN_READ_WHY} An operator's list holds its own requests only.`, grants: SCAN_READERS },
    cancelScanRequest: { why: 'the operator that filed it, for its own organisation, at any clearance: consent to be scanned is its own to withdraw.', grants: [OPERATOR] },
    listScanJobs: { why: SCANNER_WHY, grants: [...anyOrganization('reporter'), ...government('clearinghouse-analyst', 'auditor')] },
    claimScanJob: { why: `${SCANNER_WHY} The claim is made for the caller's organisation; analysts and auditors do not scan.`, grants: anyOrganization('reporter') },
    uploadScanResults: { why: 'a scanner (reporter), at any clearance, for a job its own organisation claimed (checked per job): results are admitted only inside the job\'s targets and window.', grants: anyOrganization('reporter') },
    listScanFindings: { why: `${SCAN_READ_WHY} An operator reads the findings of its own requests only, never those of another operator the same job served.`, grants: SCAN_READERS },
    // Embargoes (src/embargoes): the flaw's details reach parties only, by redaction on every read, not by this table.
    embargoFlaw: { why: EMBARGO_WHY, grants: government('clearinghouse-analyst') },
    extendEmbargo: { why: `${EMBARGO_WHY} An extension needs a reason and never shortens the embargo.`, grants: government('clearinghouse-analyst') },
    liftEmbargo: { why: `${EMBARGO_WHY} Lifting early needs a reason.`, grants: government('clearinghouse-analyst') },
    getEmbargo: {
      why: 'every role with business with a flaw, any organisation: reporters, vendors and operators at any clearance, analysts and auditors cleared for CUI. What each reads is decided per flaw: the details to the embargo\'s parties (and as the TLP label allows), the summary (id, status, label, priority level, the embargo\'s status and end) to everyone else; an auditor is no party, so reads the details once the embargo ended.',
      grants: [...anyOrganization('reporter', 'vendor', 'operator'), ...government('clearinghouse-analyst', 'auditor')],
    },
    reportExploitation: {
      why: 'whoever sees a flaw exploited in the wild, any organisation: reporters (researchers, AI companies, scanners), vendors (at their customers) and operators (in their own networks) at any clearance, and clearinghouse analysts recording government and threat-intelligence reports. Speed is the point: a report ends the embargo at once and is recorded with who made it. Auditors change nothing.',
      grants: [...anyOrganization('reporter', 'vendor', 'operator'), ...government('clearinghouse-analyst')],
    },
    // Scoring (src/scoring): a report's priority is read with the report, under the readers' rules above.
    importKevCatalog: {
      why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: the catalog raises the priority of reports (which only the clearinghouse reads whole), and which feed the clearinghouse trusts is its judgement.`,
      grants: government('clearinghouse-analyst'),
    },
    // One record per flaw (src/flaws): imported records and the vulnerabilities grouped from them and from validated reports.
    importAdvisories: {
      why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: which feeds' records the clearinghouse takes in, and so which flaws merge, is its judgement.`,
      grants: government('clearinghouse-analyst'),
    },
    getVulnerability: {
      why: `cleared for ${REPORT_MARKING}, the clearinghouse analyst and the auditor, any vulnerability; the reporter, at any clearance, only one its own organisation's validated report joined (it learns the id from its report), with its own credit and no other reporter's reports; any other id is NOT_FOUND.`,
      grants: READERS,
    },
    listVulnerabilities: {
      why: `the clearinghouse analyst and the auditor, cleared for ${REPORT_MARKING}: the whole list shows which organisations reported which flaws.`,
      grants: government('clearinghouse-analyst', 'auditor'),
    },
    mergeVulnerabilities: { why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: deduplication is the clearinghouse's judgement.`, grants: government('clearinghouse-analyst') },
    splitVulnerability: { why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: deduplication is the clearinghouse's judgement.`, grants: government('clearinghouse-analyst') },
    undoGroupingDecision: { why: `the clearinghouse analyst only, cleared for ${REPORT_MARKING}: deduplication is the clearinghouse's judgement.`, grants: government('clearinghouse-analyst') },
    // Operators (src/operators): an operator registers its own organisation, uploads its own assets, reads its own notifications.
    registerOperator: { why: "an operator, for its own organisation (the token's), at any clearance: registering is voluntary and its own.", grants: [OPERATOR] },
    getOperator: { why: OPERATOR_READ_WHY, grants: SCAN_READERS },
    uploadAssetSbom: { why: "the operator, for its own organisation's assets, at any clearance: what it runs is its own to declare.", grants: [OPERATOR] },
    enterProducts: { why: "the operator, for its own organisation's assets, at any clearance: what it runs is its own to declare.", grants: [OPERATOR] },
    listNotifications: { why: `${OPERATOR_READ_WHY} An operator's list holds its own notifications only.`, grants: SCAN_READERS },
    acknowledgeNotification: { why: 'the operator the notification was issued to, at any clearance: only it can say it read it.', grants: [OPERATOR] },
    recordRemediation: { why: 'the operator, for its own assets named in a notification to it, at any clearance: where its assets stand is its own to say.', grants: [OPERATOR] },
    getExposure: { why: `cleared for ${REPORT_MARKING}, the clearinghouse analyst and the auditor: who is still exposed, by sector and size, is the clearinghouse's view, never another operator's.`, grants: government('clearinghouse-analyst', 'auditor') },
  },
};
