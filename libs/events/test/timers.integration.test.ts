/**
 * Durable timers on a real nats-server (file storage): they fire at their time and not before,
 * once across two replicas racing, after a restart of the service or of nats-server, never after
 * a cancel, at the new time after a reschedule, and at once when the time is past.
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { deadLetterStream, ensureStream, timerConsumer, timerStream, timerSubjects, TimerScheduler, type EventConsumer, type FiredTimer } from '@rampart/events';
import { NatsServer, readStream, waitFor } from '@rampart/testing';

const logger = pino({ level: 'silent' });
const area = 'ledger';
const KIND = 'reminder';
const STREAM = timerStream(area).name;
const subjects = timerSubjects(area);

interface Handled {
  replica: string;
  timer: FiredTimer;
  handledAt: number;
}

let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let timers: TimerScheduler;
const handled = new Map<string, Handled[]>();
/** Timer ids whose handler fails on the first delivery. */
const failOnce = new Set<string>();

/** One service replica: its own connection and its own copy of the timer consumer (same durable). */
class Replica {
  private constructor(readonly name: string, private readonly conn: NatsConnection, private readonly consumer: EventConsumer) {}

  static async start(name: string): Promise<Replica> {
    const conn = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const js: JetStreamClient = jetstream(conn);
    const consumer = timerConsumer({
      nc: conn, js, jsm: await jetstreamManager(conn), area, logger,
      // A kill -9 of nats-server can lose acks not yet on disk; those fires come back after ack_wait.
      ackWaitMs: 2_000,
      handlers: {
        [KIND]: async (timer) => {
          if (failOnce.delete(timer.id)) throw new Error('the database blinked');
          await new Promise((r) => setTimeout(r, 20)); // some work, so replicas overlap
          // Read after the work: two replicas handling one timer at once must both count.
          handled.set(timer.id, [...(handled.get(timer.id) ?? []), { replica: name, timer, handledAt: Date.now() }]);
        },
      },
    });
    consumer.start();
    return new Replica(name, conn, consumer);
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
    await this.conn.close();
  }
}

let replicas: Replica[] = [];

const timerId = () => `t-${randomUUID()}`;
const fires = (id: string) => handled.get(id) ?? [];
const inFuture = (ms: number) => new Date(Date.now() + ms);

async function waitHandled(id: string, timeoutMs = 15_000): Promise<Handled> {
  await waitFor(`timer ${id} to be handled`, () => Promise.resolve(fires(id).length > 0), timeoutMs, 20);
  return fires(id)[0]!;
}

/** The fires the server stored for a timer (one per fire, whoever consumed it). */
async function storedFires(id: string): Promise<number> {
  return (await readStream(jsm, STREAM)).filter((m) => m.subject === subjects.fired(KIND) && m.event.data.id === id).length;
}

/** Everything delivered has been acked and nothing is left to deliver or redeliver. */
async function consumerSettled(): Promise<boolean> {
  const info = await jsm.consumers.info(STREAM, `${area}-timers`);
  return info.num_pending === 0 && info.num_ack_pending === 0;
}

beforeAll(async () => {
  nats = await NatsServer.start();
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, timerStream(area));
  await ensureStream(jsm, deadLetterStream(area));
  timers = new TimerScheduler({ js: jetstream(nc), area });
  replicas = [await Replica.start('a'), await Replica.start('b')];
}, 60_000);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  await nc?.close();
  await nats?.stop();
});

it('fires at its time, not before, with its payload', async () => {
  const id = timerId();
  const at = inFuture(1_500);
  await timers.schedule({ kind: KIND, id }, at, { caseId: 'case-1', revision: 3 });
  const fire = await waitHandled(id);
  expect(fire.handledAt).toBeGreaterThanOrEqual(at.getTime());
  expect(fire.handledAt).toBeLessThan(at.getTime() + 3_000);
  expect(fire.timer).toMatchObject({ kind: KIND, id, at, payload: { caseId: 'case-1', revision: 3 } });
});

it('fires each timer once with two replicas racing for them', async () => {
  const ids = Array.from({ length: 30 }, timerId);
  const base = Date.now() + 1_000;
  // Spread over half a second so fires arrive while both replicas are pulling.
  await Promise.all(ids.map((id, i) => timers.schedule({ kind: KIND, id }, new Date(base + (i % 10) * 50))));
  await waitFor('every timer handled', () => Promise.resolve(ids.every((id) => fires(id).length > 0)), 20_000, 50);
  await waitFor('the consumer to have nothing pending or unacked', consumerSettled, 10_000, 50);
  for (const id of ids) {
    expect(fires(id)).toHaveLength(1);
    expect(await storedFires(id)).toBe(1);
  }
});

it('fires a timer that came due while the service was down once it is back', async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  const id = timerId();
  await timers.schedule({ kind: KIND, id }, inFuture(300));
  await waitFor('the fire to be stored while nobody consumes', async () => (await storedFires(id)) === 1, 10_000, 50);
  expect(fires(id)).toHaveLength(0);
  replicas = [await Replica.start('c'), await Replica.start('d')];
  expect((await waitHandled(id)).replica).toMatch(/^[cd]$/);
  await waitFor('the consumer to settle', consumerSettled, 10_000, 50);
  expect(fires(id)).toHaveLength(1);
});

it('survives a kill -9 and restart of nats-server before the fire time', async () => {
  const id = timerId();
  const at = inFuture(4_000);
  await timers.schedule({ kind: KIND, id }, at, { note: 'survivor' });
  await nats.kill();
  expect(Date.now()).toBeLessThan(at.getTime());
  await nats.restart();
  const fire = await waitHandled(id, 30_000);
  expect(fire.handledAt).toBeGreaterThanOrEqual(at.getTime());
  expect(fire.timer.payload).toEqual({ note: 'survivor' });
  await waitFor('the consumer to settle', consumerSettled, 10_000, 50);
  expect(fires(id)).toHaveLength(1);
  expect(await storedFires(id)).toBe(1);
}, 60_000);

it('never fires a cancelled timer (a later one fires, proving time has passed)', async () => {
  const cancelled = timerId();
  const later = timerId();
  await timers.schedule({ kind: KIND, id: cancelled }, inFuture(1_000));
  await timers.cancel({ kind: KIND, id: cancelled });
  await timers.schedule({ kind: KIND, id: later }, inFuture(1_500));
  await waitHandled(later);
  expect(fires(cancelled)).toHaveLength(0);
  expect(await storedFires(cancelled)).toBe(0);
  // Cancelling again, or a timer that never existed, is a no-op.
  await timers.cancel({ kind: KIND, id: cancelled });
  await timers.cancel({ kind: KIND, id: timerId() });
});

it('moves a rescheduled timer later: it fires once, at the new time', async () => {
  const id = timerId();
  const sentinel = timerId();
  const first = inFuture(1_000);
  const moved = inFuture(3_000);
  await timers.schedule({ kind: KIND, id }, first);
  await timers.schedule({ kind: KIND, id }, moved);
  await timers.schedule({ kind: KIND, id: sentinel }, inFuture(1_800));
  await waitHandled(sentinel);
  expect(fires(id)).toHaveLength(0); // the first time passed without a fire
  const fire = await waitHandled(id);
  expect(fire.timer.at).toEqual(moved);
  expect(fire.handledAt).toBeGreaterThanOrEqual(moved.getTime());
  await waitFor('the consumer to settle', consumerSettled, 10_000, 50);
  expect(fires(id)).toHaveLength(1);
  expect(await storedFires(id)).toBe(1);
});

it('moves a rescheduled timer earlier, and keeps one pending schedule per timer', async () => {
  const id = timerId();
  await timers.schedule({ kind: KIND, id }, inFuture(3_600_000));
  await timers.schedule({ kind: KIND, id }, inFuture(1_800_000));
  const info = await jsm.streams.info(STREAM, { subjects_filter: subjects.scheduled({ kind: KIND, id }) });
  expect(info.state.subjects).toEqual({ [subjects.scheduled({ kind: KIND, id })]: 1 });
  const soon = inFuture(800);
  await timers.schedule({ kind: KIND, id }, soon);
  const fire = await waitHandled(id);
  expect(fire.timer.at).toEqual(soon);
  await waitFor('the consumer to settle', consumerSettled, 10_000, 50);
  expect(fires(id)).toHaveLength(1);
});

it('fires at once when the time is already past', async () => {
  const id = timerId();
  const past = new Date(Date.now() - 3_600_000);
  const scheduledAt = Date.now();
  await timers.schedule({ kind: KIND, id }, past);
  const fire = await waitHandled(id, 5_000);
  expect(fire.handledAt - scheduledAt).toBeLessThan(2_000);
  expect(fire.timer.at).toEqual(past);
});

it('redelivers a fire whose handler failed, and it is handled once', async () => {
  const id = timerId();
  failOnce.add(id);
  await timers.schedule({ kind: KIND, id }, inFuture(200));
  await waitHandled(id);
  expect(failOnce.has(id)).toBe(false);
  await waitFor('the consumer to settle', consumerSettled, 10_000, 50);
  expect(fires(id)).toHaveLength(1);
});
