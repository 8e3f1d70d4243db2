/**
 * `rampart clearinghouse ...`: the vulnerability clearinghouse, each role's verbs.
 * - reporter: report submit, and get/list/history of its own organisation's reports
 * - clearinghouse-analyst: report transition (valid, invalid, accepted, deferred, closed; validation with
 *   SSVC decision points and CVSS vectors), kev-import (CISA's KEV catalog), and every report
 * - auditor: get/list/history of every report
 * Report files are proto JSON of ReportDetails (see deploy/local/examples/vulnerability-report.json).
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { bearer, insecure, streamFile } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { callClearinghouse, collect, type ClearinghouseGlobals } from './clearinghouse-client';
import { describeRpcError, print, readJson, tokenFrom } from '../context';
import { registerEmbargoCommands } from './clearinghouse-embargo';
import { registerFlawCommands } from './clearinghouse-flaws';
import { registerOperatorCommands } from './clearinghouse-operators';
import { registerScanCommands } from './clearinghouse-scan';

type Globals = ClearinghouseGlobals;

const run = callClearinghouse;

const STATUSES = 'received, invalid, valid, accepted, deferred, closed';
const statusOf = (name: string) => {
  const value = v1.reportStatusFromJSON(`REPORT_STATUS_${name.toUpperCase()}`);
  if (value === v1.ReportStatus.UNRECOGNIZED) throw new Error(`unknown status ${name}: one of ${STATUSES}`);
  return value;
};
const ssvcOf = (points: string | undefined) => {
  if (points === undefined) return {};
  const [exploitation = '', automatable = '', technicalImpact = '', missionWellbeing = ''] = points.split(',').map((p) => p.trim());
  return { ssvc: { exploitation, automatable, technicalImpact, missionWellbeing } };
};

export function registerClearinghouseCommands(program: Command): void {
  const clearinghouse = program.command('clearinghouse').description('the vulnerability clearinghouse: reports and their lifecycle');
  const report = clearinghouse.command('report').description('vulnerability reports: submit (reporter), read, move through the lifecycle (clearinghouse-analyst)');
  const g = () => program.opts<Globals>();
  registerScanCommands(clearinghouse, g);
  registerEmbargoCommands(clearinghouse, g);
  registerFlawCommands(clearinghouse, g);
  registerOperatorCommands(clearinghouse, g);

  report.command('submit').description('submit a vulnerability report for your organisation (reporter)')
    .requiredOption('--file <file>', 'the report details as proto JSON, or - for stdin')
    .option('--key <key>', 'idempotency key (default: a new UUID; reuse it to retry safely)')
    .action((o: { file: string; key?: string }) => run(g(), 'submitReport', { details: v1.ReportDetails.fromJSON(readJson(o.file)), idempotencyKey: o.key ?? randomUUID() }));

  report.command('get <id>')
    .option('--full', 'with the bytes as received (base64)')
    .action((reportId: string, o: { full?: boolean }) => run(g(), 'getReport', { reportId, view: o.full ? v1.ReportView.REPORT_VIEW_FULL : v1.ReportView.REPORT_VIEW_BASIC }));

  report.command('list')
    .option('--status <status>', STATUSES)
    .option('--page-size <n>', 'per page', '20')
    .option('--page-token <token>', 'continue from a previous page')
    .action((o: { status?: string; pageSize: string; pageToken?: string }) =>
      run(g(), 'listReports', { status: o.status ? statusOf(o.status) : v1.ReportStatus.REPORT_STATUS_UNSPECIFIED, pageSize: Number(o.pageSize), pageToken: o.pageToken ?? '' }));

  report.command('transition <id>').description('move a report to its next status, saying why (clearinghouse-analyst)')
    .requiredOption('--to <status>', 'valid, invalid, accepted, deferred or closed')
    .requiredOption('--revision <n>', 'the revision you last read')
    .requiredOption('--reason <text>', 'why (repeat for several reasons)', collect, [])
    .option('--ssvc <points>', 'on validation: SSVC decision points exploitation,automatable,technical_impact,mission_wellbeing (e.g. "public poc,yes,total,high")')
    .option('--cvss <vector>', "on validation: the analyst's CVSS vector (repeat, one per version)", collect, [])
    .action((reportId: string, o: { to: string; revision: string; reason: string[]; ssvc?: string; cvss: string[] }) =>
      run(g(), 'transitionReport', { reportId, toStatus: statusOf(o.to), expectedRevision: Number(o.revision), reasons: o.reason, ...ssvcOf(o.ssvc), cvssVectors: o.cvss }));

  clearinghouse.command('kev-import <file>').description("import CISA's KEV catalog (known_exploited_vulnerabilities.json), raising listed reports' priority (clearinghouse-analyst)")
    .action(async (file: string) => {
      const client = new v1.ClearinghouseServiceClient(g().clearinghouseAddr, insecure());
      try {
        const response = await new Promise<v1.ImportKevCatalogResponse>((resolve, reject) => {
          const call = client.importKevCatalog(bearer(tokenFrom(g().token)), (e, r) => (e ? reject(describeRpcError(e)) : resolve(r)));
          streamFile(call, file, (chunk) => ({ chunk })).catch(reject);
        });
        print(v1.ImportKevCatalogResponse.toJSON(response));
      } finally {
        client.close();
      }
    });

  report.command('history <id>')
    .option('--page-token <token>', 'continue from a previous page')
    .action((reportId: string, o: { pageToken?: string }) => run(g(), 'listReportRevisions', { reportId, pageSize: 100, pageToken: o.pageToken ?? '' }));
}
