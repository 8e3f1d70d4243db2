/**
 * The access log's collections: `access_log` (one document per record, `_id` =
 * `<programId>:<12-digit sequence>`, with the signals it raised and their pending events),
 * `access_log_heads` (per program, a lower bound of its head: a hint) and `access_checkpoints`
 * (signed heads, same `_id` form). Principals' baselines: baseline-store.ts.
 *
 * Appending inserts records n+1, n+2, ... under their own `_id`s in one ordered insert. Inserting
 * an existing `_id` fails atomically on every engine, FerretDB included, and an ordered insert
 * stops at the first failure, so that insert is the compare-and-set: two replicas that both read
 * head n race for n+1, one wins, the other learns the winner's head and retries after it. The chain
 * never forks. Within a replica, reports of one program that arrive while its previous insert is
 * under way are written together in the next (group commit, group-commit.ts), so a busy program
 * costs one insert per batch and a quiet one one insert per record.
 *
 * A report carries its gateway's report id; `reportKey` is unique in `access_log`, so the engine
 * refuses a second record for one report atomically, whichever replica the retry reaches. A retry
 * reaching the replica that appended the report is answered from memory; one reaching another
 * replica finds its record by `reportKey`: an index lookup on MongoDB, a scan on FerretDB v1, on
 * that path only (a retry of a report that was appended elsewhere), never per report. Noting each
 * report's sequence under its own `_id` would cost a second insert per batch, for every report.
 */
import type { Collection, Db } from 'mongodb';
import { OUTBOX_PENDING_INDEX, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { FailedPreconditionError } from '@rampart/errors';
import { ensureIndexes, isDuplicateKeyError } from '@rampart/store';
import { chainRecord, type AccessRecord, type AccessUse, type ChainHead } from '../domain/access-log';
import type { InsiderRiskSignal } from '../domain/signals';
import { GroupCommit, type Settled } from './group-commit';
import type { CheckpointStatement } from '../signing';

export interface LogDocument extends OutboxDocument, AccessRecord {
  _id: string;
  signals: InsiderRiskSignal[];
  hasSignals: boolean;
  /** `<programId>:<report id>`, unique: one record per report. */
  reportKey: string;
  /** The last sequence of the insert that wrote this record: a replica that lost the race skips to it. A hint, not hashed. */
  batchEnd?: number;
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
export const reportKeyOf = (programId: string, reportId: string) => `${programId}:${reportId}`;
/** Report ids the service makes up for reports that come without one: nobody can retry those. */
export const GENERATED = 'generated-';
/** At most this many records in one insert. */
const MAX_BATCH = 32;
/** Records read at once after losing a race. */
const READ_AHEAD = 2;
/** Reports remembered per process, so a retry here is answered without a read. */
const RECENT_REPORTS = 10_000;

/** What an append writes with a record: the signals its use raised, and their events. */
export interface Appended {
  signals: InsiderRiskSignal[];
  events: OutboxEntry[];
}

export interface AppendRequest {
  use: AccessUse;
  /** The gateway's id for this report; a retry with the same id gets the first one's record. */
  reportId: string;
  /** Sees the record about to be written (its sequence is final only if the insert wins) and returns the signals it raises with their events. */
  evaluate(record: AccessRecord): Appended;
}

export interface AppendResult {
  record: AccessRecord;
  signals: InsiderRiskSignal[];
  /** The report was appended before (a retry): nothing was written now. */
  replayed: boolean;
}

export interface LogStoreOptions {
  /** A signed checkpoint every this many records. */
  checkpointEvery: number;
  signCheckpoint(statement: CheckpointStatement): Promise<string>;
  /** What else must take in each appended use before its report is answered: the principals' baselines. */
  appended?(records: AccessRecord[]): Promise<void>;
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

/** Inserts, leaving alone what is there already (a checkpoint or report entry another writer stored first). */
async function insertNew<T extends { _id: string }>(collection: Collection<T>, docs: T[]): Promise<void> {
  if (docs.length === 0) return;
  try {
    await collection.insertMany(docs as never[], { ordered: false });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

/** How many documents of an ordered insert went in before it stopped on a duplicate key. */
function insertedBefore(error: unknown): number {
  const errors = (error as { writeErrors?: { index: number }[] | { index: number } }).writeErrors;
  const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
  return list.length > 0 ? Math.min(...list.map((e) => e.index)) : 0;
}

function toRecord(doc: AccessRecord): AccessRecord {
  return { programId: doc.programId, sequence: doc.sequence, previousHash: doc.previousHash, use: doc.use, hash: doc.hash };
}

const replay = (doc: LogDocument): AppendResult => ({ record: toRecord(doc), signals: doc.signals, replayed: true });

export class AccessLogStore {
  /** The last head this replica knows per program (appends here, or seen while racing). */
  private readonly heads = new Map<string, ChainHead>();
  private readonly commits = new GroupCommit<AppendRequest, AppendResult>((programId, items) => this.write(programId, items), MAX_BATCH);
  /** Reports appended or being appended here, by report key. */
  private readonly recent = new Map<string, Promise<AppendResult>>();

  private constructor(
    readonly log: Collection<LogDocument>,
    private readonly headHints: Collection<LogHeadDocument>,
    readonly checkpoints: Collection<CheckpointDocument>,
    private readonly options: LogStoreOptions,
  ) {}

  static async open(db: Db, options: LogStoreOptions): Promise<AccessLogStore> {
    const store = new AccessLogStore(db.collection('access_log'), db.collection('access_log_heads'), db.collection('access_checkpoints'), options);
    await ensureIndexes(store.log, [
      { key: { programId: 1, hasSignals: 1, _id: 1 }, name: 'program_signals' },
      OUTBOX_PENDING_INDEX,
      // The engine's guard against a report appended twice; queried only by a retry that reaches another replica.
      { key: { reportKey: 1 }, name: 'report_key', unique: true },
    ]);
    await ensureIndexes(store.checkpoints, [{ key: { programId: 1, _id: 1 }, name: 'program_id' }]);
    return store;
  }

  async getRecord(programId: string, sequence: number): Promise<AccessRecord | undefined> {
    const doc = await this.log.findOne({ _id: recordKey(programId, sequence) }, { projection: { outbox: 0, signals: 0 } });
    return doc ? toRecord(doc) : undefined;
  }

  /**
   * The program's head as stored now: from the best hint (memory, the head document) forward by
   * `_id`, a batch at a time. Undefined for an empty log.
   */
  async head(programId: string): Promise<ChainHead | undefined> {
    let from: Pick<LogDocument, 'sequence' | 'hash' | 'batchEnd'> | undefined = this.heads.get(programId);
    if (!from) {
      const hint = (await this.headHints.findOne({ _id: programId }))?.sequence ?? 0;
      if (hint > 0) {
        from = (await this.findRecord(programId, hint)) ?? undefined;
        if (!from) throw new FailedPreconditionError(`the access log of program ${programId} lacks record ${hint}, which it had: verify the log (VerifyAccessLog)`);
      }
    }
    if (!from) {
      const first = await this.findRecord(programId, 1);
      if (!first) return undefined;
      from = first;
    }
    const head = await this.follow(programId, from);
    this.remember(programId, head);
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
   * Appends a use as the next record, or answers a report appended before with its record. Reports
   * of one program arriving together share one insert.
   */
  append(programId: string, request: AppendRequest): Promise<AppendResult> {
    const key = reportKeyOf(programId, request.reportId);
    const earlier = this.recent.get(key);
    if (earlier) return earlier.then((r) => ({ ...r, replayed: true }));
    const appended = this.commits.submit(programId, request);
    this.recent.set(key, appended);
    if (this.recent.size > RECENT_REPORTS) this.recent.delete(this.recent.keys().next().value!);
    // A failed append is not remembered: the retry must try again.
    appended.catch(() => this.recent.get(key) === appended && this.recent.delete(key));
    return appended;
  }

  /** One batch: inserted in order from the head, retried after the winner's records when another replica got there first. */
  private async write(programId: string, items: AppendRequest[]): Promise<Settled<AppendResult>[]> {
    const outcomes: Settled<AppendResult>[] = new Array<Settled<AppendResult>>(items.length);
    let pending = items.map((item, index) => ({ item, index, reportKey: reportKeyOf(programId, item.reportId) }));
    try {
      // A read before the insert: when another replica appended meanwhile, learning its head costs reads, which
      // FerretDB's one SQLite writer does not wait for, rather than an insert bound to fail.
      const known = this.heads.get(programId);
      let head = known ? await this.follow(programId, known) : await this.head(programId);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt === 100) throw new Error(`appending to the access log of program ${programId} lost 100 races in a row`);
        const docs: LogDocument[] = [];
        const built: { record: AccessRecord; signals: InsiderRiskSignal[]; events: OutboxEntry[] }[] = [];
        let previous = head;
        for (const p of pending) {
          const record = chainRecord(programId, previous, p.item.use);
          const { signals, events } = p.item.evaluate(record);
          built.push({ record, signals, events });
          previous = { sequence: record.sequence, hash: record.hash };
        }
        const batchEnd = previous!.sequence;
        for (const [i, b] of built.entries()) {
          docs.push({ _id: recordKey(programId, b.record.sequence), ...b.record, signals: b.signals, hasSignals: b.signals.length > 0, reportKey: pending[i]!.reportKey, batchEnd, revision: 1, outbox: b.events });
        }
        let inserted = docs.length;
        try {
          await this.log.insertMany(docs, { ordered: true });
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          inserted = insertedBefore(error);
        }
        if (inserted > 0) {
          const written = built.slice(0, inserted);
          const last = written.at(-1)!.record;
          head = { sequence: last.sequence, hash: last.hash };
          this.remember(programId, head);
          // The reports are answered once their baselines and checkpoints are stored; the next batch need not wait for that.
          const after = this.afterInsert(programId, written.map((b) => b.record));
          written.forEach((b, i) => {
            if (b.events.length) this.options.publisher().written(docs[i]!._id, b.events);
            const result: AppendResult = { record: b.record, signals: b.signals, replayed: false };
            outcomes[pending[i]!.index] = { value: after.then(() => result) };
          });
        }
        if (inserted === docs.length) break;
        // Record `inserted` clashed: with another replica's record at its sequence, or with an earlier record of the same report.
        const clash = pending[inserted]!;
        // The winner's first records in one round of reads (a batch is usually short), then its head.
        const at = built[inserted]!.record.sequence;
        const ahead = await this.readAhead(programId, at);
        const stored = ahead[0];
        pending = pending.slice(inserted);
        if (stored) {
          const present = ahead.findIndex((r) => !r);
          const last = present === -1 ? ahead.at(-1)! : ahead[present - 1]!;
          head = present === -1 ? await this.follow(programId, last) : { sequence: last.sequence, hash: last.hash };
        }
        if (!stored || stored.reportKey === clash.reportKey) {
          outcomes[clash.index] = { value: await this.replay(programId, clash.reportKey, stored ? at : undefined) };
          pending = pending.slice(1);
        }
        if (head) this.remember(programId, head);
      }
    } catch (error) {
      // Unknown what the engine kept: read the head again next time; the gateway's retry is deduplicated by its report id.
      this.heads.delete(programId);
      for (const p of pending) outcomes[p.index] ??= { error };
    }
    return outcomes;
  }

  /**
   * The record a report was appended as, when another replica appended it: by `_id` when it is known
   * to be at `sequence`, else the one query by another field, on this path only.
   */
  private async replay(programId: string, reportKey: string, sequence?: number): Promise<AppendResult> {
    const doc = await this.log.findOne(sequence === undefined ? { reportKey } : { _id: recordKey(programId, sequence) }, { projection: { outbox: 0 } });
    if (!doc || doc.programId !== programId || doc.reportKey !== reportKey) throw new FailedPreconditionError(`report ${reportKey} was appended, but its record cannot be found: verify the log (VerifyAccessLog)`);
    return replay(doc);
  }

  /** What follows an insert that won: the baselines and a signed checkpoint at each record the interval names. */
  private async afterInsert(programId: string, records: AccessRecord[]): Promise<void> {
    const due = records.filter((r) => r.sequence === 1 || r.sequence % this.options.checkpointEvery === 0);
    await Promise.all([
      this.options.appended?.(records),
      due.length ? this.checkpoint(programId, due) : undefined,
    ]);
  }

  /** Signs each head, stores the checkpoints and moves the head hint (never backwards). */
  async checkpoint(programId: string, heads: ChainHead[]): Promise<StoredCheckpoint[]> {
    const signedAt = new Date().toISOString();
    const signed = await Promise.all(heads.map(async (h) => {
      const statement: CheckpointStatement = { programId, sequence: h.sequence, hash: h.hash, signedAt };
      return { ...statement, jws: await this.options.signCheckpoint(statement) };
    }));
    const sequence = Math.max(...heads.map((h) => h.sequence));
    // Both at once: the hint names a record already stored, whether or not its checkpoint is yet.
    await Promise.all([
      insertNew(this.checkpoints, signed.map((c) => ({ _id: recordKey(programId, c.sequence), ...c }))),
      upsertById(() => this.headHints.updateOne({ _id: programId }, { $max: { sequence } }, { upsert: true })),
    ]);
    return signed;
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

  private findRecord(programId: string, sequence: number) {
    return this.log.findOne({ _id: recordKey(programId, sequence) }, { projection: { sequence: 1, hash: 1, batchEnd: 1, reportKey: 1 } });
  }

  /**
   * The head after a stored record, by `_id` reads forward, a few at once: a record names the last
   * of its batch, so a batch costs one round of reads (its last record and those after), not one
   * read per record. Usually one round in all: nothing, or another replica's batch, lies beyond.
   */
  private async follow(programId: string, from: Pick<LogDocument, 'sequence' | 'hash' | 'batchEnd'>): Promise<ChainHead> {
    let at = from;
    for (;;) {
      const skip = at.batchEnd !== undefined && at.batchEnd > at.sequence ? at.batchEnd : undefined;
      const ahead = await this.readAhead(programId, skip ?? at.sequence + 1);
      if (skip !== undefined && !ahead[0]) {
        // Its batch was cut short (another replica won the rest): record by record from here.
        at = { sequence: at.sequence, hash: at.hash };
        continue;
      }
      const missing = ahead.findIndex((r) => !r);
      if (missing === 0) break;
      at = (missing === -1 ? ahead.at(-1) : ahead[missing - 1])!;
      if (missing !== -1) break;
    }
    return { sequence: at.sequence, hash: at.hash };
  }

  /** Records `from` to `from + READ_AHEAD - 1` in one round of `_id` reads (null where none is stored). */
  private readAhead(programId: string, from: number) {
    return Promise.all(Array.from({ length: READ_AHEAD }, (_, i) => this.findRecord(programId, from + i)));
  }

  private remember(programId: string, head: ChainHead): void {
    const known = this.heads.get(programId);
    if (!known || known.sequence < head.sequence) this.heads.set(programId, head);
  }
}
