/**
 * The access log's collections: `access_log` (one document per record, `_id` =
 * `<programId>:<12-digit sequence>`, with the signals it raised and their pending events),
 * `access_log_heads` (per program, a lower bound of its head: a hint) and `access_checkpoints`
 * (signed heads, same `_id` form). Principals' baselines: baseline-store.ts.
 *
 * Appending inserts record n+1 under its own `_id`. Inserting an existing `_id` fails atomically
 * on every engine, FerretDB included, so that insert is the compare-and-set: two replicas that
 * both read head n race for n+1, one wins, the other re-reads n+1 and retries at n+2. The chain
 * never forks. Within a replica, appends to one program queue on a lock, and the head is kept in
 * memory, so a quiet program costs one insert per record.
 */
import type { Collection } from 'mongodb';
import { DocumentLocks, OUTBOX_PENDING_INDEX, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { FailedPreconditionError } from '@rampart/errors';
import { ensureIndexes, isDuplicateKeyError } from '@rampart/store';
import type { Db } from 'mongodb';
import { chainRecord, type AccessRecord, type AccessUse, type ChainHead } from './domain/access-log';
import type { InsiderRiskSignal } from './domain/signals';
import type { CheckpointStatement } from './signing';

export interface LogDocument extends OutboxDocument, AccessRecord {
  _id: string;
  signals: InsiderRiskSignal[];
  hasSignals: boolean;
}
export interface LogHeadDocument {
  _id: string;
  sequence: number;
}
export interface CheckpointDocument extends CheckpointStatement {
  _id: string;
  jws: string;
}

export interface StoredCheckpoint extends CheckpointStatement {
  jws: string;
}

const SEQUENCE_DIGITS = 12;
export const recordKey = (programId: string, sequence: number) => `${programId}:${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;

/** What an append writes with a record: the signals its use raised, and their events. */
export interface Appended {
  signals: InsiderRiskSignal[];
  events: OutboxEntry[];
}

export interface LogStoreOptions {
  /** A signed checkpoint every this many records. */
  checkpointEvery: number;
  signCheckpoint(statement: CheckpointStatement): Promise<string>;
  publisher: () => OutboxPublisher;
}

/**
 * An `_id` upsert: two writers upserting a new document at once both try to insert it, and one
 * fails on the duplicate `_id`. By then the document exists, so the loser's update applies as an
 * update on the retry.
 */
async function upsertById(update: () => Promise<unknown>): Promise<void> {
  try {
    await update();
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    await update();
  }
}

function toRecord(doc: LogDocument): AccessRecord {
  return { programId: doc.programId, sequence: doc.sequence, previousHash: doc.previousHash, use: doc.use, hash: doc.hash };
}

export class AccessLogStore {
  private readonly locks = new DocumentLocks();
  /** The last head this replica knows per program (appends here, or seen while racing). */
  private readonly heads = new Map<string, ChainHead>();

  private constructor(
    readonly log: Collection<LogDocument>,
    private readonly headHints: Collection<LogHeadDocument>,
    readonly checkpoints: Collection<CheckpointDocument>,
    private readonly options: LogStoreOptions,
  ) {}

  static async open(db: Db, options: LogStoreOptions): Promise<AccessLogStore> {
    const store = new AccessLogStore(db.collection('access_log'), db.collection('access_log_heads'), db.collection('access_checkpoints'), options);
    await ensureIndexes(store.log, [{ key: { programId: 1, hasSignals: 1, _id: 1 }, name: 'program_signals' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(store.checkpoints, [{ key: { programId: 1, _id: 1 }, name: 'program_id' }]);
    return store;
  }

  async getRecord(programId: string, sequence: number): Promise<AccessRecord | undefined> {
    const doc = await this.log.findOne({ _id: recordKey(programId, sequence) }, { projection: { outbox: 0, signals: 0 } });
    return doc ? toRecord(doc) : undefined;
  }

  /**
   * The program's head as stored now: from the best hint (memory, the head document) forward, one
   * `_id` read per record beyond it. Undefined for an empty log.
   */
  async head(programId: string): Promise<ChainHead | undefined> {
    let head = this.heads.get(programId);
    if (!head) {
      const hint = (await this.headHints.findOne({ _id: programId }))?.sequence ?? 0;
      if (hint > 0) {
        const record = await this.getRecord(programId, hint);
        if (!record) throw new FailedPreconditionError(`the access log of program ${programId} lacks record ${hint}, which it had: verify the log (VerifyAccessLog)`);
        head = { sequence: record.sequence, hash: record.hash };
      }
    }
    for (;;) {
      const next = await this.getRecord(programId, (head?.sequence ?? 0) + 1);
      if (!next) break;
      head = { sequence: next.sequence, hash: next.hash };
    }
    if (head) this.remember(programId, head);
    return head;
  }

  /**
   * The furthest sequence anything says the log reached: the head hint, `atLeast` (say, a signed
   * checkpoint), and the records stored beyond them. Reading only, it never fails on a damaged log.
   */
  async lastSequence(programId: string, atLeast = 0): Promise<number> {
    let end = Math.max(atLeast, this.heads.get(programId)?.sequence ?? 0, (await this.headHints.findOne({ _id: programId }))?.sequence ?? 0);
    while (await this.getRecord(programId, end + 1)) end++;
    return end;
  }

  /**
   * Appends a use as the next record. `evaluate` sees the record about to be written (its
   * sequence is final only if the insert wins) and returns the signals it raises with their
   * events, written in the same document.
   */
  append(programId: string, use: AccessUse, evaluate: (record: AccessRecord) => Appended): Promise<{ record: AccessRecord; signals: InsiderRiskSignal[] }> {
    return this.locks.run([programId], async () => {
      let head = this.heads.get(programId) ?? (await this.head(programId));
      for (let attempt = 0; attempt < 100; attempt++) {
        const record = chainRecord(programId, head, use);
        const { signals, events } = evaluate(record);
        const _id = recordKey(programId, record.sequence);
        try {
          await this.log.insertOne({ _id, ...record, signals, hasSignals: signals.length > 0, revision: 1, outbox: events });
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          // Another replica appended record n+1 first: follow the chain to its new head and retry.
          head = await this.head(programId);
          continue;
        }
        if (events.length) this.options.publisher().written(_id, events);
        const newHead = { sequence: record.sequence, hash: record.hash };
        this.remember(programId, newHead);
        if (record.sequence === 1 || record.sequence % this.options.checkpointEvery === 0) await this.checkpoint(programId, newHead);
        return { record, signals };
      }
      throw new Error(`appending to the access log of program ${programId} lost 100 races in a row`);
    });
  }

  /** Signs the head, stores the checkpoint and moves the head hint (never backwards). */
  async checkpoint(programId: string, head: ChainHead): Promise<StoredCheckpoint> {
    const statement: CheckpointStatement = { programId, sequence: head.sequence, hash: head.hash, signedAt: new Date().toISOString() };
    const jws = await this.options.signCheckpoint(statement);
    try {
      await this.checkpoints.insertOne({ _id: recordKey(programId, head.sequence), ...statement, jws });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    await upsertById(() => this.headHints.updateOne({ _id: programId }, { $max: { sequence: head.sequence } }, { upsert: true }));
    return { ...statement, jws };
  }

  /** Records `from` to `to` (inclusive) by `_id`, undefined where none is stored. */
  async records(programId: string, from: number, to: number): Promise<(AccessRecord | undefined)[]> {
    const sequences = Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
    return Promise.all(sequences.map((s) => this.getRecord(programId, s)));
  }

  async listCheckpoints(programId: string, after: string | undefined, limit: number): Promise<(StoredCheckpoint & { key: string })[]> {
    const docs = await this.checkpoints.find({ programId, ...(after ? { _id: { $gt: after } } : {}) }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...c }) => ({ ...c, key: _id }));
  }

  async allCheckpoints(programId: string): Promise<StoredCheckpoint[]> {
    return (await this.checkpoints.find({ programId }).sort({ _id: 1 }).toArray()).map(({ _id, ...c }) => c);
  }

  async listSignals(programId: string, after: string | undefined, limit: number): Promise<{ key: string; signals: InsiderRiskSignal[] }[]> {
    const docs = await this.log.find({ programId, hasSignals: true, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { signals: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ key: d._id, signals: d.signals }));
  }

  private remember(programId: string, head: ChainHead): void {
    const known = this.heads.get(programId);
    if (!known || known.sequence < head.sequence) this.heads.set(programId, head);
  }
}
