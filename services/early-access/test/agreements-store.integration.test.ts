/**
 * Publishing agreement versions on the real database engine, as two replicas would (two stores,
 * each with its own locks): the `<kind>:<version>` insert is the compare-and-set, so of two
 * concurrent publishes of one kind exactly one wins, publishes of different kinds never get in each
 * other's way, and neither a lost race nor a crash between a version's insert and its head's update
 * leaves a kind that can no longer be published.
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError } from '@rampart/errors';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { ALL_AGREEMENT_KINDS, contentHash, publishAgreement, type AgreementKind } from '../src/domain/agreements';
import { EarlyAccessStore } from '../src/store';

const database = uniqueDatabase('agreements');
let a: EarlyAccessStore;
let b: EarlyAccessStore;
beforeAll(async () => {
  [a, b] = await Promise.all([EarlyAccessStore.open(sharedServers().mongodbUri, database), EarlyAccessStore.open(sharedServers().mongodbUri, database)]);
});
afterAll(async () => {
  await a?.database.dropDatabase();
  await Promise.all([a?.close(), b?.close()]);
});

/** What PublishAgreement does: the next version after the kind's current one, stored if nobody got there first. */
async function publish(store: EarlyAccessStore, kind: AgreementKind, expectedVersion?: number): Promise<number> {
  const template = await store.publishAgreement(kind, (current) =>
    publishAgreement({ kind, title: `${kind} terms`, text: `terms ${randomUUID()}`, expectedVersion: expectedVersion ?? current[kind]?.version ?? 0, current, actor: 'officer@ostp', now: new Date() }));
  return template.version;
}

const lostRace = (r: PromiseSettledResult<number>) => r.status === 'rejected' && (r.reason instanceof ConflictError || r.reason instanceof AlreadyExistsError);

it('lets exactly one of two concurrent publishes of a kind win, and the kind stays publishable', async () => {
  for (let round = 1; round <= 3; round++) {
    const results = await Promise.allSettled([publish(a, 'confidentiality', round - 1), publish(b, 'confidentiality', round - 1)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toEqual([{ status: 'fulfilled', value: round }]);
    expect(results.filter(lostRace)).toHaveLength(1);
    expect((await b.currentAgreements()).current.confidentiality?.version).toBe(round);
  }
  expect(await publish(b, 'confidentiality')).toBe(4);
});

it('publishes different kinds at once without either losing', async () => {
  const kinds = ALL_AGREEMENT_KINDS.filter((k) => k !== 'confidentiality');
  for (let round = 1; round <= 2; round++) {
    const versions = await Promise.all(kinds.map((kind, i) => publish(i % 2 === 0 ? a : b, kind, round - 1)));
    expect(versions).toEqual(kinds.map(() => round));
    const { current } = await a.currentAgreements();
    for (const kind of kinds) expect(current[kind]?.version).toBe(round);
  }
});

it('rolls a version stored before a crash forward, so the kind stays publishable', async () => {
  // A replica stored version 3 of non_disclosure and died before moving the kind's head.
  const text = 'stored, head not moved';
  await a.agreements.insertOne({ _id: 'non_disclosure:3', kind: 'non_disclosure', version: 3, title: 'NDA', text, contentHash: contentHash('non_disclosure', 'NDA', text), publishedBy: 'officer@ostp', publishedAt: new Date() });
  // Whoever read version 2 as current is told to read again; then the next publish works.
  await expect(publish(b, 'non_disclosure', 2)).rejects.toThrow(ConflictError);
  expect(await publish(b, 'non_disclosure')).toBe(4);
  expect((await a.currentAgreements()).current.non_disclosure?.version).toBe(4);
});

it('never reports a superseded version as current, even when a late write set the head back', async () => {
  const kind: AgreementKind = 'ip_protection_and_use';
  const first = await publish(a, kind);
  const second = await publish(b, kind);
  const newest = (await a.getAgreement(kind, second))!;
  // Another replica's late head write (FerretDB updates read then write) puts the older version back.
  await a.agreementHeads.updateOne({ _id: kind }, { $set: { version: first, contentHash: (await a.getAgreement(kind, first))!.contentHash } });
  const { current } = await b.currentAgreements();
  expect(current[kind]).toEqual({ version: second, contentHash: newest.contentHash });
});
