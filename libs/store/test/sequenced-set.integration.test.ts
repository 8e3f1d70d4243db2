/**
 * SequencedSet on FerretDB: writers that add to one key at the same instant, through separate
 * connections (as separate replicas would), all keep their member -- where `$addToSet` on one
 * document loses some, being read-then-write there. Adding again changes nothing; the cap holds.
 */
import { MongoClient } from 'mongodb';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { SequencedSet, type SequencedMemberDocument } from '../src';

const database = uniqueDatabase('sequenced');
const clients: MongoClient[] = [];

beforeAll(async () => {
  for (let i = 0; i < 4; i++) clients.push(await new MongoClient(sharedServers().mongodbUri).connect());
});
afterAll(async () => {
  await clients[0]?.db(database).dropDatabase();
  await Promise.all(clients.map((c) => c.close()));
});

const setOn = (client: MongoClient, cap?: number) => new SequencedSet(client.db(database).collection<SequencedMemberDocument>('members'), cap);

it('keeps every member that concurrent writers on separate connections add to one key, each once', async () => {
  const members = Array.from({ length: 24 }, (_, i) => `report-${i}`);
  const added = await Promise.all(members.map((m, i) => setOn(clients[i % clients.length]!).add('CVE-2026-0001', m)));
  expect(added.every(Boolean)).toBe(true);
  expect((await setOn(clients[0]!).members('CVE-2026-0001')).sort()).toEqual([...members].sort());
  // Adding a member again, even from several writers at once, changes nothing.
  expect(await Promise.all(clients.map((c) => setOn(c).add('CVE-2026-0001', 'report-3')))).toEqual([false, false, false, false]);
  expect(await setOn(clients[1]!).members('CVE-2026-0001')).toHaveLength(members.length);
  expect(await setOn(clients[1]!).members('CVE-2026-0002')).toEqual([]);
});

it('refuses members beyond its cap', async () => {
  const capped = setOn(clients[0]!, 3);
  for (const m of ['a', 'b', 'c']) expect(await capped.add('key', m)).toBe(true);
  expect(await capped.add('key', 'd')).toBe(false);
  expect(await capped.members('key')).toEqual(['a', 'b', 'c']);
});
