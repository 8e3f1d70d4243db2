/**
 * A scanner that claims a job and then goes silent (crashed) does not hold it past its lease: the
 * service runs with a three-second lease (SCAN_CLAIM_LEASE_MS, config), another scanner's claim is
 * refused while the lease runs and succeeds once it ended -- the test waits for that success, never
 * for a fixed time. The lapsed claimer's results are refused from then on; the new claimer's are
 * admitted; each claim is announced with its epoch and lease.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { readStream, waitFor } from '@rampart/testing';
import { call, ClearinghouseHarness } from './harness';
import { openWindow, operator, sarifLog, scanner, target, upload } from './scanning-client';

const LEASE_MS = 3_000;
const h = new ClearinghouseHarness({ SCAN_CLAIM_LEASE_MS: String(LEASE_MS) });
let hospital: string;
let crashed: string;
let standby: string;

beforeAll(async () => {
  await h.start();
  [hospital, crashed, standby] = await Promise.all([operator(h, 'rural-hospital'), scanner(h, 'frontier-ai'), scanner(h, 'gov-scanner')]);
}, 90_000);
afterAll(() => h.stop());

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);
const claim = (token: string, jobId: string) => call<v1.ClaimScanJobResponse>(h.client, 'claimScanJob', { jobId }, token);

it('lets another scanner claim a job once the first claim\'s lease ended; only the new claimer returns results', async () => {
  await call(h.client, 'fileScanRequest', { targets: [target(v1.ScanTargetKind.SCAN_TARGET_KIND_CIDR, '93.184.217.0/24')], scope: [v1.ScanKind.SCAN_KIND_VULNERABILITY], window: openWindow() }, hospital);
  const listed = await call<v1.ListScanJobsResponse>(h.client, 'listScanJobs', { pageSize: 100 }, standby);
  const job = listed.scanJobs.find((j) => j.targets.some((t) => t.value === '93.184.217.0/24'))!;

  const first = await claim(crashed, job.id);
  const refused = await failure(claim(standby, job.id));
  // Refused while the lease runs (three seconds: ample for two calls on a loaded machine; the injected-clock test in
  // scanning-claims.integration covers the edge exactly).
  expect([refused.code, refused.details]).toEqual([status.FAILED_PRECONDITION, `scan job ${job.id} is already claimed by another scanner`]);

  // The first scanner says nothing more. The positive signal: the standby's claim succeeds.
  let taken: v1.ClaimScanJobResponse | undefined;
  await waitFor('the standby scanner\'s claim after the lease', async () => {
    taken = await claim(standby, job.id).catch((e: ServiceError) => {
      if (e.code !== status.FAILED_PRECONDITION) throw e;
      return undefined;
    });
    return taken !== undefined;
  }, 30_000);
  expect(taken!.scanJob!.claimTime!.getTime()).toBeGreaterThanOrEqual(first.scanJob!.claimTime!.getTime() + LEASE_MS);
  // The job is listed as open again only while nobody holds it: now it is held.
  const after = await call<v1.ListScanJobsResponse>(h.client, 'listScanJobs', { pageSize: 100 }, crashed);
  expect(after.scanJobs.map((j) => j.id)).not.toContain(job.id);

  // The lapsed claimer comes back: its results and its claim are refused; the new claimer's are admitted.
  const log = Buffer.from(JSON.stringify(sarifLog(['https://93.184.217.9/'])));
  const late = await failure(upload(h, crashed, job.id, log));
  expect(late.code).toBe(status.FAILED_PRECONDITION);
  expect((await failure(claim(crashed, job.id))).code).toBe(status.FAILED_PRECONDITION);
  const admitted = await upload(h, standby, job.id, log);
  expect(admitted.admitted).toHaveLength(1);

  await waitFor('both claimed events', async () => (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.event.subject === job.id && m.subject.endsWith('.scan.claimed')).length === 2);
  const claimed = (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.event.subject === job.id && m.subject.endsWith('.scan.claimed')).map((m) => m.event.data);
  expect(claimed).toEqual([
    expect.objectContaining({ scanner: 'frontier-ai', epoch: 0, revision: 1, leaseEndsAt: expect.any(String) }),
    expect.objectContaining({ scanner: 'gov-scanner', epoch: 1, revision: 2, leaseEndsAt: expect.any(String) }),
  ]);
}, 60_000);
