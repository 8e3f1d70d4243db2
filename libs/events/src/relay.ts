/**
 * Publishes outbox entries to JetStream and clears them. Runs in every replica: two relays may
 * publish the same entry, and JetStream's duplicate window (Nats-Msg-Id = event id) stores it once;
 * consumers are idempotent beyond that window. An entry is cleared by an update filtered on the
 * revision the relay read, so a concurrent state change (which bumps the revision) is never
 * overwritten: the relay just sees the document again on its next pass.
 */
import { context } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Collection } from 'mongodb';
import { contextFromTraceparent, injectTraceContext, rampartMeter, withPublishSpan, type Logger } from '@rampart/telemetry';
import { backoffDelay } from './backoff';
import { CLOUDEVENTS_CONTENT_TYPE } from './envelope';
import type { DocumentLocks } from './document-locks';
import type { OutboxDocument, OutboxEntry } from './outbox';

export interface RelayOptions {
  collection: Collection<OutboxDocument>;
  js: JetStreamClient;
  logger: Logger;
  /** Documents per pass. */
  batchSize?: number;
  /** How often to look for entries written by other replicas. */
  pollIntervalMs?: number;
  publishTimeoutMs?: number;
  /** Shared with the service's own writers to the same collection. */
  locks: DocumentLocks;
}

export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly stopping = new AbortController();
  private wake?: () => void;
  private kicked = false;
  private loop?: Promise<void>;

  constructor(private readonly options: RelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.registerMetrics();
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** A local write just added entries: publish now rather than at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops after the pass in flight. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      this.kicked = false;
      try {
        const docs = await this.pass();
        failures = 0;
        if (docs === this.batchSize || this.kicked) continue;
        await this.idle(this.pollIntervalMs);
      } catch (error) {
        failures++;
        this.options.logger.warn({ err: error, failures }, 'outbox relay pass failed; backing off');
        await this.idle(backoffDelay(failures, 250, 5_000));
      }
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.kicked) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).then(() => {
      this.wake = undefined;
    });
  }

  /** One pass over the oldest pending documents; returns how many it looked at. */
  async pass(): Promise<number> {
    const docs = await this.options.collection
      .find({ outboxSince: { $lte: new Date() } }, { projection: { _id: 1, revision: 1, outbox: 1 } })
      .sort({ outboxSince: 1 })
      .limit(this.batchSize)
      .toArray();
    // Entries of one document go out in order; different documents go out in parallel.
    const results = await Promise.allSettled(docs.map(async (doc) => {
      for (const entry of doc.outbox) await this.publish(entry);
      return doc;
    }));
    await this.markPublished(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return docs.length;
  }

  /**
   * Clears the outbox of documents whose entries all went out. One conditional update per revision
   * seen: a document whose revision moved on (a new change, with new entries) is left for the next
   * pass, where JetStream's duplicate window absorbs the entries published twice.
   */
  private async markPublished(docs: Pick<OutboxDocument, '_id' | 'revision'>[]): Promise<void> {
    const byRevision = new Map<number, string[]>();
    for (const doc of docs) byRevision.set(doc.revision, [...(byRevision.get(doc.revision) ?? []), doc._id]);
    for (const [revision, ids] of byRevision) {
      await this.options.locks.run(ids, () =>
        this.options.collection.updateMany({ _id: { $in: ids }, revision }, { $set: { outbox: [] }, $unset: { outboxSince: '' } }));
    }
  }

  private async publish(entry: OutboxEntry): Promise<void> {
    const body = Buffer.from(entry.payload, 'utf8');
    const parent = contextFromTraceparent(entry.traceparent, entry.tracestate);
    await withPublishSpan({ subject: entry.subject, messageId: entry.id, bodySize: body.length }, parent, async () => {
      const h = natsHeaders();
      h.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
      injectTraceContext(h, context.active());
      await this.options.js.publish(entry.subject, body, { msgID: entry.id, headers: h, timeout: this.publishTimeoutMs });
    });
  }

  private registerMetrics(): void {
    const meter = rampartMeter();
    const collection = this.options.collection;
    const name = collection.collectionName;
    meter
      .createObservableGauge('rampart.outbox.backlog', { description: 'Documents with events not yet published', unit: '{document}' })
      .addCallback(async (result) => {
        result.observe(await collection.countDocuments({ outboxSince: { $lte: new Date(8.64e15) } }), { collection: name });
      });
    meter
      .createObservableGauge('rampart.outbox.oldest_age', { description: 'Age of the oldest unpublished event', unit: 's' })
      .addCallback(async (result) => {
        const oldest = await collection.find({ outboxSince: { $lte: new Date(8.64e15) } }, { projection: { outboxSince: 1 } }).sort({ outboxSince: 1 }).limit(1).next();
        result.observe(oldest?.outboxSince ? (Date.now() - oldest.outboxSince.getTime()) / 1000 : 0, { collection: name });
      });
  }
}

