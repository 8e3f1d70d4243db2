/**
 * Claimed changes on real FerretDB and nats-server, two replicas (each its own connection, locks and
 * relay) driven step by step: a claim nobody reads again is rolled forward by the claims sweep, its
 * event in the stream once; a stalled writer's late write does not leave the document set back nor
 * put a later change's published events back in the outbox; claims that are not history are pruned
 * to stubs while the compare-and-set still refuses a stale writer, however old its read; a claim the
 * document is past is a conflict; a half-done pruning pass and failed sweeps are caught up.
 */
import { jetstream } from '@nats-io/jetstream';
import { MongoClient, type Collection, type Db } from 'mongodb';
import {
  claimChange, claimId, ClaimedChanges, ClaimsSweep, DocumentLocks, OutboxRelay, revisionsOf, settleClaim, writeClaim,
  type ClaimedChangesOptions, type OutboxDocument, type OutboxEntry,
} from '@rampart/events';
import { readStream, sharedServers, uniqueDatabase, waitFor } from '@rampart/testing';
import { EventServers, HOUR, silentLogger as logger } from './event-servers';

let servers: EventServers;
const clients: MongoClient[] = [];
const relays: OutboxRelay[] = [];
const sweeps: ClaimsSweep[] = [];
let database: string;

interface Thing extends OutboxDocument {
  _id: string;
  value: string;
}

interface Replica {
  things: Collection<Thing>;
  changes: ClaimedChanges<Thing>;
  relay: OutboxRelay;
}

async function replica(options: Pick<ClaimedChangesOptions<Thing, Thing>, 'prune'> & { collection?: string } = {}): Promise<Replica> {
  const { collection = 'things', ...prune } = options;
  const client = await new MongoClient(sharedServers().mongodbUri).connect();
  clients.push(client);
  const db: Db = client.db(database);
  const things = db.collection<Thing>(collection);
  const locks = new DocumentLocks();
  const relay = new OutboxRelay({ collection: things as unknown as Collection<OutboxDocument>, js: jetstream(servers.nc), logger, locks, sweepIntervalMs: HOUR });
  relay.start();
  relays.push(relay);
  const changes = new ClaimedChanges<Thing>({ documents: things, claims: revisionsOf(things), locks, publisher: () => relay, ...prune });
  return { things, changes, relay };
}

function sweep(r: Replica, options: { graceMs?: number } = {}): ClaimsSweep {
  const s = new ClaimsSweep({ changes: r.changes, logger, intervalMs: HOUR, ...options });
  sweeps.push(s);
  return s;
}

beforeAll(async () => {
  servers = await EventServers.start('claimtest');
  database = uniqueDatabase('claimed_changes');
}, 60_000);

afterAll(async () => {
  await Promise.all(sweeps.map((s) => s.stop()));
  await Promise.all(relays.map((r) => r.stop()));
  await Promise.all(clients.map((c) => c.close()));
  await servers?.stop();
});

let seq = 0;
const entry = (id: string) => servers.entry(id);

const streamed = async (id: string) => (await readStream(servers.jsm, servers.stream)).filter((m) => m.event.subject === id).map((m) => m.event.id);
const outboxOf = async (r: Replica, id: string) => ((await r.things.findOne({ _id: id }))?.outbox ?? []).map((e) => e.id);
const stored = async (r: Replica, id: string) => (await r.things.findOne({ _id: id }, { projection: { revision: 1, value: 1 } }))!;

/** A new thing at revision 1, its event published and out of its outbox. */
async function newThing(r: Replica): Promise<string> {
  const id = `thing-${++seq}`;
  const e = entry(id);
  await r.things.insertOne({ _id: id, revision: 1, value: 'v1', outbox: [e] });
  r.relay.written(id, [e], { created: true });
  await waitFor('the first event out', async () => (await streamed(id)).includes(e.id) && (await outboxOf(r, id)).length === 0);
  return id;
}

async function published(r: Replica, id: string, events: OutboxEntry[]): Promise<void> {
  await waitFor('published and out of the outbox', async () => {
    const ids = await streamed(id);
    return events.every((e) => ids.includes(e.id)) && (await outboxOf(r, id)).length === 0;
  });
}

describe('a claim nobody reads again (C2)', () => {
  it('is rolled forward by the claims sweep, its event in the stream exactly once', async () => {
    const a = await replica();
    const b = await replica();
    const id = await newThing(a);
    // A's first write lands; its document write never happens (the database stalled, the client gave up).
    const withdrawn = entry(id);
    expect(await claimChange(a.changes.collections, id, 1, { state: { value: 'withdrawn' }, events: [withdrawn] })).toBeDefined();

    // Nobody reads it again: only B's sweep can bring it forward.
    const s = sweep(b, { graceMs: 0 });
    s.start();
    await waitFor('rolled forward by the sweep', async () => (await stored(a, id)).revision === 2);
    expect((await stored(a, id)).value).toBe('withdrawn');
    await published(a, id, [withdrawn]);

    await s.sweep(); // a second sweep finds nothing more to do
    expect((await stored(a, id)).revision).toBe(2);
    expect((await streamed(id)).filter((x) => x === withdrawn.id)).toHaveLength(1);
    expect(await outboxOf(a, id)).toEqual([]);
  });

  it('is left to its writer while younger than the grace', async () => {
    const a = await replica();
    const id = await newThing(a);
    await claimChange(a.changes.collections, id, 1, { state: { value: 'young' }, events: [entry(id)] });
    await sweep(a, { graceMs: HOUR }).sweep();
    expect((await stored(a, id)).revision).toBe(1);
  });

  it('is found through the collection the relay is built for (ServiceRuntime.relay wires the sweep)', async () => {
    const a = await replica();
    expect(ClaimedChanges.of(a.things)).toBe(a.changes);
  });
});

describe('a stalled writer whose write lands after a later change (S1)', () => {
  /** A claims revision 2 and stalls; B rolls it forward, then commits revision 3; both published. */
  async function stalledWriter() {
    const a = await replica();
    const b = await replica();
    const id = await newThing(a);
    const e2 = entry(id);
    const claim = (await claimChange(a.changes.collections, id, 1, { state: { value: 'by-a' }, events: [e2] }))!;
    expect(claim).toBeDefined();
    expect((await b.changes.read<Thing>(id))!.revision).toBe(2);
    await published(b, id, [e2]);
    const e3 = entry(id);
    expect(await b.changes.commit(id, 2, { state: { value: 'by-b' }, events: [e3] })).toBe(true);
    await published(b, id, [e3]);
    return { a, b, id, claim, e2, e3 };
  }

  it('does not set the document back when A writes after B (its write, then its check for a newer claim)', async () => {
    const { a, id, claim, e2, e3 } = await stalledWriter();
    const added = (await writeClaim(a.changes.collections, id, claim))!;
    expect(added).toBeDefined(); // a roll-forward applied A's claim: A's change is written
    a.relay.written(id, added);
    expect(await stored(a, id)).toEqual({ _id: id, revision: 3, value: 'by-b' });
    expect(added.map((e) => e.id)).not.toContain(e3.id);
    await published(a, id, []);
    const ids = await streamed(id);
    for (const e of [e2, e3]) expect(ids.filter((x) => x === e.id)).toHaveLength(1);
  });

  it('a write that landed late is undone by its writer\'s check, without putting B\'s published event back', async () => {
    const { a, id, claim, e3 } = await stalledWriter();
    // A's update, sent from its read of revision 1, lands now: it sets revision 2's state back.
    await a.things.updateOne({ _id: id }, { $set: { value: 'by-a', revision: 2 }, $push: { outbox: { $each: claim.events } } });
    const added = await settleClaim(a.changes.collections, id, claim);
    expect(await stored(a, id)).toEqual({ _id: id, revision: 3, value: 'by-b' });
    expect(added.map((e) => e.id)).not.toContain(e3.id);
    expect(await outboxOf(a, id)).not.toContain(e3.id);
  });

  it('a write that landed late and whose writer died is rolled forward by a reader, without putting B\'s published event back', async () => {
    const { a, b, id, claim, e3 } = await stalledWriter();
    await a.things.updateOne({ _id: id }, { $set: { value: 'by-a', revision: 2 }, $push: { outbox: { $each: claim.events } } });
    await b.relay.stop(); // B's outbox as the roll-forward leaves it, before any publish
    expect((await b.changes.read<Thing>(id))!.revision).toBe(3);
    expect(await stored(a, id)).toEqual({ _id: id, revision: 3, value: 'by-b' });
    expect(await outboxOf(a, id)).not.toContain(e3.id);
  });

  it('a write that timed out and landed late, read by nobody, is rolled forward by the claims sweep', async () => {
    const { a, b, id, claim, e3 } = await stalledWriter();
    await a.things.updateOne({ _id: id }, { $set: { value: 'by-a', revision: 2 }, $push: { outbox: { $each: claim.events } } });
    await sweep(b, { graceMs: 0 }).sweep(); // A's claim was never settled by A
    expect(await stored(a, id)).toEqual({ _id: id, revision: 3, value: 'by-b' });
    expect(await outboxOf(a, id)).not.toContain(e3.id);
  });
});

describe('claims that are not history (pruning)', () => {
  async function changedFiveTimes(r: Replica): Promise<string> {
    const id = await newThing(r);
    for (let revision = 1; revision <= 5; revision++) {
      expect(await r.changes.commit(id, revision, { state: { value: `v${revision + 1}` }, events: [] })).toBe(true);
    }
    return id;
  }
  const claimsOf = async (r: Replica, id: string) => (await r.changes.collections.claims.find({ _id: { $regex: `^${id}:` } }, { projection: { _id: 1 } }).toArray()).map((c) => c._id).sort();
  /** Claim ids of `id`, each with whether it is a pruned stub (nothing but its id and bookkeeping left). */
  const prunedOf = async (r: Replica, id: string) => Object.fromEntries(
    (await r.changes.collections.claims.find({ _id: { $regex: `^${id}:` } }).toArray()).map((c) => [c._id, c.pruned === true && !('state' in c) && !('events' in c)]),
  );

  it('become stubs once two revisions below the current one and old enough; a stale writer is still refused', async () => {
    const r = await replica({ prune: { afterMs: 0 } });
    const id = await changedFiveTimes(r);
    await sweep(r).sweep();
    // Revision 1 was created by insert (no claim); claims 2-4 are stubs, 5 and 6 whole.
    expect(await prunedOf(r, id)).toEqual({ [claimId(id, 2)]: true, [claimId(id, 3)]: true, [claimId(id, 4)]: true, [claimId(id, 5)]: false, [claimId(id, 6)]: false });
    // Writers that read revision 4 or 5 are refused: their claims exist.
    expect(await r.changes.commit(id, 5, { state: { value: 'stale' }, events: [] })).toBe(false);
    expect(await r.changes.commit(id, 4, { state: { value: 'stale' }, events: [] })).toBe(false);
    expect(await stored(r, id)).toEqual({ _id: id, revision: 6, value: 'v6' });
  });

  it('a writer that read a revision whose successor was pruned is refused, however old its read (C1)', async () => {
    const r = await replica({ prune: { afterMs: 0 } });
    const id = await changedFiveTimes(r);
    await sweep(r).sweep();
    const e = entry(id);
    for (const from of [3, 2, 1]) expect(await r.changes.commit(id, from, { state: { value: 'stale' }, events: [e] })).toBe(false);
    expect(await stored(r, id)).toEqual({ _id: id, revision: 6, value: 'v6' });
    expect(await outboxOf(r, id)).toEqual([]);
    expect(await prunedOf(r, id)).toEqual({ [claimId(id, 2)]: true, [claimId(id, 3)]: true, [claimId(id, 4)]: true, [claimId(id, 5)]: false, [claimId(id, 6)]: false });
  });

  it('a claim the document is already past, which no roll-forward applied, is a conflict and never applied later (C1)', async () => {
    const r = await replica({ prune: { afterMs: 0 } });
    const id = await changedFiveTimes(r);
    // Claim 3 gone (as an older version's pruning deleted claims): a stale writer's claim of it is inserted.
    await r.changes.collections.claims.deleteOne({ _id: claimId(id, 3) });
    const e = entry(id);
    expect(await r.changes.commit(id, 2, { state: { value: 'stale' }, events: [e] })).toBe(false);
    expect(await stored(r, id)).toEqual({ _id: id, revision: 6, value: 'v6' });
    expect(await outboxOf(r, id)).toEqual([]);
    const left = await r.changes.collections.claims.findOne({ _id: claimId(id, 3) });
    expect(left).toMatchObject({ abandoned: true });
    expect(left).not.toHaveProperty('state');
    // A late write setting the document back to revision 2 must not bring the stale change in.
    await r.things.updateOne({ _id: id }, { $set: { revision: 2, value: 'v2' } });
    await expect(r.changes.read<Thing>(id)).rejects.toThrow(/abandoned|pruned/);
    expect(await stored(r, id)).toEqual({ _id: id, revision: 2, value: 'v2' });
  });

  it('a roll-forward refuses a pruned claim loudly rather than skipping or applying it', async () => {
    const r = await replica({ prune: { afterMs: 0 } });
    const id = await changedFiveTimes(r);
    await sweep(r).sweep();
    await r.things.updateOne({ _id: id }, { $set: { revision: 3, value: 'v3' } });
    await expect(r.changes.read<Thing>(id)).rejects.toThrow(/pruned/);
    expect(await stored(r, id)).toEqual({ _id: id, revision: 3, value: 'v3' });
  });

  it('a pass stopped half-way is finished by the next, no claim left behind (S2)', async () => {
    // A collection of its own: the stopped pass can only be this document's.
    const r = await replica({ prune: { afterMs: 0 }, collection: 'halfway' });
    const id = await changedFiveTimes(r);
    // The pruning replica's own connection: it stops its sweep as soon as its first claim write returns.
    const client = await new MongoClient(sharedServers().mongodbUri, { monitorCommands: true }).connect();
    clients.push(client);
    const things = client.db(database).collection<Thing>('halfway');
    const pruner = new ClaimedChanges<Thing>({ documents: things, claims: revisionsOf(things), locks: new DocumentLocks(), publisher: () => r.relay, prune: { afterMs: 0 } });
    const stopped = new ClaimsSweep({ changes: pruner, logger, intervalMs: HOUR });
    let writes = 0;
    client.on('commandSucceeded', (event) => {
      if ((event.commandName === 'update' || event.commandName === 'delete') && ++writes === 1) void stopped.stop();
    });
    await stopped.sweep();
    expect(writes).toBe(1);
    const half = Object.values(await prunedOf(r, id)).filter((p) => p).length;
    expect(half).toBeLessThan(3);

    expect(await r.changes.commit(id, 6, { state: { value: 'v7' }, events: [] })).toBe(true);
    await sweep(r).sweep();
    expect(await prunedOf(r, id)).toEqual({
      [claimId(id, 2)]: true, [claimId(id, 3)]: true, [claimId(id, 4)]: true, [claimId(id, 5)]: true, [claimId(id, 6)]: false, [claimId(id, 7)]: false,
    });
  });

  it('stay while younger than the safe age', async () => {
    const r = await replica({ prune: { afterMs: HOUR } });
    const id = await changedFiveTimes(r);
    await sweep(r).sweep();
    expect(await claimsOf(r, id)).toHaveLength(5);
  });

  it('stay when they are history (no prune option)', async () => {
    const r = await replica();
    const id = await changedFiveTimes(r);
    await sweep(r).sweep();
    expect(await claimsOf(r, id)).toHaveLength(5);
  });
});

describe('sweeps that fail for a while (S1)', () => {
  it('the next successful sweep looks back to where the last successful one left off', async () => {
    const healthy = await replica();
    // While the database is unreachable (nothing listens on port 9), every sweep fails.
    const unreachable = new MongoClient('mongodb://127.0.0.1:9/', { serverSelectionTimeoutMS: 300 });
    clients.push(unreachable);
    const lost = unreachable.db(database).collection<Thing>('things');
    const failing = new ClaimedChanges<Thing>({ documents: lost, claims: revisionsOf(lost), locks: new DocumentLocks(), publisher: () => healthy.relay });
    let current = failing;
    const changes: ConstructorParameters<typeof ClaimsSweep>[0]['changes'] = {
      get collections() { return current.collections; },
      get pruneAfterMs() { return current.pruneAfterMs; },
      rollForward: (id) => current.rollForward(id),
      pruneBelow: (id, newest, signal) => current.pruneBelow(id, newest, signal),
    };
    const s = new ClaimsSweep({ changes, logger, intervalMs: HOUR, graceMs: 30_000 });
    sweeps.push(s);
    const id = await newThing(healthy);
    const claimed = Date.now();
    // The first sweep (before the claim) succeeds.
    current = healthy.changes;
    await s.sweep(new Date(claimed - 60_000));
    expect(await claimChange(healthy.changes.collections, id, 1, { state: { value: 'in-the-gap' }, events: [] })).toBeDefined();
    // The sweeps fail for half an hour...
    current = failing;
    await expect(s.sweep(new Date(claimed + 10 * 60_000))).rejects.toThrow();
    // ...then the connection is back: the claim made in the gap is swept.
    current = healthy.changes;
    await s.sweep(new Date(claimed + 30 * 60_000));
    expect(await stored(healthy, id)).toEqual({ _id: id, revision: 2, value: 'in-the-gap' });
  });
});
