/**
 * A service area's audit trail on JetStream: CloudEvents `rampart.<area>.audit.recorded.<marking>`
 * in stream `<AREA>_AUDIT`, which only auditors may read. Each record goes on the subject of its own
 * marking (also in its `Rampart-Marking` header and its data's `marking`), so nats-server account
 * permissions grant an auditor exactly the levels up to its clearance, e.g.
 * `rampart.*.audit.recorded.UNCLASSIFIED` and `rampart.*.audit.recorded.CUI` for a CUI auditor, and
 * `listAuditRecords` reads only the levels it is given. The CloudEvents type stays
 * `rampart.<area>.audit.recorded.v1`: the marking is where the record is, not what it is.
 *
 * Recording never blocks or fails the request that is audited: records wait in a bounded in-memory
 * queue and are published in the background, retried with backoff while NATS is away. When the queue
 * is full (a long outage) new records are dropped, counted in `rampart.audit.dropped` and logged.
 */
import { headers as natsHeaders } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { isSubjectToken } from '@rampart/errors';
import type { Counter } from '@opentelemetry/api';
import { v7 as uuidv7 } from 'uuid';
import { rampartMeter, type Logger } from '@rampart/telemetry';
import { backoffDelay, sleep } from './backoff';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, natsSubject, type CloudEvent, type EventName } from './envelope';
import type { StreamSpec } from './streams';

const DAY_MS = 24 * 60 * 60 * 1000;

export function auditEventName(area: string): EventName {
  return { area, thing: 'audit', verb: 'recorded' };
}

export const MARKING_HEADER = 'Rampart-Marking';

/** Where an area's records of one marking are published: `rampart.<area>.audit.recorded.<marking>`. */
export function auditSubject(area: string, marking: string): string {
  if (!isSubjectToken(marking)) throw new RangeError(`audit marking ${JSON.stringify(String(marking).slice(0, 40))} is not a subject token`);
  return `${natsSubject(auditEventName(area))}.${marking}`;
}


/** Well under NATS's default max_payload (1 MiB); records hold ids and field paths, so are small. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** `<AREA>_AUDIT` on `rampart.<area>.audit.>`; kept a year by default (the records of record are the auditors' store). */
export function auditStream(area: string, replicas = 1, maxAgeMs = 366 * DAY_MS): StreamSpec {
  return {
    name: `${area.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_AUDIT`,
    subjects: [`rampart.${area}.audit.>`],
    maxAgeMs,
    duplicateWindowMs: 10 * 60 * 1000,
    replicas,
  };
}

export interface AuditTrailOptions {
  js: JetStreamClient;
  area: string;
  /**
   * The markings a record may carry, lowest first (the clearances of @rampart/auth). A record whose
   * marking is not one of them is a bug; it is published at the highest, never lower.
   */
  markings: readonly string[];
  logger: Logger;
  /** Records held while NATS is away; beyond it new records are dropped. */
  capacity?: number;
  /** Records published concurrently. */
  batchSize?: number;
  publishTimeoutMs?: number;
}

interface Pending {
  id: string;
  subject: string;
  marking: string;
  body: Uint8Array;
}

/** How often, at most, a run of dropped records is logged. */
const DROP_LOG_EVERY_MS = 10_000;

/** What every record carries: the marking of what it reveals. */
export interface MarkedRecord {
  marking: string;
}

export class AuditTrail<T extends MarkedRecord> {
  private readonly queue: Pending[] = [];
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly publishTimeoutMs: number;
  private readonly stopping = new AbortController();
  private readonly dropped: Counter;
  private closing = false;
  private wake?: () => void;
  private loop?: Promise<void>;
  private droppedSinceLog = 0;
  private lastDropLog = 0;
  private droppedTotal = 0;

  constructor(private readonly options: AuditTrailOptions) {
    this.capacity = options.capacity ?? 10_000;
    this.batchSize = options.batchSize ?? 64;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    if (options.markings.length === 0 || !options.markings.every(isSubjectToken)) throw new RangeError('audit markings must be subject tokens, at least one');
    const meter = rampartMeter();
    this.dropped = meter.createCounter('rampart.audit.dropped', { description: 'Audit records dropped (queue full while NATS was away, or at shutdown)', unit: '{record}' });
    meter
      .createObservableGauge('rampart.audit.queued', { description: 'Audit records waiting to be published', unit: '{record}' })
      .addCallback((result) => result.observe(this.queue.length, { area: options.area }));
  }

  /** Records waiting to be published, and dropped so far (also the metrics). */
  get stats(): { queued: number; dropped: number } {
    return { queued: this.queue.length, dropped: this.droppedTotal };
  }

  start(): this {
    this.loop ??= this.run();
    return this;
  }

  /** Queues one record as a CloudEvent; never blocks, never throws. */
  record(data: T): void {
    if (this.closing || this.queue.length >= this.capacity) {
      this.drop(1, this.closing ? 'shutdown' : 'queue_full');
      return;
    }
    const { markings } = this.options;
    let marking = data.marking;
    if (!markings.includes(marking)) {
      // Fail closed: a record of unknown marking is shown only to those who may see everything.
      this.options.logger.error({ marking: String(marking).slice(0, 40) }, 'audit record with an unknown marking; published at the highest');
      marking = markings[markings.length - 1]!;
    }
    const id = uuidv7();
    const event: CloudEvent<T & { revision: number }> = createEvent(auditEventName(this.options.area), id, { ...data, marking, revision: 1 });
    const body = Buffer.from(JSON.stringify(event));
    // A record that NATS would never take must not sit at the head of the queue forever.
    if (body.length > MAX_RECORD_BYTES) {
      this.drop(1, 'too_large');
      return;
    }
    this.queue.push({ id: event.id, subject: auditSubject(this.options.area, marking), marking, body });
    this.wake?.();
  }

  /** Publishes what is queued for up to `graceMs`, then stops; what is left is counted as dropped. */
  async stop(graceMs = 3_000): Promise<void> {
    this.closing = true;
    this.wake?.();
    const timer = setTimeout(() => this.stopping.abort(), graceMs);
    await this.loop;
    clearTimeout(timer);
    if (this.queue.length > 0) this.drop(this.queue.splice(0).length, 'shutdown');
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      if (this.queue.length === 0) {
        if (this.closing) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.queue.slice(0, this.batchSize);
      const results = await Promise.allSettled(batch.map((pending) => this.publish(pending)));
      const failed = batch.filter((_, i) => results[i]!.status === 'rejected');
      // Failed records stay first, in order; the duplicate window absorbs a retry of one that did land.
      this.queue.splice(0, batch.length, ...failed);
      if (failed.length === 0) {
        failures = 0;
        continue;
      }
      failures++;
      const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as unknown;
      this.options.logger.warn({ err: reason, failed: failed.length, queued: this.queue.length, failures }, 'audit records not published yet; retrying');
      await sleep(backoffDelay(failures, 250, 10_000), this.stopping.signal);
    }
  }

  private async publish(pending: Pending): Promise<void> {
    const h = natsHeaders();
    h.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
    h.set(MARKING_HEADER, pending.marking);
    await this.options.js.publish(pending.subject, pending.body, { msgID: pending.id, headers: h, timeout: this.publishTimeoutMs });
  }

  private drop(count: number, reason: 'queue_full' | 'shutdown' | 'too_large'): void {
    this.dropped.add(count, { area: this.options.area, reason });
    this.droppedTotal += count;
    this.droppedSinceLog += count;
    const now = Date.now();
    if (now - this.lastDropLog < DROP_LOG_EVERY_MS && reason !== 'shutdown') return;
    this.options.logger.error({ dropped: this.droppedSinceLog, reason, capacity: this.capacity }, 'audit records dropped');
    this.droppedSinceLog = 0;
    this.lastDropLog = now;
  }
}

export interface StoredAuditRecord<T = unknown> {
  sequence: number;
  event: CloudEvent<T>;
}

export interface ListAuditOptions {
  /**
   * The markings the reader may see: the levels up to its clearance, never more. Only their
   * subjects are read, each through a consumer filtered on it (the consumer-create API subject names
   * the filter, so nats-server permissions can grant exactly these).
   */
  markings: readonly string[];
  limit?: number;
  fromSequence?: number;
}

/** How long a read waits for a message the consumer said was pending. */
const READ_TIMEOUT_MS = 5_000;

/** Reads an area's audit records of `markings` from `fromSequence` on, in stream order (the `rampart audit list` CLI). */
export async function listAuditRecords(jsm: JetStreamManager, area: string, options: ListAuditOptions): Promise<StoredAuditRecord[]> {
  const stream = auditStream(area).name;
  const limit = options.limit ?? 100;
  const js = jsm.jetstream();
  const out: StoredAuditRecord[] = [];
  for (const marking of new Set(options.markings)) {
    const name = `audit-reader-${uuidv7()}`;
    const info = await jsm.consumers.add(stream, {
      name,
      filter_subject: auditSubject(area, marking),
      ack_policy: AckPolicy.None,
      mem_storage: true,
      inactive_threshold: 60_000_000_000,
      ...(options.fromSequence && options.fromSequence > 1
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.fromSequence }
        : { deliver_policy: DeliverPolicy.All }),
    });
    try {
      // Each level's first `limit` records hold the first `limit` of all levels together.
      const wanted = Math.min(limit, info.num_pending);
      if (wanted === 0) continue;
      const consumer = await js.consumers.get(stream, name);
      const messages = await consumer.fetch({ max_messages: wanted, expires: READ_TIMEOUT_MS });
      let received = 0;
      for await (const msg of messages) {
        out.push({ sequence: msg.seq, event: msg.json<CloudEvent>() });
        if (++received >= wanted) break;
      }
    } finally {
      await jsm.consumers.delete(stream, name).catch(() => false);
    }
  }
  return out.sort((a, b) => a.sequence - b.sequence).slice(0, limit);
}
