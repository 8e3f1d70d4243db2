/**
 * AuditTrail on a real nats-server: records become CloudEvents in `<AREA>_AUDIT`, each on the
 * subject of its marking, and a reader is handed only the levels it is given; while NATS is
 * away recording never blocks, the queue is bounded (what does not fit is dropped and counted),
 * and what was queued is published once NATS is back, each record once.
 */
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import pino from 'pino';
import { auditStream, AuditTrail, ensureStream, listAuditRecords } from '@rampart/events';
import { NatsServer, waitFor } from '@rampart/testing';

const logger = pino({ level: 'silent' });
const area = 'ledger';
const markings = ['UNCLASSIFIED', 'CUI', 'SECRET', 'TOP_SECRET'];
const ALL = { markings };

describe('the audit trail publisher', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    nats = await NatsServer.start();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    jsm = await jetstreamManager(nc);
    await ensureStream(jsm, auditStream(area));
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
  });

  const stored = async () => (await jsm.streams.info('LEDGER_AUDIT')).state.messages;

  it('publishes each record on the subject of its marking, and reads back only the levels a reader is given', async () => {
    const before = (await jsm.streams.info('LEDGER_AUDIT')).state.last_seq;
    const trail = new AuditTrail<{ who: string; marking: string }>({ js: jetstream(nc), area, logger, markings }).start();
    trail.record({ who: 'public', marking: 'UNCLASSIFIED' });
    trail.record({ who: 'secret', marking: 'SECRET' });
    trail.record({ who: 'cui', marking: 'CUI' });
    trail.record({ who: 'top', marking: 'TOP_SECRET' });
    trail.record({ who: 'unknown', marking: 'COSMIC' });
    await waitFor('the records', async () => (await jsm.streams.info('LEDGER_AUDIT')).state.last_seq === before + 5);
    await trail.stop();

    const subjects: Record<string, string> = {};
    for (let seq = before + 1; seq <= before + 5; seq++) {
      const msg = (await jsm.streams.getMessage('LEDGER_AUDIT', { seq }))!;
      subjects[msg.json<{ data: { who: string } }>().data.who] = `${msg.subject} ${msg.header?.get('Rampart-Marking') ?? ''}`;
    }
    expect(subjects).toEqual({
      public: 'rampart.ledger.audit.recorded.UNCLASSIFIED UNCLASSIFIED',
      secret: 'rampart.ledger.audit.recorded.SECRET SECRET',
      cui: 'rampart.ledger.audit.recorded.CUI CUI',
      top: 'rampart.ledger.audit.recorded.TOP_SECRET TOP_SECRET',
      // A marking the trail does not know is a bug: shown only to those who may see everything.
      unknown: 'rampart.ledger.audit.recorded.TOP_SECRET TOP_SECRET',
    });
    const read = async (levels: string[]) =>
      (await listAuditRecords(jsm, area, { markings: levels, fromSequence: before + 1 })).map((r) => (r.event.data as { who: string }).who);
    expect(await read(['UNCLASSIFIED', 'CUI'])).toEqual(['public', 'cui']);
    expect(await read(markings)).toEqual(['public', 'secret', 'cui', 'top', 'unknown']);
    expect(await read([])).toEqual([]);
    // The limit takes the first records in stream order, whatever their levels.
    expect((await listAuditRecords(jsm, area, { markings, fromSequence: before + 1, limit: 2 })).map((r) => r.sequence)).toEqual([before + 1, before + 2]);
  });

  it('publishes each record as a CloudEvent on rampart.<area>.audit.recorded.<marking>', async () => {
    const before = await stored();
    const trail = new AuditTrail<{ who: string; marking: string }>({ js: jetstream(nc), area, logger, markings }).start();
    trail.record({ who: 'ada', marking: 'CUI' });
    await waitFor('the record', async () => (await stored()) === before + 1);
    await trail.stop();

    const record = (await listAuditRecords(jsm, area, ALL)).find((r) => (r.event.data as { who?: string }).who === 'ada');
    expect(record!.event).toMatchObject({ specversion: '1.0', type: 'rampart.ledger.audit.recorded.v1', source: '/rampart/ledger', data: { who: 'ada', marking: 'CUI', revision: 1 } });
    expect(record!.event.subject).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('drops a record too large for NATS at once, counted, and keeps publishing those behind it', async () => {
    const before = await stored();
    const trail = new AuditTrail<{ who: string; marking: string }>({ js: jetstream(nc), area, logger, markings }).start();
    trail.record({ who: 'x'.repeat(2 * 1024 * 1024), marking: 'CUI' });
    trail.record({ who: 'after', marking: 'CUI' });
    await waitFor('the record behind the oversized one', async () => (await stored()) === before + 1);
    expect(trail.stats.dropped).toBe(1);
    await trail.stop();
    const records = await listAuditRecords(jsm, area, ALL);
    expect(records.at(-1)!.event.data).toMatchObject({ who: 'after' });
  });

  it('holds up to its capacity while NATS is away, drops and counts the rest, and publishes the held ones when it is back', async () => {
    const before = await stored();
    const trail = new AuditTrail<{ n: number; marking: string }>({ js: jetstream(nc), area, logger, markings, capacity: 5, publishTimeoutMs: 500 }).start();
    await nats.stop();

    const started = performance.now();
    for (let n = 0; n < 8; n++) trail.record({ n, marking: 'UNCLASSIFIED' });
    expect(performance.now() - started).toBeLessThan(50); // recording never waits for NATS
    expect(trail.stats).toEqual({ queued: 5, dropped: 3 });

    await nats.restart();
    await waitFor('the held records', async () => (await stored().catch(() => before)) === before + 5, 30_000, 100);
    await waitFor('the queue to empty', () => Promise.resolve(trail.stats.queued === 0));
    await trail.stop();
    const numbers = (await listAuditRecords(jsm, area, { ...ALL, fromSequence: before + 1 })).map((r) => (r.event.data as { n: number }).n);
    expect(numbers).toEqual([0, 1, 2, 3, 4]);
  }, 60_000);

  it('counts what is still queued at shutdown as dropped', async () => {
    const trail = new AuditTrail<{ n: number; marking: string }>({ js: jetstream(nc), area, logger, markings, publishTimeoutMs: 200 }).start();
    await nats.stop();
    trail.record({ n: 1, marking: 'UNCLASSIFIED' });
    await trail.stop(300);
    expect(trail.stats).toEqual({ queued: 0, dropped: 1 });
    trail.record({ n: 2, marking: 'UNCLASSIFIED' });
    expect(trail.stats.dropped).toBe(2);
    await nats.restart();
  }, 30_000);
});
