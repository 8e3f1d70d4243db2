/**
 * Removes published entries from their documents: one `$pullAll` by `_id` per document, sent many
 * documents to a round trip. Nothing waits to fill a batch: when idle, a removal goes out at once;
 * under load, the removals that arrive while one round trip is in flight share the next. On FerretDB
 * this costs a fraction of one command per document (measured in docs/engine-costs.md).
 *
 * Batches stay small: FerretDB v1 keeps one pooled SQLite connection per statement of an `update`
 * command until the command ends, and a bulk of about 100 exhausts its pool of 100 and hangs.
 * The queue is bounded: an engine whose `_id` updates cannot keep up (FerretDB v1 on SQLite scans
 * the table for each) skips removals past the bound, and the periodic sweep redoes them later,
 * publishing those entries again (JetStream's duplicate window stores them once).
 */
import type { AnyBulkWriteOperation, Collection } from 'mongodb';
import type { Logger } from '@rampart/telemetry';
import type { DocumentLocks } from './document-locks';
import type { OutboxDocument, OutboxDocumentId, OutboxEntry } from './outbox';

/** `skipped`: the queue was full; the entries stay for the sweep. */
export type RemovalOutcome = 'removed' | 'failed' | 'skipped';

interface Removal {
  id: OutboxDocumentId;
  entries: OutboxEntry[];
  done(outcome: RemovalOutcome): void;
}

/** How often, at most, skipped removals are logged. */
const SKIP_LOG_EVERY_MS = 10_000;

export class OutboxRemovals {
  private readonly queue: Removal[] = [];
  private flushing = false;
  private skipped = 0;
  private skipLoggedAt = 0;

  constructor(
    private readonly collection: Collection<OutboxDocument>,
    /** The service's locks, held by its own writers to the same documents. */
    private readonly locks: DocumentLocks,
    private readonly logger: Logger,
    private readonly maxBatch = 16,
    private readonly maxQueued = 10_000,
  ) {}

  /**
   * Removes exactly `entries` from document `id`. When that fails or is skipped, the entries stay and
   * a sweep publishes them again, which JetStream's duplicate window absorbs. The caller sends one
   * removal per document at a time, so a batch never holds the same document twice.
   */
  remove(id: OutboxDocumentId, entries: OutboxEntry[]): Promise<RemovalOutcome> {
    if (this.queue.length >= this.maxQueued) {
      this.skip();
      return Promise.resolve('skipped');
    }
    return new Promise<RemovalOutcome>((done) => {
      this.queue.push({ id, entries, done });
      if (!this.flushing) void this.flush();
    });
  }

  private skip(): void {
    this.skipped++;
    if (Date.now() - this.skipLoggedAt < SKIP_LOG_EVERY_MS) return;
    this.skipLoggedAt = Date.now();
    this.logger.warn({ skipped: this.skipped, queued: this.queue.length }, 'outbox removals fall behind the database; the sweep redoes the skipped ones');
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const outcome = (await this.write(batch)) ? 'removed' : 'failed';
        for (const removal of batch) removal.done(outcome);
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * `$pullAll` of the entries as written (whole values: FerretDB v1 silently ignores `$pull` with a
   * condition), filtered by `_id` alone, the one lookup every engine can do by index. An entry
   * another writer pushed meanwhile stays: on MongoDB each update is atomic, so nothing concurrent
   * is lost. FerretDB updates read then write the whole document, so there the service's document
   * locks, which its own writers hold too, keep a concurrent change in this replica from being
   * overwritten (replicas sharing one FerretDB are not safe: docs/engine-costs.md).
   */
  private async write(batch: Removal[]): Promise<boolean> {
    const operations = batch.map((r): AnyBulkWriteOperation<OutboxDocument> => ({
      updateOne: { filter: { _id: r.id }, update: { $pullAll: { outbox: r.entries } } },
    }));
    try {
      await this.locks.run(batch.map((r) => String(r.id)), () => this.collection.bulkWrite(operations, { ordered: false }));
      return true;
    } catch (error) {
      this.logger.warn({ err: error, documents: batch.length }, 'removing published outbox entries failed; a sweep publishes them again');
      return false;
    }
  }
}
