/**
 * The access log's store on the real database engine, as two replicas would use it (two stores,
 * each with its own in-memory head and locks): concurrent appends chain into one log, and the
 * first uses of a principal, recorded by both at once, all reach its baseline.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { SWEEP_ONLY } from '@rampart/events';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { ChainVerifier, type AccessUse } from '../src/domain/access-log';
import { BaselineStore } from '../src/baseline-store';
import { AccessLogStore } from '../src/log-store';

let mongo: MongoClient;
const database = uniqueDatabase('accesslog');
beforeAll(async () => {
  mongo = await new MongoClient(sharedServers().mongodbUri).connect();
});
afterAll(() => mongo.close());

const replica = async () => ({
  log: await AccessLogStore.open(mongo.db(database), { checkpointEvery: 4, signCheckpoint: () => Promise.resolve('jws'), publisher: () => SWEEP_ONLY }),
  baselines: BaselineStore.open(mongo.db(database), 100),
});
const use = (i: number, principal: string): AccessUse => ({
  principal, principalOrganization: 'nsa', credentialId: 'c', grantId: 'g', operation: `op-${i}`, volume: i, occurredAt: new Date().toISOString(), recordedAt: new Date().toISOString(), reportedBy: 'gateway@acme',
});

it('chains concurrent appends from two replicas into one log, and loses no baseline use', async () => {
  const [a, b] = await Promise.all([replica(), replica()]);
  const programId = randomUUID();
  const principal = `p-${randomUUID()}`;
  const appendOne = async (r: Awaited<ReturnType<typeof replica>>, i: number) => {
    const { record } = await r.log.append(programId, use(i, principal), () => ({ signals: [], events: [] }));
    await r.baselines.add(programId, 'nsa', principal, { sequence: record.sequence, volume: i });
  };
  await Promise.all(Array.from({ length: 30 }, (_, i) => appendOne(i % 2 === 0 ? a : b, i)));

  const records = await a.log.records(programId, 1, 31);
  expect(records.slice(0, 30).every((r) => r !== undefined)).toBe(true);
  expect(records[30]).toBeUndefined();
  const verifier = new ChainVerifier(programId);
  records.slice(0, 30).forEach((r, i) => verifier.next(i + 1, r));
  expect(verifier.finish()).toBeUndefined();
  expect(new Set(records.slice(0, 30).map((r) => r!.use.operation)).size).toBe(30);
  // Every use reached the baseline (it keeps 100), whichever replica recorded it.
  const baseline = await BaselineStore.open(mongo.db(database), 100).uses(programId, 'nsa', principal);
  expect(baseline.map((u) => u.sequence).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
  expect(await a.log.lastSequence(programId)).toBe(30);
});
