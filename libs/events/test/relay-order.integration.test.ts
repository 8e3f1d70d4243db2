/**
 * One document's events in order across replicas, and the relay's memory of documents it fell
 * behind on, on real nats-server and FerretDB. Each test has its own collection, so what one relay
 * cannot publish elsewhere never keeps it catching up. A replica is a relay with its own locks (a
 * process of its own); one whose NATS connection is closed is a replica that cannot publish.
 */
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Collection, Db } from 'mongodb';
import { DocumentLocks, OutboxRelay, type OutboxDocument } from '@rampart/events';
import { uniqueDatabase, waitFor } from '@rampart/testing';
import { EventServers, HOUR, silentLogger as logger } from './event-servers';

let servers: EventServers;
let db: Db;
let things: Collection<OutboxDocument>;
const relays: OutboxRelay[] = [];
const connections: NatsConnection[] = [];
const entry = (id: string, ageMs = 0) => servers.entry(id, ageMs);
const published = () => servers.published();
let seq = 0;

beforeAll(async () => {
  servers = await EventServers.start('relayorder');
  db = servers.mongo.db(uniqueDatabase('relay-order'));
}, 60_000);

let collections = 0;
beforeEach(() => {
  things = db.collection<OutboxDocument>(`things_${++collections}`);
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
  await Promise.all(connections.splice(0).map((c) => c.close()));
});

afterAll(async () => {
  await servers?.stop();
});

/** A replica: its own locks, and its own NATS connection when `connection` is given. */
function replica(options: { sweepIntervalMs?: number; graceMs?: number; connection?: NatsConnection } = {}): OutboxRelay {
  const r = new OutboxRelay({ collection: things, js: options.connection ? jetstream(options.connection) : servers.js, logger, locks: new DocumentLocks(), sweepIntervalMs: HOUR, publishTimeoutMs: 500, ...options });
  relays.push(r);
  return r;
}

const count = (ids: string[], id: string) => ids.filter((x) => x === id).length;
const outboxOf = async (id: string) => ((await things.findOne({ _id: id }))?.outbox ?? []).map((e) => e.id);

/** Starts a relay and returns once its start-up sweep has run (it published a canary left before start). */
async function started(r: OutboxRelay): Promise<void> {
  const id = `canary-${++seq}`;
  const canary = entry(id, 1_000);
  await things.insertOne({ _id: id, revision: 1, outbox: [canary] });
  r.start();
  await waitFor('the start-up sweep', async () => (await published()).includes(canary.id));
}

/** Replica A wrote `first` into a document and has not published it; replica B then writes `second` there. */
async function twoWriters(id: string): Promise<{ first: OutboxEntry; second: OutboxEntry }> {
  const first = entry(id);
  const second = entry(id);
  await things.insertOne({ _id: id, revision: 1, outbox: [first] });
  await things.updateOne({ _id: id }, { $push: { outbox: second } });
  return { first, second };
}

async function expectInOrderOnce(first: OutboxEntry, second: OutboxEntry): Promise<void> {
  const ids = await published();
  expect([count(ids, first.id), count(ids, second.id)]).toEqual([1, 1]);
  expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(second.id));
}

it("publishes an older entry another replica wrote and has not published before the newer one it was handed", async () => {
  const [a, b] = [replica(), replica()];
  await started(a);
  await started(b);
  const { first, second } = await twoWriters('o1');
  b.written('o1', [second]);
  await waitFor("B's event in the stream", async () => (await published()).includes(second.id));
  a.written('o1', [first]); // A's publish, late
  await waitFor('the document published', async () => (await outboxOf('o1')).length === 0);
  await expectInOrderOnce(first, second);
});

it("publishes an older entry whose publish failed in another replica before the newer one it was handed", async () => {
  const partitioned = await connect({ servers: servers.nats.url });
  connections.push(partitioned);
  const [a, b] = [replica({ connection: partitioned }), replica()];
  await started(a);
  await started(b);
  const first = entry('o2');
  await things.insertOne({ _id: 'o2', revision: 1, outbox: [first] });
  await partitioned.close(); // A loses NATS: its publish fails and it leaves the entry to its catch-up
  a.written('o2', [first]);
  await waitFor('A to fall behind', () => Promise.resolve(a.catchingUp));
  const second = entry('o2');
  await things.updateOne({ _id: 'o2' }, { $push: { outbox: second } });
  b.written('o2', [second]);
  await waitFor('the document published', async () => (await outboxOf('o2')).length === 0);
  await expectInOrderOnce(first, second);
});

it("sweeps a document's entries only from its oldest, leaving all after a young one to their writers", async () => {
  const r = replica({ sweepIntervalMs: 100, graceMs: HOUR });
  await started(r);
  // Written in this order by two replicas whose clocks disagree: the later entry looks older.
  const young = entry('o3');
  const skewed = entry('o3', 2 * HOUR);
  await things.insertOne({ _id: 'o3', revision: 1, outbox: [young, skewed] });
  const old = entry('o3-old', 2 * HOUR);
  await things.insertOne({ _id: 'o3-old', revision: 1, outbox: [old] });
  // A sweep that published `old` began after o3 was stored: it saw o3 and left it whole.
  await waitFor('the old leftover', async () => (await outboxOf('o3-old')).length === 0);
  expect(await outboxOf('o3')).toEqual([young.id, skewed.id]);
  expect(await published()).not.toContain(skewed.id);
  r.written('o3', [young]);
  await waitFor('o3 published', async () => (await outboxOf('o3')).length === 0);
  await expectInOrderOnce(young, skewed);
});

// The relay remembers a document it fell behind on, with the entries it skipped for it since. It
// must forget the document once nothing of it is pending, even when its own catch-up never finds
// it again because another replica published everything: remembered for ever, the relay would
// sweep the collection every few hundred milliseconds for good.
it('forgets a document it fell behind on once another replica published all of it, skipped entries included', async () => {
  const partitioned = await connect({ servers: servers.nats.url });
  connections.push(partitioned);
  const a = replica({ connection: partitioned });
  await started(a);
  const failed = entry('b1');
  await things.insertOne({ _id: 'b1', revision: 1, outbox: [failed] });
  await partitioned.close(); // A can no longer publish anything, so only B can empty b1
  a.written('b1', [failed]);
  await waitFor('A to fall behind', () => Promise.resolve(a.catchingUp));
  const skipped = entry('b1'); // written while b1 is behind: A leaves it to its catch-up
  await things.updateOne({ _id: 'b1' }, { $push: { outbox: skipped } });
  a.written('b1', [skipped]);

  const b = replica();
  await started(b); // B's start-up sweep publishes all of b1
  await waitFor('b1 published by B', async () => (await outboxOf('b1')).length === 0);
  await expectInOrderOnce(failed, skipped);
  await waitFor('A back on its sweep interval', () => Promise.resolve(!a.catchingUp), 15_000, 50);
});
