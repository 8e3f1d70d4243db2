/**
 * Publishes outbox entries to JetStream and removes them from their document.
 *
 * The request path: a store hands the relay what a write just committed (`written`); the relay
 * publishes at once, in the background (the RPC does not wait), then removes exactly what it
 * published with one `_id`-only update (OutboxRemovals). Before a change to an existing document
 * it reads that document's outbox by `_id`: an older entry may still be pending there (another
 * replica's, whose publish is late or failed, or one a crash left), and it goes out first. A write
 * that created its document needs no read. Nothing else runs per request, on any engine.
 *
 * The sweep catches up on what nobody published: at start-up (a crash of this process), after a
 * failed publish (NATS down), and every `sweepIntervalMs` for entries older than `graceMs` (another
 * replica's crash). Its cost does not grow with the requests served: on MongoDB it reads the
 * pending index (O(pending)); on FerretDB v1, where any query but `_id` equality scans, it is one
 * scan per interval.
 *
 * Every replica runs one per outbox collection. Two of them may publish the same entry; JetStream's
 * duplicate window (Nats-Msg-Id = event id) stores it once and consumers are idempotent beyond it.
 *
 * One document's entries go out in the order they were written, across replicas: every publish
 * starts from the oldest entry pending in the document as read (its outbox is in write order, as
 * `$push` appends) and goes on in order, waiting for each acknowledgement. An entry missing from
 * that read was removed, and only what went out is removed, so everything older than what is
 * published is in the stream already.
 */
import { context } from '@opentelemetry/api';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { Collection, Filter } from 'mongodb';
import { contextFromTraceparent, injectTraceContext, rampartMeter, withPublishSpan, type Logger } from '@rampart/telemetry';
import { backoffDelay, sleep } from './backoff';
import { DocumentLocks } from './document-locks';
import { CLOUDEVENTS_CONTENT_TYPE } from './envelope';
import { OutboxRemovals } from './outbox-removals';
import type { OutboxDocument, OutboxDocumentId, OutboxEntry, OutboxPublisher, WrittenOptions } from './outbox';

export interface RelayOptions {
  collection: Collection<OutboxDocument>;
  js: JetStreamClient;
  logger: Logger;
  /** The service's locks, held by its own writers to the same collection. */
  locks: DocumentLocks;
  /** How often to sweep for entries nobody published. */
  sweepIntervalMs?: number;
  /** The periodic sweep leaves entries younger than this to the request that wrote them. */
  graceMs?: number;
  publishTimeoutMs?: number;
  /** Documents per sweep query. */
  batchSize?: number;
  /** Documents published at once by a sweep. */
  sweepConcurrency?: number;
  /** Documents remembered as behind (a publish failed); past this, the next sweep finds the rest. */
  maxBehind?: number;
}

type Via = 'request' | 'sweep';

export class OutboxRelay implements OutboxPublisher {
  private readonly collection: Collection<OutboxDocument>;
  private readonly sweepIntervalMs: number;
  private readonly graceMs: number;
  private readonly publishTimeoutMs: number;
  private readonly batchSize: number;
  private readonly sweepConcurrency: number;
  private readonly maxBehind: number;
  /** One document's publishes, one at a time (its entries go out in order). */
  private readonly order = new DocumentLocks();
  /**
   * Documents whose publish failed, with the ids of later entries left to the catch-up. Their new
   * entries wait for the catch-up too, so a document's events never overtake each other. A document
   * leaves this map when what it holds went out (or is found gone), never by a count of writes.
   */
  private readonly behind = new Map<string, Set<string>>();
  /** More documents fell behind than `behind` holds: the next sweep is a catch-up. */
  private forgotten = false;
  /** Entries this process knows are not yet published (for the backlog metrics). */
  private readonly unpublished = new Map<string, Date>();
  /** Entries this process published and is removing: a sweep meanwhile leaves them alone. */
  private readonly removing = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly stopping = new AbortController();
  private readonly removals: OutboxRemovals;
  private readonly publishedCount = rampartMeter().createCounter('rampart.outbox.published', { description: 'Events published by the outbox relay, by path', unit: '{event}' });
  private wake?: () => void;
  private loop?: Promise<void>;

  constructor(private readonly options: RelayOptions) {
    this.collection = options.collection;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    this.graceMs = options.graceMs ?? 2 * this.publishTimeoutMs;
    this.batchSize = options.batchSize ?? 500;
    this.sweepConcurrency = options.sweepConcurrency ?? 16;
    this.maxBehind = options.maxBehind ?? 10_000;
    this.removals = new OutboxRemovals(this.collection, options.locks, options.logger);
    this.registerMetrics();
  }

  /** True while a document is remembered as behind: the relay then sweeps with backoff, not on its interval. */
  get catchingUp(): boolean {
    return this.behind.size > 0 || this.forgotten;
  }

  /** Starts the sweeps; the first, at once, catches up on what a previous run left. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * A write just committed `entries` into document `id`: publish them now, without waiting, after
   * any older entry still pending in the document.
   */
  written(id: OutboxDocumentId, entries: readonly OutboxEntry[], options: WrittenOptions = {}): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.unpublished.set(entry.id, entry.createdAt);
    if (this.stopping.signal.aborted) return; // the next start's sweep publishes them
    const key = String(id);
    this.track(this.order.run([key], async () => {
      const skipped = this.behind.get(key);
      if (skipped !== undefined) {
        for (const entry of entries) skipped.add(entry.id); // the catch-up publishes these, after the earlier ones
        return;
      }
      const pending = options.created ? [...entries] : await this.pendingWith(id, entries);
      if (pending) await this.publishDocument(id, pending, 'request');
    }));
  }

  /**
   * What document `id` holds pending, oldest first, up to the newest of `mine` (what a write just
   * added), read by `_id`: older entries go out before them. Undefined when the read failed: the
   * document is then left to the catch-up, whole and in order.
   */
  private async pendingWith(id: OutboxDocumentId, mine: readonly OutboxEntry[]): Promise<OutboxEntry[] | undefined> {
    let outbox: OutboxEntry[];
    try {
      const doc = await this.collection.findOne({ _id: id } as Filter<OutboxDocument>, { projection: { outbox: 1 } });
      outbox = doc?.outbox ?? [];
    } catch (error) {
      this.options.logger.warn({ err: error, documentId: id }, 'reading an outbox before publishing failed; catching up later');
      this.fellBehind(id);
      return undefined;
    }
    // Ours already gone went out another way (another replica published from its own read).
    for (const entry of mine) if (!outbox.some((e) => e.id === entry.id)) this.unpublished.delete(entry.id);
    // Up to our newest entry; what this process published and is still removing is in the stream
    // already. Entries after ours are later writes, published by their own writers.
    const pending = outbox.filter((e) => !this.removing.has(e.id));
    const ours = new Set(mine.map((e) => e.id));
    const last = pending.reduce((at, e, i) => (ours.has(e.id) ? i : at), -1);
    return pending.slice(0, last + 1);
  }

  /**
   * Stops sweeping and waits for the publishes in flight, for at most twice the publish timeout (a
   * database that stopped answering must not hold a shutdown): what is left, a sweep does later.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    const bound = new AbortController();
    await Promise.race([
      (async () => {
        await this.loop;
        await Promise.allSettled([...this.inFlight]);
      })(),
      sleep(2 * this.publishTimeoutMs, bound.signal),
    ]);
    bound.abort();
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.options.logger.error({ err: error }, 'outbox publish failed unexpectedly'));
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async run(): Promise<void> {
    let startUp = true;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      // Catching up (start-up, a failed publish): everything written so far. Otherwise leave recent
      // entries to their writers, whose publish may be in flight.
      const catchingUp = startUp || this.behind.size > 0 || this.forgotten;
      let clean = false;
      try {
        clean = await this.sweep(new Date(Date.now() - (catchingUp ? 0 : this.graceMs)), catchingUp);
        startUp = false;
      } catch (error) {
        this.options.logger.warn({ err: error, failures: failures + 1 }, 'outbox sweep failed; retrying');
      }
      failures = clean ? 0 : failures + 1;
      const behind = this.behind.size > 0 || this.forgotten || !clean;
      await this.idle(behind ? backoffDelay(failures || 1, 250, 5_000) : this.sweepIntervalMs, !behind);
    }
  }

  /** Waits `ms`; a long wait ends early when a publish fails (see `fellBehind`) or on stop. */
  private idle(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopping.signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = wakeable ? done : () => (this.stopping.signal.aborted ? done() : undefined);
    });
  }

  /**
   * Publishes pending entries created at or before `cutoff`. Pages by what is left: a published
   * document no longer matches, so no sort is needed and MongoDB reads only the pending index.
   * True when everything found went out.
   */
  private async sweep(cutoff: Date, catchingUp: boolean): Promise<boolean> {
    if (catchingUp) this.forgotten = false;
    const found = new Set<string>();
    // Documents done in this sweep; one still matching (its entries removed by nobody) is not redone.
    const done = new Set<string>();
    const seen = new Set<string>();
    for (;;) {
      const filter = { 'outbox.createdAt': { $lte: cutoff } } as Filter<OutboxDocument>;
      const page = await this.collection.find(filter, { projection: { _id: 1, outbox: 1 } }).limit(this.batchSize).toArray();
      const docs = page.filter((doc) => !done.has(String(doc._id)));
      for (const doc of docs) {
        seen.add(String(doc._id));
        for (const entry of doc.outbox) if (entry.createdAt <= cutoff) found.add(entry.id);
      }
      let failed = false;
      await forEachLimited(docs, this.sweepConcurrency, async (doc) => {
        if (failed || this.stopping.signal.aborted) return this.fellBehind(doc._id); // keeps its order for the catch-up
        const ok = await this.order.run([String(doc._id)], () => this.sweepDocument(doc, cutoff));
        if (!ok) failed = true;
        done.add(String(doc._id));
      });
      if (failed || this.stopping.signal.aborted) return false;
      if (page.length < this.batchSize || docs.length === 0) break;
    }
    // Entries older than the cutoff that the sweep did not find went out another way (another
    // replica, or withdrawn by a later change).
    for (const [id, createdAt] of this.unpublished) if (createdAt <= cutoff && !found.has(id)) this.unpublished.delete(id);
    // A document remembered as behind that this sweep did not find has nothing of ours pending
    // but entries still unpublished: once those are gone too, it is no longer behind.
    for (const [key, skipped] of this.behind) {
      for (const id of skipped) if (!this.unpublished.has(id)) skipped.delete(id);
      if (skipped.size === 0 && !seen.has(key)) this.behind.delete(key);
    }
    return true;
  }

  private async sweepDocument(doc: Pick<OutboxDocument, '_id' | 'outbox'>, cutoff: Date): Promise<boolean> {
    const key = String(doc._id);
    const wasBehind = this.behind.has(key);
    // What this process published and is still removing is not published again. A document that
    // fell behind goes out whole; others from the oldest entry up to the first that is not old
    // enough: that one's writer may be publishing it now, and nothing after it may overtake it
    // (the array is in write order; writers' clocks may disagree).
    const pending = doc.outbox.filter((e) => !this.removing.has(e.id));
    const young = pending.findIndex((e) => e.createdAt > cutoff);
    const entries = wasBehind || young < 0 ? pending : pending.slice(0, young);
    if (entries.length === 0) {
      // Nothing left here to publish: what was skipped for it is gone (or in flight), so it is not behind.
      const skipped = this.behind.get(key);
      if (skipped) for (const id of skipped) if (!doc.outbox.some((e) => e.id === id)) skipped.delete(id);
      if (skipped?.size === 0) this.behind.delete(key);
      return true;
    }
    for (const entry of entries) this.unpublished.set(entry.id, entry.createdAt);
    if (!(await this.publishDocument(doc._id, entries, 'sweep'))) return false;
    // Entries skipped since this page was read are not in `entries`: they keep it behind for the next round.
    const skipped = this.behind.get(key);
    if (skipped) {
      for (const entry of entries) skipped.delete(entry.id);
      if (skipped.size === 0) this.behind.delete(key);
    }
    return true;
  }

  /** Publishes a document's entries in order and removes those that went out. False on a failed publish. */
  private async publishDocument(id: OutboxDocumentId, entries: OutboxEntry[], via: Via): Promise<boolean> {
    let published = 0;
    let ok = true;
    for (const entry of entries) {
      try {
        await this.publish(entry);
      } catch (error) {
        this.options.logger.warn({ err: error, documentId: id, eventId: entry.id, subject: entry.subject, via }, 'outbox publish failed; catching up later');
        this.fellBehind(id);
        ok = false;
        break;
      }
      published++;
      this.unpublished.delete(entry.id);
      this.publishedCount.add(1, { collection: this.collection.collectionName, via });
    }
    if (published === 0) return ok;
    // Exactly the entries that went out leave the document (see OutboxRemovals for why that is safe).
    const out = entries.slice(0, published);
    for (const entry of out) this.removing.add(entry.id);
    const removed = await this.removals.remove(id, out);
    for (const entry of out) this.removing.delete(entry.id);
    if (removed === 'failed') {
      this.fellBehind(id);
      return false;
    }
    return ok;
  }

  private fellBehind(id: OutboxDocumentId): void {
    const key = String(id);
    const first = this.behind.size === 0 && !this.forgotten;
    if (!this.behind.has(key)) {
      if (this.behind.size >= this.maxBehind) this.forgotten = true;
      else this.behind.set(key, new Set());
    }
    if (first) this.wake?.(); // end a long idle: catch up soon
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

  /**
   * What this replica knows is pending: what it wrote and has not published, and what its sweeps
   * found. No query per scrape (on FerretDB each would scan the collection); a crashed replica's
   * entries show once a sweep finds them.
   */
  private registerMetrics(): void {
    const meter = rampartMeter();
    const attributes = { collection: this.collection.collectionName };
    meter
      .createObservableGauge('rampart.outbox.backlog', { description: 'Events known to this replica and not yet published', unit: '{event}' })
      .addCallback((result) => result.observe(this.unpublished.size, attributes));
    meter
      .createObservableGauge('rampart.outbox.oldest_age', { description: 'Age of the oldest event known to this replica and not yet published', unit: 's' })
      .addCallback((result) => {
        let oldest = Infinity;
        for (const createdAt of this.unpublished.values()) oldest = Math.min(oldest, createdAt.getTime());
        result.observe(Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0, attributes);
      });
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}
