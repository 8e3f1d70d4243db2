/**
 * Intake's store as two replicas see it: two IntakeStore instances (each its own connection,
 * DocumentLocks and outbox relay) on one real FerretDB and nats-server. A change of a submission
 * is a compare-and-set across replicas on every engine (the claim of its revision), so of two
 * changes from one revision exactly one lands and none is lost; a change whose submission write a
 * crash interrupted is rolled forward by the next reader or writer, its event published once.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import type { Collection } from 'mongodb';
import pino from 'pino';
import { claimChange, ensureStream, OutboxRelay, type OutboxDocument } from '@rampart/events';
import { NatsServer, readStream, sharedServers, uniqueDatabase, waitFor } from '@rampart/testing';
import { amend, receive, requestFingerprint, withdraw } from '../src/domain/rules';
import type { ModelDetails, Submission } from '../src/domain/submission';
import { intakeStreams, submissionEvent } from '../src/events/submission-events';
import { IntakeStore, submissionChange } from '../src/store';

const DAY = 24 * 3600 * 1000;
const HOUR = 3_600_000;
const STREAM = 'INTAKE_EVENTS';
const logger = pino({ level: 'silent' });

let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let database: string;
/** Two replicas of intake on one database. */
let a: IntakeStore;
let b: IntakeStore;
const relays: OutboxRelay[] = [];
const stores: IntakeStore[] = [];

async function replica(): Promise<IntakeStore> {
  const store = await IntakeStore.open(sharedServers().mongodbUri, database);
  const relay = new OutboxRelay({ collection: store.submissions as unknown as Collection<OutboxDocument>, js: jetstream(nc), logger, locks: store.locks, sweepIntervalMs: HOUR });
  store.publishWith(relay);
  relay.start();
  relays.push(relay);
  stores.push(store);
  return store;
}

beforeAll(async () => {
  nats = await NatsServer.start();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  for (const spec of intakeStreams(1)) await ensureStream(jsm, spec);
  database = uniqueDatabase('intake_replicas');
  a = await replica();
  b = await replica();
}, 60_000);

afterAll(async () => {
  await Promise.all(relays.map((r) => r.stop()));
  await Promise.all(stores.map((s) => s.close()));
  await nc?.close();
  await nats?.stop();
});

function details(modelVersion: string): ModelDetails {
  return {
    modelName: 'Atlas', modelVersion, description: 'A frontier model in development', modalities: ['text', 'code'],
    intendedPartnerReleaseAt: new Date(Date.now() + 10 * DAY), intendedPublicReleaseAt: new Date(Date.now() + 40 * DAY),
    selfReportedEvaluations: [], pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'security lead' }],
  };
}

async function submit(store: IntakeStore): Promise<string> {
  const now = new Date();
  const changed = receive({ id: randomUUID(), organization: 'acme', details: details('1'), actor: 'ada@acme', now });
  await store.insert(changed.submission, changed.revision, randomUUID(), requestFingerprint(changed.submission.details), [submissionEvent(changed.submission, 'received', 'ada@acme', now)]);
  return changed.submission.id;
}

/** Amends `current` to `modelVersion` through `store`, as AmendSubmission does: true when it landed. */
function amendTo(store: IntakeStore, current: Submission, modelVersion: string): Promise<boolean> {
  const now = new Date();
  const changed = amend(current, { expectedRevision: current.revision, details: details(modelVersion), actor: 'ada@acme', now });
  return store.applyChange(changed.submission, current.revision, changed.revision, [submissionEvent(changed.submission, 'amended', 'ada@acme', now)]);
}

const history = async (store: IntakeStore, id: string) => (await store.revisionsPage(id, 0, 100))!.revisions.map((r) => [r.revision, r.details.modelVersion]);
const streamed = async (id: string) => (await readStream(jsm, STREAM)).filter((m) => m.event.subject === id);
const outboxOf = async (id: string) => (await a.submissions.findOne({ _id: id }))!.outbox.map((e) => e.id);

it('two replicas amending a submission from the same revision: exactly one lands, the other is told', async () => {
  const ids = await Promise.all(Array.from({ length: 12 }, () => submit(a)));
  const results = await Promise.all(ids.map(async (id) => {
    const current = (await a.get(id))!;
    const [byA, byB] = await Promise.all([amendTo(a, current, `${id}-a`), amendTo(b, current, `${id}-b`)]);
    return { id, byA, byB };
  }));
  for (const { id, byA, byB } of results) {
    expect([byA, byB].filter(Boolean)).toHaveLength(1);
    const winner = byA ? `${id}-a` : `${id}-b`;
    const stored = (await b.get(id))!;
    expect([stored.revision, stored.details.modelVersion]).toEqual([2, winner]);
    expect(await history(a, id)).toEqual([[1, '1'], [2, winner]]);
  }
});

it('replicas changing one submission at once lose no change and publish each change once', async () => {
  const id = await submit(a);
  const writers = Array.from({ length: 8 }, (_, i) => ({ store: i % 2 ? b : a, version: `w${i}` }));
  // Each writer re-reads and retries on a conflict, as a client told ABORTED does.
  const attempts = await Promise.all(writers.map(async ({ store, version }) => {
    for (let attempt = 1; attempt <= 100; attempt++) {
      if (await amendTo(store, (await store.get(id))!, version)) return attempt;
    }
    throw new Error(`${version} never landed`);
  }));
  expect(attempts.some((n) => n > 1)).toBe(true); // they did collide

  const stored = (await a.get(id))!;
  expect(stored.revision).toBe(1 + writers.length);
  const changes = await history(b, id);
  expect(changes.map(([r]) => r)).toEqual(Array.from({ length: 1 + writers.length }, (_, i) => i + 1));
  expect(changes.slice(1).map(([, v]) => v).sort()).toEqual(writers.map((w) => w.version).sort());

  await waitFor('every revision in the stream', async () => (await streamed(id)).length === 1 + writers.length, 45_000); // a loaded machine (CI) publishes slowly
  const events = await streamed(id);
  expect(events.map((m) => m.event.data.revision)).toEqual(Array.from({ length: 1 + writers.length }, (_, i) => i + 1));
  expect(new Set(events.map((m) => m.event.id)).size).toBe(events.length);
}, 60_000);

describe('a replica that crashed between the claim and the submission write', () => {
  /** Makes the first write of a change as `applyChange` does, then stops, as a crashed replica would. */
  async function crashAfterClaim(id: string, kind: 'withdrawn' | 'amended'): Promise<{ eventId: string }> {
    const crashed = await IntakeStore.open(sharedServers().mongodbUri, database);
    try {
      const current = (await crashed.get(id))!;
      const now = new Date();
      const changed = kind === 'withdrawn'
        ? withdraw(current, { reason: 'plans changed', actor: 'ada@acme', now })!
        : amend(current, { expectedRevision: current.revision, details: details('crashed'), actor: 'ada@acme', now });
      const event = submissionEvent(changed.submission, kind, 'ada@acme', now);
      const superseded = (await crashed.submissions.findOne({ _id: id }))!;
      const { change, record } = submissionChange(changed.submission, changed.revision, [event], superseded);
      expect(await claimChange(crashed.changes.collections, id, current.revision, change, record)).toBeDefined();
      return { eventId: event.id };
    } finally {
      await crashed.close();
    }
  }

  it('leaves a change the next reader rolls forward, its event published once', async () => {
    const id = await submit(a);
    await waitFor('the receipt published', async () => (await outboxOf(id)).length === 0);
    const { eventId } = await crashAfterClaim(id, 'withdrawn');
    expect((await a.submissions.findOne({ _id: id }))!.revision).toBe(1); // the submission was not written

    const read = (await b.get(id))!;
    expect([read.revision, read.status, read.withdrawal?.reason]).toEqual([2, 'withdrawn', 'plans changed']);
    expect((await a.submissions.findOne({ _id: id }))!.revision).toBe(2); // rolled forward, not only answered
    expect(await history(a, id)).toEqual([[1, '1'], [2, '1']]);

    await waitFor('the withdrawal published and out of the outbox', async () => (await streamed(id)).some((m) => m.event.id === eventId) && (await outboxOf(id)).length === 0);
    expect((await a.get(id))!.revision).toBe(2);
    const events = await streamed(id);
    expect(events.map((m) => m.event.type)).toEqual(['rampart.intake.submission.received.v1', 'rampart.intake.submission.withdrawn.v1']);
  });

  it('leaves a change the next writer rolls forward: its change from the old revision is a conflict, its retry lands after it', async () => {
    const id = await submit(a);
    const stale = (await b.get(id))!;
    const { eventId } = await crashAfterClaim(id, 'amended');

    expect(await amendTo(b, stale, 'from-stale')).toBe(false);
    expect((await a.submissions.findOne({ _id: id }))!.revision).toBe(2); // the conflict rolled it forward
    const reread = (await b.get(id))!;
    expect([reread.revision, reread.details.modelVersion]).toEqual([2, 'crashed']);
    expect(await amendTo(b, reread, 'retried')).toBe(true);
    expect(await history(a, id)).toEqual([[1, '1'], [2, 'crashed'], [3, 'retried']]);

    await waitFor('every event published', async () => (await streamed(id)).length === 3 && (await outboxOf(id)).length === 0);
    const events = await streamed(id);
    expect(events.map((m) => [m.event.data.revision, m.event.id === eventId])).toEqual([[1, false], [2, true], [3, false]]);
  });
});
