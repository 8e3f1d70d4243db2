/**
 * Imported records, as received and in canonical form:
 * - `clearinghouse_advisories`: one document per record, `_id` `<source>:<record id>` (the id
 *   normalised as the flaw rules compare it), holding its canonical AdvisoryRecord (when accepted),
 *   every problem its validation found (when refused: state invalid, never grouped), the digest of
 *   the bytes as received and its pending events (outbox). A replacement is a claimed change
 *   (`clearinghouse_advisories_revisions`, pruned), so two replicas importing two versions at once
 *   cannot lose one's events;
 * - `clearinghouse_advisory_bytes`: the bytes as received, `_id` their SHA-256: a CSAF document's
 *   records share its one copy, and the same bytes are stored once.
 * Every path is `_id` reads and writes.
 */
import { Binary, type Collection } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError } from '@rampart/store';
import type { Db } from 'mongodb';
import type { AdvisoryRecord, Problem } from '../domain/formats';

export type ImportFormat = 'osv' | 'csaf' | 'cve';

export interface StoredProblem {
  pointer: string;
  message: string;
  rule?: string;
}

export interface AdvisoryState {
  source: ImportFormat;
  /** The record's id as the feed gives it. */
  recordId: string;
  /** As the flaw rules compare it (normaliseId); the record's id in its Vulnerability. */
  flawId: string;
  state: 'accepted' | 'invalid';
  record?: AdvisoryRecord;
  errors: StoredProblem[];
  errorCount: number;
  warnings: StoredProblem[];
  warningCount: number;
  received: { mediaType: string; sha256: string; sizeBytes: number };
  importedBy: string;
  importedOrganization: string;
  firstImportedAt: Date;
  importedAt: Date;
}

export interface AdvisoryDocument extends OutboxDocument, AdvisoryState {
  _id: string;
  revision: number;
}

interface BytesDocument {
  _id: string;
  content: Binary;
  sizeBytes: number;
}

export const advisoryId = (source: string, flawId: string) => `${source}:${flawId}`;

export const problemsToStored = (problems: readonly Problem[]): StoredProblem[] =>
  problems.map((p) => ({ pointer: p.pointer, message: p.message, ...(p.rule !== undefined ? { rule: p.rule } : {}) }));

export class AdvisoryStore {
  readonly locks = new DocumentLocks();
  private publisher: OutboxPublisher = SWEEP_ONLY;
  readonly changes: ClaimedChanges<AdvisoryDocument>;

  private constructor(readonly advisories: Collection<AdvisoryDocument>, private readonly bytes: Collection<BytesDocument>) {
    this.changes = new ClaimedChanges({ documents: advisories, claims: revisionsOf(advisories), locks: this.locks, publisher: () => this.publisher, prune: true });
  }

  static async open(db: Db): Promise<AdvisoryStore> {
    const advisories = db.collection<AdvisoryDocument>('clearinghouse_advisories');
    await ensureIndexes(advisories, [OUTBOX_PENDING_INDEX]);
    return new AdvisoryStore(advisories, db.collection<BytesDocument>('clearinghouse_advisory_bytes'));
  }

  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /**
   * The stored record, brought up to its newest claim (`_id` reads). `atLeast`: a revision known to
   * exist (an event announced it); a document found at it or later is taken as read, one read fewer.
   */
  async get(id: string, atLeast?: number): Promise<AdvisoryDocument | undefined> {
    if (atLeast !== undefined) {
      const doc = await this.advisories.findOne({ _id: id }, { projection: { outbox: 0 } });
      if (doc && doc.revision >= atLeast) return doc;
    }
    return this.changes.read<AdvisoryDocument>(id, { outbox: 0 });
  }

  /** The bytes as received (one `_id` read). */
  async content(sha256: string): Promise<Uint8Array | undefined> {
    const found = await this.bytes.findOne({ _id: sha256 });
    return found ? new Uint8Array(found.content.buffer) : undefined;
  }

  /** Stores `content` under its digest; the same bytes twice are one document. */
  async keepBytes(sha256: string, content: Uint8Array): Promise<void> {
    try {
      await this.bytes.insertOne({ _id: sha256, content: new Binary(Buffer.from(content)), sizeBytes: content.length });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /**
   * Writes `state` as record `id`: an insert when `previous` is undefined, else a claimed change
   * from its revision. False when another writer got there first (the caller reads again).
   */
  async put(id: string, previous: AdvisoryDocument | undefined, state: AdvisoryState, events: (revision: number) => OutboxEntry[]): Promise<boolean> {
    if (!previous) {
      const entries = events(1);
      try {
        await this.advisories.insertOne({ _id: id, ...state, revision: 1, ...initialOutbox(entries) });
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
      this.publisher.written(id, entries, { created: true });
      return true;
    }
    const unset = state.record === undefined ? ['record'] : [];
    return this.changes.commit(id, previous.revision, { state: { ...state }, unset, events: events(previous.revision + 1) });
  }
}
