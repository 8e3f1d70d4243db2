/**
 * `rampart clearinghouse scan ...`: coordinated scanning.
 * - operator: scan request (file), requests, get, cancel, findings (of its own requests)
 * - reporter (a scanner): scan jobs, claim, upload (a SARIF 2.1.0 log, streamed)
 * - clearinghouse-analyst, auditor: requests, get, findings, jobs of every operator
 * Targets are written `kind:value` (host:203.0.113.7, cidr:198.51.100.0/24, domain:hospital.org,
 * domain:*.hospital.org for its subdomains too, repository:https://github.com/acme/app).
 */
import type { Command } from 'commander';
import { bearer, insecure, streamFile } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { callClearinghouse, collect, type ClearinghouseGlobals } from './clearinghouse-client';
import { describeRpcError, print, tokenFrom } from '../context';

type Globals = ClearinghouseGlobals;

const run = callClearinghouse;


/** `kind:value`; the service checks the value (and names the target that is wrong). */
function targetOf(text: string): v1.ScanTarget {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon).toUpperCase();
  const value = text.slice(colon + 1);
  const wildcard = kind === 'DOMAIN' && value.startsWith('*.');
  return { kind: v1.scanTargetKindFromJSON(`SCAN_TARGET_KIND_${kind}`), value: wildcard ? value.slice(2) : value, includeSubdomains: wildcard };
}

const kindOf = (name: string) => v1.scanKindFromJSON(`SCAN_KIND_${name.toUpperCase().replace(/-/g, '_')}`);

export function registerScanCommands(clearinghouse: Command, g: () => Globals): void {
  const scan = clearinghouse.command('scan').description('coordinated scanning: requests (operator), jobs, claims and SARIF results (reporter)');

  scan.command('request').description("file a scan request for your organisation's own targets (operator)")
    .requiredOption('--target <kind:value>', 'host:, cidr:, domain: (domain:*.name with subdomains) or repository: (repeat)', collect, [])
    .requiredOption('--scope <kind>', 'passive, discovery, vulnerability, authenticated or source-code (repeat)', collect, [])
    .requiredOption('--start <time>', 'window start with its zone, e.g. 2026-05-01T17:00:00-04:00[America/New_York]')
    .requiredOption('--end <time>', 'window end with its zone')
    .action((o: { target: string[]; scope: string[]; start: string; end: string }) =>
      run(g(), 'fileScanRequest', { targets: o.target.map(targetOf), scope: o.scope.map(kindOf), window: { start: o.start, end: o.end } }));

  scan.command('requests').description('list scan requests (an operator its own)')
    .option('--page-size <n>', 'per page', '20').option('--page-token <token>', 'continue from a previous page')
    .action((o: { pageSize: string; pageToken?: string }) => run(g(), 'listScanRequests', { pageSize: Number(o.pageSize), pageToken: o.pageToken ?? '' }));

  scan.command('get <requestId>').action((requestId: string) => run(g(), 'getScanRequest', { requestId }));

  scan.command('cancel <requestId>').description('withdraw your scan request (operator)').requiredOption('--reason <text>')
    .action((requestId: string, o: { reason: string }) => run(g(), 'cancelScanRequest', { requestId, reason: o.reason }));

  scan.command('findings <requestId>').description("findings admitted for one of your requests (operator)")
    .option('--page-token <token>', 'continue from a previous page')
    .action((requestId: string, o: { pageToken?: string }) => run(g(), 'listScanFindings', { requestId, pageSize: 100, pageToken: o.pageToken ?? '' }));

  scan.command('jobs').description('open scan jobs to claim (reporter)')
    .option('--page-token <token>', 'continue from a previous page')
    .action((o: { pageToken?: string }) => run(g(), 'listScanJobs', { pageSize: 100, pageToken: o.pageToken ?? '' }));

  scan.command('claim <jobId>').description('claim a job for your organisation (reporter)').action((jobId: string) => run(g(), 'claimScanJob', { jobId }));

  scan.command('upload <jobId> <file>').description('return the SARIF 2.1.0 log of a job you claimed (reporter)')
    .action(async (jobId: string, file: string) => {
      const client = new v1.ClearinghouseServiceClient(g().clearinghouseAddr, insecure());
      try {
        const response = await new Promise<v1.UploadScanResultsResponse>((resolve, reject) => {
          const call = client.uploadScanResults(bearer(tokenFrom(g().token)), (e, r) => (e ? reject(describeRpcError(e)) : resolve(r)));
          call.write({ part: { $case: 'header', value: { jobId } } });
          streamFile(call, file, (chunk) => ({ part: { $case: 'chunk' as const, value: chunk } })).catch(reject);
        });
        print(v1.UploadScanResultsResponse.toJSON(response));
      } finally {
        client.close();
      }
    });
}
