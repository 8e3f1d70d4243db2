/**
 * The access log's store on the real database engine, as two replicas would use it (two stores,
 * each with its own in-memory head and batches): concurrent appends chain into one log, reports
 * arriving together share inserts, a retried report is appended once whichever replica it reaches,
 * and the uses of a principal, recorded by both at once, all reach its baseline.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { SWEEP_ONLY } from '@rampart/events';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { ChainVerifier, type AccessUse } from '../src/domain/access-log';
import { BaselineStore } from '../src/access-log/baseline-store';
import { AccessLogStore, GENERATED, recordKey } from '../src/access-log/log-store';

let mongo: MongoClient;
const database = uniqueDatabase('accesslog');
beforeAll(async () => {
  mongo = await new MongoClient(sharedServers().mongodbUri).connect();
});
afterAll(() => mongo.close());

const replica = async () => {
  const baselines = BaselineStore.open(mongo.db(database), 100);
  const log = await AccessLogStore.open(mongo.db(database), {
    checkpointEvery: 4, signCheckpoint: (s) => Promise.resolve(`jws-${s.sequence}`), publisher: () => SWEEP_ONLY, appended: (records) => baselines.record(records),
  });
  return { log, baselines };
};
type Replica = Awaited<ReturnType<typeof replica>>;
const use = (i: number, principal: string): AccessUse => ({
  principal, principalOrganization: 'nsa', credentialId: 'c', grantId: 'g', operation: `op-${i}`, volume: i, occurredAt: new Date().toISOString(), recordedAt: new Date().toISOString(), reportedBy: 'gateway@acme',
});
const append = (r: Replica, programId: string, i: number, principal: string, reportId = `${GENERATED}${randomUUID()}`) =>
  r.log.append(programId, { use: use(i, principal), reportId, evaluate: () => ({ signals: [], events: [] }) });

async function expectChain(r: Replica, programId: string, length: number): Promise<void> {
  const records = await r.log.records(programId, 1, length + 1);
  expect(records.slice(0, length).every((x) => x !== undefined)).toBe(true);
  expect(records[length]).toBeUndefined();
  const verifier = new ChainVerifier(programId);
  records.slice(0, length).forEach((x, i) => verifier.next(i + 1, x));
  expect(verifier.finish()).toBeUndefined();
}

it('chains concurrent appends from two replicas into one log, and loses no baseline use', async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  const programId = randomUUID();
  const principal = `p-${randomUUID()}`;
  await Promise.all(Array.from({ length: 60 }, (_, i) => append(i % 2 === 0 ? a : b, programId, i, principal)));

  await expectChain(a, programId, 60);
  const records = await a.log.records(programId, 1, 60);
  expect(new Set(records.map((r) => r!.use.operation)).size).toBe(60);
  // Every use reached the baseline (it keeps 100), whichever replica recorded it.
  const baseline = await BaselineStore.open(mongo.db(database), 100).uses(programId, 'nsa', principal);
  expect(baseline.map((u) => u.sequence)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  expect(await a.log.lastSequence(programId)).toBe(60);
  // A checkpoint at the first record and every 4th, whichever batch each fell in.
  const checkpoints = await a.log.allCheckpoints(programId);
  expect(checkpoints.map((c) => c.sequence)).toEqual([1, ...Array.from({ length: 15 }, (_, i) => 4 * (i + 1))]);
  expect(checkpoints.every((c) => c.hash === records[c.sequence - 1]!.hash)).toBe(true);
});

it('writes reports that arrive together in one insert', async () => {
  const a = await replica();
  const programId = randomUUID();
  await append(a, programId, 0, 'p');
  // While the first is written, the next nine wait and go in together.
  await Promise.all(Array.from({ length: 10 }, (_, i) => append(a, programId, i + 1, 'p')));
  const docs = await a.log.log.find({ programId }, { projection: { sequence: 1, batchEnd: 1 } }).sort({ _id: 1 }).toArray();
  expect(docs.map((d) => d.sequence)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  expect(new Set(docs.map((d) => d.batchEnd)).size).toBeLessThanOrEqual(3);
  await expectChain(a, programId, 11);
});

it('learns another replica\'s head by `_id` reads forward, a batch at a time', async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  const programId = randomUUID();
  await append(a, programId, 0, 'p');
  await append(b, programId, 1, 'p');
  // a's head is one behind; a's next insert loses to b's records and follows them.
  await Promise.all(Array.from({ length: 12 }, (_, i) => append(b, programId, i + 2, 'p')));
  const { record } = await append(a, programId, 99, 'p');
  expect(record.sequence).toBe(15);
  await expectChain(a, programId, 15);
});

it('appends a retried report once, on the same replica or another, and answers it with the first record', async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  const programId = randomUUID();
  const reportId = randomUUID();
  const first = await append(a, programId, 1, 'p', reportId);
  expect(first.replayed).toBe(false);
  const againHere = await append(a, programId, 1, 'p', reportId);
  expect(againHere).toMatchObject({ replayed: true, record: first.record });
  const elsewhere = await append(b, programId, 1, 'p', reportId);
  expect(elsewhere).toMatchObject({ replayed: true, record: first.record });
  await append(b, programId, 2, 'p');
  await expectChain(a, programId, 2);
});

it('appends a report retried at two replicas at once exactly once', async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  const programId = randomUUID();
  await append(a, programId, 0, 'p');
  const ids = Array.from({ length: 10 }, () => randomUUID());
  // Each report reaches both replicas concurrently, amid other reports.
  const results = await Promise.all(ids.flatMap((id, i) => [append(a, programId, i + 1, 'p', id), append(b, programId, i + 1, 'p', id), append(i % 2 ? a : b, programId, 100 + i, 'p')]));
  await expectChain(a, programId, 21);
  const docs = await a.log.log.find({ programId }, { projection: { reportKey: 1 } }).toArray();
  expect(new Set(docs.map((d) => d.reportKey)).size).toBe(21);
  for (let i = 0; i < ids.length; i++) {
    const [x, y] = [results[3 * i]!, results[3 * i + 1]!];
    expect(x.record).toEqual(y.record);
    expect([x.replayed, y.replayed].sort()).toEqual([false, true]);
  }
  // The second replica's copy of a record is the stored one.
  const stored = await a.log.log.findOne({ _id: recordKey(programId, results[1]!.record.sequence) });
  expect(stored?.hash).toBe(results[1]!.record.hash);
});
