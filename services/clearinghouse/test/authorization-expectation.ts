/**
 * Who may call each ClearinghouseService RPC, written out by hand from DESIGN.md's roles,
 * independently of src/domain/authorization.ts: the unit test holds the table to it, the e2e test
 * the running service.
 */
import type { ExpectedRule } from '@rampart/testing';
import type { ClearinghouseRpc } from '../src/domain/authorization';

const REPORTER: ExpectedRule = { reporter: 'own UNCLASSIFIED' };
const READERS: ExpectedRule = { reporter: 'own UNCLASSIFIED', 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' };
const ANALYST: ExpectedRule = { 'clearinghouse-analyst': 'any CUI' };
const OPERATOR: ExpectedRule = { operator: 'own UNCLASSIFIED' };
const SCAN_READERS: ExpectedRule = { operator: 'own UNCLASSIFIED', 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' };

export const EXPECTED: Record<ClearinghouseRpc, ExpectedRule> = {
  submitReport: REPORTER,
  getReport: READERS,
  listReports: READERS,
  transitionReport: ANALYST,
  listReportRevisions: READERS,
  fileScanRequest: OPERATOR,
  getScanRequest: SCAN_READERS,
  listScanRequests: SCAN_READERS,
  cancelScanRequest: OPERATOR,
  listScanJobs: { reporter: 'any UNCLASSIFIED', 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' },
  claimScanJob: { reporter: 'any UNCLASSIFIED' },
  uploadScanResults: { reporter: 'any UNCLASSIFIED' },
  listScanFindings: SCAN_READERS,
  embargoFlaw: ANALYST,
  extendEmbargo: ANALYST,
  liftEmbargo: ANALYST,
  getEmbargo: { reporter: 'any UNCLASSIFIED', vendor: 'any UNCLASSIFIED', operator: 'any UNCLASSIFIED', 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' },
  reportExploitation: { reporter: 'any UNCLASSIFIED', vendor: 'any UNCLASSIFIED', operator: 'any UNCLASSIFIED', 'clearinghouse-analyst': 'any CUI' },
  importKevCatalog: ANALYST,
  importAdvisories: ANALYST,
  getVulnerability: READERS,
  listVulnerabilities: { 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' },
  mergeVulnerabilities: ANALYST,
  splitVulnerability: ANALYST,
  undoGroupingDecision: ANALYST,
  registerOperator: OPERATOR,
  getOperator: SCAN_READERS,
  uploadAssetSbom: OPERATOR,
  enterProducts: OPERATOR,
  listNotifications: SCAN_READERS,
  acknowledgeNotification: OPERATOR,
  recordRemediation: OPERATOR,
  getExposure: { 'clearinghouse-analyst': 'any CUI', auditor: 'any CUI' },
};
