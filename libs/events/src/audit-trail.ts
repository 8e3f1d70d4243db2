/**
 * A service area's audit trail on JetStream: CloudEvents `rampart.<area>.audit.recorded` in stream
 * `<AREA>_AUDIT`, which only auditors may read (nats-server account permissions on that subject).
 *
 * Recording never blocks or fails the request that is audited: records wait in a bounded in-memory
 * queue and are published in the background, retried with backoff while NATS is away. When the queue
 * is full (a long outage) new records are dropped, counted in `rampart.audit.dropped` and logged.
 */
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
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
  logger: Logger;
  /** Records held while NATS is away; beyond it new records are dropped. */
  capacity?: number;
  /** Records published concurrently. */
  batchSize?: number;
  publishTimeoutMs?: number;
}

interface Pending {
  id: string;
  body: Uint8Array;
}

/** How often, at most, a run of dropped records is logged. */
const DROP_LOG_EVERY_MS = 10_000;

export class AuditTrail<T extends object> {
  private readonly queue: Pending[] = [];
  private readonly capacity: number;
  private readonly batchSize: number;
  private readonly publishTimeoutMs: number;
  private readonly subject: string;
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
    this.subject = natsSubject(auditEventName(options.area));
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
    const id = uuidv7();
    const event: CloudEvent<T & { revision: number }> = createEvent(auditEventName(this.options.area), id, { ...data, revision: 1 });
    const body = Buffer.from(JSON.stringify(event));
    // A record that NATS would never take must not sit at the head of the queue forever.
    if (body.length > MAX_RECORD_BYTES) {
      this.drop(1, 'too_large');
      return;
    }
    this.queue.push({ id: event.id, body });
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
    await this.options.js.publish(this.subject, pending.body, { msgID: pending.id, headers: h, timeout: this.publishTimeoutMs });
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

/** Reads an area's audit records from `fromSequence` on (the `rampart audit list` CLI). */
export async function listAuditRecords(jsm: JetStreamManager, area: string, options: { limit?: number; fromSequence?: number } = {}): Promise<StoredAuditRecord[]> {
  const stream = auditStream(area).name;
  const info = await jsm.streams.info(stream);
  const limit = options.limit ?? 100;
  const out: StoredAuditRecord[] = [];
  for (let seq = Math.max(info.state.first_seq, options.fromSequence ?? 0); seq <= info.state.last_seq && out.length < limit; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (msg) out.push({ sequence: msg.seq, event: msg.json<CloudEvent>() });
  }
  return out;
}
