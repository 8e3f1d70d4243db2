/**
 * Coordinated scanning end to end: the service as its own process on real nats-server, FerretDB
 * and Jaeger, over gRPC on loopback. Operators file requests; overlapping ones are served by one
 * job; one scanner claims it; its SARIF results are admitted inside the job's targets and window
 * only, and shown to the operators whose targets hold them; every step is an event.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { readStream, waitFor } from '@rampart/testing';
import { call, ClearinghouseHarness } from './harness';
import { openWindow, operator, sarifLog, scanner, target, upload } from './scanning-client';

const h = new ClearinghouseHarness();
const T = v1.ScanTargetKind;
const K = v1.ScanKind;
let hospital: string;
let bank: string;
let scannerA: string;
let scannerB: string;
let analyst: string;

beforeAll(async () => {
  await h.start();
  [hospital, bank, scannerA, scannerB, analyst] = await Promise.all([operator(h, 'rural-hospital'), operator(h, 'community-bank'), scanner(h, 'frontier-ai'), scanner(h, 'gov-scanner'), h.analyst()]);
}, 90_000);
afterAll(() => h.stop());

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);

function file(token: string, targets: v1.ScanTarget[], scope: v1.ScanKind[] = [K.SCAN_KIND_VULNERABILITY], window = openWindow()): Promise<v1.ScanRequest> {
  return call<v1.FileScanRequestResponse>(h.client, 'fileScanRequest', { targets, scope, window }, token).then((r) => r.scanRequest!);
}

async function jobs(token: string): Promise<v1.ScanJob[]> {
  return (await call<v1.ListScanJobsResponse>(h.client, 'listScanJobs', { pageSize: 100 }, token)).scanJobs;
}

const getRequest = (token: string, requestId: string) => call<v1.GetScanRequestResponse>(h.client, 'getScanRequest', { requestId }, token).then((r) => r.scanRequest!);

async function scanEvents(subject: string): Promise<string[]> {
  return (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.event.subject === subject).map((m) => m.subject);
}

describe('two operators, one scan', () => {
  let hospitalRequest: v1.ScanRequest;
  let bankRequest: v1.ScanRequest;
  let job: v1.ScanJob;

  it('files each operator request with its event; overlapping requests are served by ONE job that names no operator', async () => {
    hospitalRequest = await file(hospital, [target(T.SCAN_TARGET_KIND_CIDR, '93.184.216.0/24')]);
    bankRequest = await file(bank, [target(T.SCAN_TARGET_KIND_HOST, '93.184.216.34'), target(T.SCAN_TARGET_KIND_HOST, 'online.community-bank.org')]);
    expect(hospitalRequest).toMatchObject({ operator: 'rural-hospital', requestedBy: 'ops@rural-hospital', status: v1.ScanRequestStatus.SCAN_REQUEST_STATUS_OPEN, scope: [K.SCAN_KIND_VULNERABILITY], serving: [] });
    await waitFor('the requested events', async () => (await scanEvents(hospitalRequest.id)).length === 1 && (await scanEvents(bankRequest.id)).length === 1);
    expect(await scanEvents(hospitalRequest.id)).toEqual(['rampart.clearinghouse.scan.requested']);

    const touching = (await jobs(scannerA)).filter((j) => j.targets.some((t) => t.value.startsWith('93.184.216.')));
    expect(touching).toHaveLength(1);
    job = touching[0]!;
    expect(job).toMatchObject({ kind: K.SCAN_KIND_VULNERABILITY, claimTime: undefined });
    expect(job.targets.map((t) => t.value).sort()).toEqual(['93.184.216.0/24', 'online.community-bank.org']);
    // Listing again plans the same job (its id derives from what it is).
    expect((await jobs(scannerB)).map((j) => j.id)).toContain(job.id);
    const wire = JSON.stringify(v1.ListScanJobsResponse.toJSON({ scanJobs: [job], nextPageToken: '' }));
    expect(wire).not.toMatch(/rural-hospital|ops@|operator|requestId/);
  });

  it('lets one scanner claim the job; a second claim fails with the reason; the claimer\'s retry gets its claim', async () => {
    const claimed = await call<v1.ClaimScanJobResponse>(h.client, 'claimScanJob', { jobId: job.id }, scannerA);
    expect(claimed.scanJob).toMatchObject({ id: job.id, claimTime: expect.any(Date) });

    const second = await failure(call(h.client, 'claimScanJob', { jobId: job.id }, scannerB));
    expect(second.code).toBe(status.FAILED_PRECONDITION);
    expect(second.details).toBe(`scan job ${job.id} is already claimed by another scanner`);
    const retry = await call<v1.ClaimScanJobResponse>(h.client, 'claimScanJob', { jobId: job.id }, scannerA);
    expect(retry.scanJob!.claimTime).toEqual(claimed.scanJob!.claimTime);

    // Both requests show the one job serving them; the job leaves the open list.
    for (const [token, id] of [[hospital, hospitalRequest.id], [bank, bankRequest.id]] as const) {
      expect((await getRequest(token, id)).serving).toEqual([{ kind: K.SCAN_KIND_VULNERABILITY, jobId: job.id, claimTime: claimed.scanJob!.claimTime }]);
    }
    expect((await jobs(scannerB)).map((j) => j.id)).not.toContain(job.id);
    await waitFor('the claimed event', async () => (await scanEvents(job.id)).includes('rampart.clearinghouse.scan.claimed'));
  });

  it('admits the in-scope SARIF result and refuses the out-of-scope one with its reason; only the operator whose target holds it sees the finding', async () => {
    const log = Buffer.from(JSON.stringify(sarifLog(['https://93.184.216.50:8443/login', 'https://8.8.8.8/'])));
    const other = await failure(upload(h, scannerB, job.id, log));
    expect(other.code).toBe(status.FAILED_PRECONDITION); // only the claimer returns results

    const answer = await upload(h, scannerA, job.id, log);
    expect(answer).toMatchObject({ jobId: job.id, admittedCount: 1, refusedCount: 1, sizeBytes: log.length });
    expect(answer.admitted).toEqual([{ pointer: '/runs/0/results/0', reportId: expect.stringMatching(/^[0-9a-f-]{36}$/), ruleId: 'TLS001', fingerprint: expect.stringMatching(/^sha256:/) }]);
    expect(answer.refused).toEqual([{ pointer: '/runs/0/results/1', reasons: ['"8.8.8.8" is outside every target of the job'] }]);

    // The finding is a report of the scanner's organisation, source SARIF.
    const reportId = answer.admitted[0]!.reportId;
    const { report } = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId }, await h.reporter('frontier-ai'));
    expect(report).toMatchObject({ organization: 'frontier-ai', source: v1.ReportSource.REPORT_SOURCE_SARIF, details: { cweIds: ['CWE-327'], discovery: { method: v1.DiscoveryMethod.DISCOVERY_METHOD_SCANNER, toolName: 'frontier-scanner' } } });

    // .50 is in the hospital's /24, not among the bank's hosts: the hospital sees it, the bank does not.
    const seen = await call<v1.ListScanFindingsResponse>(h.client, 'listScanFindings', { requestId: hospitalRequest.id }, hospital);
    expect(seen.findings).toEqual([expect.objectContaining({ reportId, jobId: job.id, ruleId: 'TLS001', level: 'error', locationUri: 'https://93.184.216.50:8443/login', cweIds: ['CWE-327'] })]);
    expect((await call<v1.ListScanFindingsResponse>(h.client, 'listScanFindings', { requestId: bankRequest.id }, bank)).findings).toEqual([]);

    // The same log again is the same report: nothing new is stored.
    const again = await upload(h, scannerA, job.id, log);
    expect(again.admitted[0]!.reportId).toBe(reportId);
    expect((await call<v1.ListScanFindingsResponse>(h.client, 'listScanFindings', { requestId: hospitalRequest.id }, hospital)).findings).toHaveLength(1);
    await waitFor('the reported events', async () => (await scanEvents(job.id)).filter((s) => s === 'rampart.clearinghouse.scan.reported').length === 2);
    await waitFor('the report\'s received event', async () => (await h.eventsFor(reportId)).length === 1);
  });

  it('refuses another operator\'s request id in the same words as a missing one', async () => {
    const missing = randomUUID();
    for (const rpc of ['getScanRequest', 'listScanFindings'] as const) {
      const foreign = await failure(call(h.client, rpc, { requestId: hospitalRequest.id }, bank));
      const absent = await failure(call(h.client, rpc, { requestId: missing }, bank));
      expect([foreign.code, absent.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND]);
      expect(foreign.details.replace(hospitalRequest.id, '<id>')).toBe(absent.details.replace(missing, '<id>'));
    }
    const cancel = await failure(call(h.client, 'cancelScanRequest', { requestId: hospitalRequest.id, reason: 'not mine' }, bank));
    expect(cancel.code).toBe(status.NOT_FOUND);
    // A listing holds the caller's own requests only; an analyst reads every one.
    const listed = await call<v1.ListScanRequestsResponse>(h.client, 'listScanRequests', { pageSize: 100 }, bank);
    expect(new Set(listed.scanRequests.map((r) => r.operator))).toEqual(new Set(['community-bank']));
    expect((await getRequest(analyst, hospitalRequest.id)).operator).toBe('rural-hospital');
  });
});

describe('refusals', () => {
  let jobId: string;

  beforeAll(async () => {
    await file(hospital, [target(T.SCAN_TARGET_KIND_CIDR, '81.2.69.0/24')]);
    jobId = (await jobs(scannerA)).find((j) => j.targets.some((t) => t.value === '81.2.69.0/24'))!.id;
    await call(h.client, 'claimScanJob', { jobId }, scannerA);
  });

  it('refuses a bad request with every violation at once', async () => {
    const error = await failure(call(h.client, 'fileScanRequest', {
      targets: [target(T.SCAN_TARGET_KIND_CIDR, '10.0.0.0/8'), target(T.SCAN_TARGET_KIND_UNSPECIFIED, 'x')],
      scope: [K.SCAN_KIND_VULNERABILITY, 99 as v1.ScanKind], window: { start: '2026-05-01T17:00:00', end: '' },
    }, hospital));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error.metadata).map((v) => v.field).sort()).toEqual(['scope[1]', 'targets[0].value', 'targets[1].kind', 'window.end', 'window.start']);
  });

  it('refuses malformed SARIF with INVALID_ARGUMENT listing every error with its JSON pointer', async () => {
    const log = sarifLog(['https://81.2.69.7/']) as { runs: Record<string, unknown>[] };
    const run = log.runs[0]!;
    (run.tool as { driver: Record<string, unknown> }).driver = { version: 1 };
    const result = (run.results as Record<string, unknown>[])[0]!;
    result.level = 'fatal';
    result.locations = 'everywhere';
    const error = await failure(upload(h, scannerA, jobId, Buffer.from(JSON.stringify(log))));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violations = fieldViolationsOf(error.metadata);
    expect(violations).toEqual(expect.arrayContaining([
      { field: 'sarif/runs/0/tool/driver/name', description: 'is required' },
      { field: 'sarif/runs/0/tool/driver/version', description: expect.stringContaining('string') },
      { field: 'sarif/runs/0/results/0/level', description: expect.stringContaining('allowed values') },
      { field: 'sarif/runs/0/results/0/locations', description: expect.stringContaining('array') },
    ]));

    const notJson = await failure(upload(h, scannerA, jobId, Buffer.from('{"version": "2.1.0", "runs": [')));
    expect(notJson.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(notJson.metadata)).toEqual([{ field: 'sarif', description: expect.stringContaining('is not JSON') }]);
  });

  it('refuses a huge upload without reading it whole, and keeps serving', async () => {
    const huge = Buffer.alloc(9 * 1024 * 1024, 0x20);
    const error = await failure(upload(h, scannerA, jobId, huge, 512 * 1024));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error.metadata)).toEqual([{ field: 'chunk', description: expect.stringContaining('larger than 8388608 bytes') }]);
    // One message past the transport's limit is refused by gRPC itself.
    const oversized = await failure(upload(h, scannerA, jobId, Buffer.alloc(2 * 1024 * 1024, 0x20), 2 * 1024 * 1024));
    expect(oversized.code).toBe(status.RESOURCE_EXHAUSTED);
    // The process is alive and answers.
    expect((await getRequest(analyst, (await file(hospital, [target(T.SCAN_TARGET_KIND_HOST, '81.2.70.1')])).id)).status).toBe(v1.ScanRequestStatus.SCAN_REQUEST_STATUS_OPEN);
  });

  it('cancels a request for its operator: its event is written, and no job serves it any more', async () => {
    const request = await file(bank, [target(T.SCAN_TARGET_KIND_HOST, 'branch.community-bank.org')], [K.SCAN_KIND_PASSIVE]);
    expect((await jobs(scannerA)).some((j) => j.targets.some((t) => t.value === 'branch.community-bank.org'))).toBe(true);
    const { scanRequest } = await call<v1.CancelScanRequestResponse>(h.client, 'cancelScanRequest', { requestId: request.id, reason: 'maintenance window moved' }, bank);
    expect(scanRequest).toMatchObject({ status: v1.ScanRequestStatus.SCAN_REQUEST_STATUS_CANCELLED, cancelReason: 'maintenance window moved' });
    expect((await jobs(scannerA)).some((j) => j.targets.some((t) => t.value === 'branch.community-bank.org'))).toBe(false);
    await waitFor('the cancelled event', async () => (await scanEvents(request.id)).includes('rampart.clearinghouse.scan.cancelled'));
  });
});
