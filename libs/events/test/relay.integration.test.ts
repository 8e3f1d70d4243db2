/**
 * The outbox relay on real nats-server and FerretDB: a write's events go out from the request path
 * and exactly those entries leave the document; a failed publish, a crash (entries nobody was told
 * of) and another replica's leftovers are caught up by the sweep, each event once in the stream and
 * one document's events in order. Every "did not happen" is checked after a later event went out.
 */
import type { Collection } from 'mongodb';
import { DocumentLocks, OutboxRelay, type OutboxDocument } from '@rampart/events';
import { uniqueDatabase, waitFor } from '@rampart/testing';
import { EventServers, HOUR, silentLogger as logger } from './event-servers';

let servers: EventServers;
let things: Collection<OutboxDocument>;
const relays: OutboxRelay[] = [];
let seq = 0;
const entry = (id: string | number, ageMs = 0) => servers.entry(id, ageMs);
const published = () => servers.published();

beforeAll(async () => {
  servers = await EventServers.start('relaytest');
  things = servers.mongo.db(uniqueDatabase('relay')).collection<OutboxDocument>('things');
}, 60_000);

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});

afterAll(async () => {
  await servers?.stop();
});

function relay(locks = new DocumentLocks(), options: { sweepIntervalMs?: number; graceMs?: number; publishTimeoutMs?: number } = {}): OutboxRelay {
  const r = new OutboxRelay({ collection: things, js: servers.js, logger, locks, sweepIntervalMs: HOUR, ...options });
  relays.push(r);
  return r;
}

const count = (ids: string[], id: string) => ids.filter((x) => x === id).length;
const outboxOf = async (id: string | number) => ((await things.findOne({ _id: id }))?.outbox ?? []).map((e) => e.id);

/** Starts a relay and returns once its start-up sweep has run (it published a canary left before start). */
async function started(r: OutboxRelay): Promise<void> {
  const canary = entry(`canary-${++seq}`, 1_000);
  await things.insertOne({ _id: `canary-${seq}`, revision: 1, outbox: [canary] });
  r.start();
  await waitFor('the start-up sweep', async () => (await published()).includes(canary.id));
}

it('publishes what a write hands it at once and removes exactly those entries, leaving one written meanwhile', async () => {
  const r = relay();
  await started(r);
  const mine = entry('t1');
  const concurrent = entry('t1'); // pushed by another writer whose own publish has not happened yet
  await things.insertOne({ _id: 't1', revision: 1, outbox: [mine, concurrent] });
  r.written('t1', [mine]);
  await waitFor('its event in the stream and out of the outbox', async () => (await published()).includes(mine.id) && !(await outboxOf('t1')).includes(mine.id));
  expect(await outboxOf('t1')).toEqual([concurrent.id]);
  expect(await published()).not.toContain(concurrent.id);

  r.written('t1', [concurrent]);
  await waitFor('the other event', async () => (await outboxOf('t1')).length === 0);
  const ids = await published();
  expect([count(ids, mine.id), count(ids, concurrent.id)]).toEqual([1, 1]);
});

// 200 at once: removals batched past FerretDB v1's pool of 100 connections hang it (one per statement).
it('removes, from many documents written at once, exactly what each published (removals share round trips)', async () => {
  const r = relay();
  await started(r);
  const docs = Array.from({ length: 200 }, (_, i) => ({ id: `t7-${i}`, mine: entry(`t7-${i}`), later: entry(`t7-${i}`) }));
  await things.insertMany(docs.map((d) => ({ _id: d.id, revision: 1, outbox: [d.mine, d.later] })));
  for (const d of docs) r.written(d.id, [d.mine]);
  await waitFor('every removal', async () => (await things.countDocuments({ _id: { $in: docs.map((d) => d.id) as never[] }, outbox: { $size: 1 } })) === docs.length, 30_000, 100);
  for (const d of docs) expect(await outboxOf(d.id)).toEqual([d.later.id]);
  const ids = await published();
  expect(docs.map((d) => [count(ids, d.mine.id), count(ids, d.later.id)])).toEqual(docs.map(() => [1, 0]));
});

it("publishes one document's events in the order they were written", async () => {
  const locks = new DocumentLocks(); // the writer's, shared with the relay as services do (FerretDB reads then writes)
  const r = relay(locks);
  await started(r);
  const entries = Array.from({ length: 20 }, () => entry('t2'));
  await things.insertOne({ _id: 't2', revision: 1, outbox: [] });
  for (const e of entries) {
    await locks.run(['t2'], () => things.updateOne({ _id: 't2' }, { $push: { outbox: e } }));
    r.written('t2', [e]);
  }
  await waitFor('all of them', async () => (await outboxOf('t2')).length === 0);
  const ids = await published();
  expect(ids.filter((id) => entries.some((e) => e.id === id))).toEqual(entries.map((e) => e.id));
});

it('keeps what it could not publish while NATS is down, and publishes it once, in order, when NATS is back', async () => {
  const r = relay(new DocumentLocks(), { publishTimeoutMs: 500 });
  await started(r);
  await servers.nats.stop();
  const first = entry('t3');
  const second = entry('t3');
  await things.insertOne({ _id: 't3', revision: 1, outbox: [first] });
  r.written('t3', [first]);
  await things.updateOne({ _id: 't3' }, { $push: { outbox: second } });
  r.written('t3', [second]);
  expect(await outboxOf('t3')).toEqual([first.id, second.id]);

  await servers.nats.restart();
  await waitFor('the catch-up', async () => (await outboxOf('t3')).length === 0, 30_000, 100);
  // Caught up: no document is left remembered as behind (else it would sweep every few hundred ms).
  await waitFor('the relay back on its interval', () => Promise.resolve(!r.catchingUp), 10_000, 50);
  const ids = await published();
  expect([count(ids, first.id), count(ids, second.id)]).toEqual([1, 1]);
  expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
});

it('publishes at start-up, once, what a crashed writer stored but never handed over (any id type)', async () => {
  const orphans = [entry('t4'), entry('t4')];
  const numbered = entry(4);
  await things.insertOne({ _id: 't4', revision: 1, outbox: orphans });
  await things.insertOne({ _id: 4 as never, revision: 1, outbox: [numbered] });
  const r = relay();
  await started(r);
  await waitFor('the orphans', async () => (await outboxOf('t4')).length === 0 && (await outboxOf(4)).length === 0);
  const ids = await published();
  expect([...orphans, numbered].map((e) => count(ids, e.id))).toEqual([1, 1, 1]);
});

it("sweeps another replica's leftovers once they are older than the grace period, and leaves younger ones to their writer", async () => {
  const r = relay(new DocumentLocks(), { sweepIntervalMs: 100, graceMs: HOUR });
  await started(r);
  const young = entry('t5-young');
  const old = entry('t5-old', 2 * HOUR);
  await things.insertOne({ _id: 't5-young', revision: 1, outbox: [young] });
  await things.insertOne({ _id: 't5-old', revision: 1, outbox: [old] });
  // A sweep that published `old` began after `young` was stored: it saw it and left it.
  await waitFor('the old leftover', async () => (await outboxOf('t5-old')).length === 0);
  expect(await published()).not.toContain(young.id);
  expect(await outboxOf('t5-young')).toEqual([young.id]);
});

it('stores each event once when two replicas sweep the same leftovers', async () => {
  const leftovers = Array.from({ length: 30 }, (_, i) => ({ id: `t6-${i}`, entries: [entry(`t6-${i}`, 2 * HOUR)] }));
  await things.insertMany(leftovers.map((l) => ({ _id: l.id, revision: 1, outbox: l.entries })));
  const [a, b] = [relay(), relay()];
  a.start();
  b.start();
  await waitFor('both sweeps', async () => (await things.countDocuments({ _id: { $in: leftovers.map((l) => l.id) as never[] }, 'outbox.0': { $exists: true } })) === 0, 30_000, 100);
  const ids = await published();
  expect(leftovers.map((l) => count(ids, l.entries[0]!.id))).toEqual(leftovers.map(() => 1));
});
