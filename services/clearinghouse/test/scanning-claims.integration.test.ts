/**
 * Scan claims' leases on real FerretDB, the clock injected (no waiting): a claim holds its job to
 * the millisecond its lease ends and not after; a claimer that crashed after its units but before
 * its claim blocks the job only as long; a lapsed job is planned (listed) again; and when many
 * scanners on separate connections (as separate replicas) claim a lapsed job at once, exactly one
 * organisation wins the next epoch -- each epoch's `_id` insert is the arbiter.
 */
import { MongoClient } from 'mongodb';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { validateScanRequest, type ScanJob } from '../src/domain/coordination';
import { claimJob } from '../src/scanning/claiming';
import { planOpenJobs } from '../src/scanning/planning';
import { ScanStore } from '../src/scanning/scan-store';

const LEASE = 60_000;
const database = uniqueDatabase('scan-claims');
const clients: MongoClient[] = [];
const stores: ScanStore[] = [];
const t0 = new Date(Date.now() + 60_000);
const at = (ms: number) => new Date(t0.getTime() + ms);
const scannerOf = (organization: string) => ({ organization, subject: `scanner@${organization}` });
const refusal = (p: Promise<unknown>) => p.then(() => 'claimed', (e: Error) => e.message);

beforeAll(async () => {
  for (let i = 0; i < 3; i++) {
    clients.push(await new MongoClient(sharedServers().mongodbUri).connect());
    stores.push(await ScanStore.open(clients[i]!.db(database), { claimLeaseMs: LEASE }));
  }
});
afterAll(async () => {
  await clients[0]?.db(database).dropDatabase();
  await Promise.all(clients.map((c) => c.close()));
});

let requestCount = 0;
/** One operator's request for `cidr`, and the one job planned for it. */
async function jobFor(cidr: string): Promise<ScanJob> {
  const now = new Date();
  const request = validateScanRequest({ targets: [{ kind: 'cidr', value: cidr }], scope: ['vulnerability'], window: { start: new Date(now.getTime() - 60_000).toISOString(), end: new Date(now.getTime() + 3_600_000).toISOString() } },
    `0190a000-0000-7000-8000-${String(++requestCount).padStart(12, '0')}`, { organization: 'rural-hospital', subject: 'ops@rural-hospital' }, now);
  await stores[0]!.insertRequest(request, []);
  const jobs = (await planOpenJobs(stores[0]!, now)).filter((j) => j.serves.some((s) => s.requestId === request.id));
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

it('holds a job to the end of its lease; then another scanner takes the next epoch, and the job is planned again meanwhile', async () => {
  const job = await jobFor('93.184.230.0/24');
  const first = await claimJob(stores[0]!, job, scannerOf('frontier-ai'), t0);
  expect(first.claim).toMatchObject({ organization: 'frontier-ai', epoch: 0, leaseEndsAt: at(LEASE) });
  expect(await refusal(claimJob(stores[1]!, job, scannerOf('gov-scanner'), at(LEASE - 1)))).toBe(`scan job ${job.id} is already claimed by another scanner`);
  expect((await planOpenJobs(stores[0]!, at(LEASE - 1))).map((j) => j.id)).not.toContain(job.id);

  // Lapsed: listed again, and claimable.
  expect((await planOpenJobs(stores[0]!, at(LEASE))).map((j) => j.id)).toContain(job.id);
  const second = await claimJob(stores[1]!, job, scannerOf('gov-scanner'), at(LEASE));
  expect(second.claim).toMatchObject({ organization: 'gov-scanner', epoch: 1, leaseEndsAt: at(2 * LEASE) });
  expect(await stores[2]!.latestClaim(job.id)).toMatchObject({ organization: 'gov-scanner', epoch: 1 });
  expect(await refusal(claimJob(stores[0]!, job, scannerOf('frontier-ai'), at(LEASE + 1)))).toMatch(/already claimed by another scanner/);
  expect((await stores[0]!.unitsOfRequest({ id: job.serves[0]!.requestId, scope: ['vulnerability'] }, at(LEASE + 1))).map((u) => [u.organization, u.claimEpoch])).toEqual([['gov-scanner', 1]]);
});

it('a claimer that crashed between its units and its claim blocks the job until their lease ends, no longer', async () => {
  const job = await jobFor('93.184.231.0/24');
  // What the crashed claimer left: its units, no claim.
  for (const s of job.serves) {
    expect(await stores[0]!.insertUnit({ requestId: s.requestId, kind: job.kind, jobId: job.id, organization: 'frontier-ai', claimedAt: t0, claimEpoch: 0, leaseEndsAt: at(LEASE) }, 0)).toEqual({ inserted: true });
  }
  expect(await stores[0]!.latestClaim(job.id)).toBeUndefined();
  expect(await refusal(claimJob(stores[1]!, job, scannerOf('gov-scanner'), at(LEASE - 1)))).toBe(`scan job ${job.id} is already claimed by another scanner`);
  const taken = await claimJob(stores[1]!, job, scannerOf('gov-scanner'), at(LEASE));
  expect(taken.claim).toMatchObject({ organization: 'gov-scanner', epoch: 0 });
});

it('a crashed claimer\'s own retry keeps no longer than its units\' lease', async () => {
  const job = await jobFor('93.184.232.0/24');
  for (const s of job.serves) await stores[0]!.insertUnit({ requestId: s.requestId, kind: job.kind, jobId: job.id, organization: 'frontier-ai', claimedAt: t0, claimEpoch: 0, leaseEndsAt: at(LEASE) }, 0);
  const retried = await claimJob(stores[0]!, job, scannerOf('frontier-ai'), at(LEASE / 2));
  expect(retried.claim).toMatchObject({ organization: 'frontier-ai', epoch: 0, leaseEndsAt: at(LEASE) });
});

it('of many scanners claiming a lapsed job at once on separate connections, exactly one organisation wins the next epoch', async () => {
  const job = await jobFor('93.184.233.0/24');
  await claimJob(stores[0]!, job, scannerOf('crashed-lab'), t0);
  const orgs = ['frontier-ai', 'gov-scanner', 'university-lab', 'utility-red-team', 'bank-isac', 'state-cyber'];
  const outcomes = await Promise.all(orgs.flatMap((org, i) => [0, 1].map(() => claimJob(stores[i % stores.length]!, job, scannerOf(org), at(LEASE)).then((c) => c.claim, (e: Error) => e.message))));
  const won = outcomes.filter((o): o is Exclude<typeof o, string> => typeof o !== 'string');
  expect(won.length).toBeGreaterThanOrEqual(1);
  expect(new Set(won.map((c) => `${c.organization}#${c.epoch}`)).size).toBe(1);
  const winner = won[0]!;
  expect(winner.epoch).toBe(1);
  for (const lost of outcomes.filter((o): o is string => typeof o === 'string')) expect(lost).toMatch(/already claimed by another scanner/);
  expect(await stores[0]!.latestClaim(job.id)).toMatchObject({ organization: winner.organization, epoch: 1 });
  const units = await stores[1]!.unitsOfRequest({ id: job.serves[0]!.requestId, scope: ['vulnerability'] }, at(LEASE));
  expect(units.map((u) => [u.organization, u.claimEpoch])).toEqual([[winner.organization, 1]]);
});
