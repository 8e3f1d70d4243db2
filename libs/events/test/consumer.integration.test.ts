/**
 * The consumer side of @rampart/events, proven with a test consumer on real nats-server and
 * FerretDB through the same path services use (designation's intake consumer applies with
 * applyOnce too): idempotent apply, stale revisions, removed fields, events written with the
 * change, transient failures, poison messages, max_deliver and dead-letter replay.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { MongoClient, type Collection } from 'mongodb';
import pino from 'pino';
import {
  applyOnce, createEvent, deadLetterStream, DocumentLocks, ensureStream, eventStream, EventConsumer, listDeadLetters, outboxEntry,
  PoisonMessageError, replayDeadLetter, revisionOf, type CloudEvent, type AppliedEvents,
} from '../src';
import { NatsServer, readStream, sharedServers, uniqueDatabase, waitFor } from '@rampart/testing';

interface Tally extends AppliedEvents {
  total: number;
  /** Present only while the latest entry has one: the next state without it must remove it. */
  memo?: string;
}

interface Entry {
  revision: number;
  amount: number;
  memo?: string;
  /** Withdraws the tally's pending events and announces the closing instead. */
  close?: boolean;
}

const logger = pino({ level: 'silent' });
const area = 'ledger';
const STREAM = 'LEDGER_EVENTS';
let nats: NatsServer;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let mongo: MongoClient;
let tallies: Collection<Tally>;
const locks = new DocumentLocks();
const consumers: EventConsumer[] = [];

/** Behaviour the tests switch: which event ids fail, and how. */
const failing = new Map<string, 'poison' | 'transient' | 'always'>();
const attempts = new Map<string, number>();

async function handler(event: CloudEvent<unknown>): Promise<void> {
  attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
  const mode = failing.get(event.id);
  if (mode === 'poison') throw new PoisonMessageError('amount is not a number');
  if (mode === 'always') throw new Error('downstream keeps failing');
  if (mode === 'transient' && attempts.get(event.id) === 1) throw new Error('database hiccup');
  const data = event.data as Entry;
  await applyOnce<Tally>({
    collection: tallies, locks, id: event.subject, eventId: event.id, sourceRevision: revisionOf(event),
    decide: (current) => {
      const state = { revision: (current?.revision ?? 0) + 1, total: (current?.total ?? 0) + data.amount, ...(data.memo ? { memo: data.memo } : {}) };
      const verb = data.close ? 'closed' : 'changed';
      const events = [outboxEntry(`rampart.${area}.tally.${verb}`, createEvent({ area, thing: 'tally', verb }, event.subject, state))];
      return { state, events, ...(data.close ? { withdrawPending: (e) => e.subject.endsWith('.changed') } : {}) };
    },
  });
}

function tallyEvent(account: string, revision: number, amount: number, extra: Partial<Entry> = {}): CloudEvent<Entry> {
  return createEvent({ area, thing: 'entry', verb: 'posted' }, account, { revision, amount, ...extra });
}

/** Publishes the raw bytes; `msgId` lets a test send the same event twice past JetStream's dedupe. */
async function publish(event: CloudEvent<unknown> | string, msgId?: string): Promise<void> {
  const body = typeof event === 'string' ? event : JSON.stringify(event);
  const h = natsHeaders();
  h.set('content-type', 'application/cloudevents+json');
  await js.publish('rampart.ledger.entry.posted', body, { headers: h, ...(msgId ? { msgID: msgId } : {}) });
}

const totalOf = async (account: string) => (await tallies.findOne({ _id: account }))?.total;

beforeAll(async () => {
  nats = await NatsServer.start();
  nc = await connect({ servers: nats.url });
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, eventStream(area, STREAM, ['entry']));
  await ensureStream(jsm, deadLetterStream(area));
  mongo = await new MongoClient(sharedServers().mongodbUri).connect();
  tallies = mongo.db(uniqueDatabase('events')).collection<Tally>('tallies');
  const consumer = new EventConsumer({
    nc, js, jsm, area, handler, logger,
    spec: { stream: STREAM, durable: 'ledger-tallies', filterSubjects: ['rampart.ledger.entry.>'], maxDeliver: 3 },
  });
  consumers.push(consumer);
  consumer.start();
}, 60_000);

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.stop()));
  await nc?.close();
  await mongo?.close();
  await nats?.stop();
});

it('applies an event delivered twice only once', async () => {
  const event = tallyEvent('acct-1', 1, 5);
  await publish(event, 'first-copy');
  await publish(event, 'second-copy'); // a redelivery JetStream cannot dedupe: a different Nats-Msg-Id
  await waitFor('both copies handled', () => Promise.resolve(attempts.get(event.id) === 2));
  expect(await totalOf('acct-1')).toBe(5);
  expect((await tallies.findOne({ _id: 'acct-1' }))?.appliedEventIds).toEqual([event.id]);
});

it('removes a field the next state leaves out, writes the events with the change, and withdraws pending ones when told', async () => {
  const entries = [tallyEvent('acct-6', 1, 1, { memo: 'opening balance' }), tallyEvent('acct-6', 2, 2)];
  for (const e of entries) await publish(e);
  await waitFor('both applied', async () => (await totalOf('acct-6')) === 3);
  const stored = (await tallies.findOne({ _id: 'acct-6' }))!;
  expect(Object.keys(stored)).not.toContain('memo');
  expect(stored).toMatchObject({ revision: 2, sourceRevision: 2, appliedEventIds: entries.map((e) => e.id) });
  expect(stored.outbox.map((e) => [e.subject, (JSON.parse(e.payload) as CloudEvent<{ total: number }>).data.total])).toEqual([['rampart.ledger.tally.changed', 1], ['rampart.ledger.tally.changed', 3]]);

  await publish(tallyEvent('acct-6', 3, 0, { close: true }));
  await waitFor('the closing', async () => (await tallies.findOne({ _id: 'acct-6' }))?.revision === 3);
  const closed = (await tallies.findOne({ _id: 'acct-6' }))!;
  expect(closed.outbox.map((e) => e.subject)).toEqual(['rampart.ledger.tally.closed']);
});

it('ignores a stale revision and applies a newer one', async () => {
  const second = tallyEvent('acct-2', 2, 10);
  const first = tallyEvent('acct-2', 1, 100);
  await publish(second);
  await publish(first);
  await waitFor('both handled', () => Promise.resolve(attempts.has(first.id) && attempts.has(second.id)));
  expect(await totalOf('acct-2')).toBe(10);
});

it('dead-letters a poison message with its reason and keeps the messages behind it flowing', async () => {
  const poison = tallyEvent('acct-3', 1, 1);
  failing.set(poison.id, 'poison');
  await publish('{"this is": not json');
  await publish(poison);
  const after = [tallyEvent('acct-3', 2, 7), tallyEvent('acct-3', 3, 8)];
  for (const e of after) await publish(e);
  await waitFor('the messages behind to apply', async () => (await totalOf('acct-3')) === 15);
  const dead = await listDeadLetters(jsm, deadLetterStream(area).name);
  const reasons = dead.map((d) => d.reason);
  expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^poison: body is not JSON/), 'poison: amount is not a number']));
  expect(dead.find((d) => d.reason.includes('amount'))).toMatchObject({ originalSubject: 'rampart.ledger.entry.posted', originalStream: STREAM, consumer: 'ledger-tallies' });
  expect(attempts.get(poison.id)).toBe(1);
});

it('redelivers after a transient failure and applies once', async () => {
  const event = tallyEvent('acct-4', 1, 3);
  failing.set(event.id, 'transient');
  await publish(event);
  await waitFor('the redelivery', async () => (await totalOf('acct-4')) === 3, 20_000);
  expect(attempts.get(event.id)).toBe(2);
});

it('dead-letters after max_deliver, and a replay after the fix applies it once', async () => {
  const event = tallyEvent('acct-5', 1, 4);
  failing.set(event.id, 'always');
  await publish(event);
  const dlq = deadLetterStream(area).name;
  await waitFor('the dead letter', async () => (await listDeadLetters(jsm, dlq)).some((d) => d.body.includes(event.id)), 30_000, 200);
  expect(attempts.get(event.id)).toBe(3);
  const letter = (await listDeadLetters(jsm, dlq)).find((d) => d.body.includes(event.id))!;
  expect(letter.reason).toMatch(/^gave up after 3 deliveries: downstream keeps failing/);

  failing.delete(event.id); // the fix is deployed
  await replayDeadLetter(jsm, js, dlq, letter.sequence);
  await waitFor('the replay to apply', async () => (await totalOf('acct-5')) === 4);
  expect((await listDeadLetters(jsm, dlq)).some((d) => d.body.includes(event.id))).toBe(false);
  expect((await readStream(jsm, STREAM)).filter((m) => m.headers['Rampart-Replayed-From'])).toHaveLength(1);
});
