/**
 * Each principal's trailing uses per program (the volume rule's baseline), in `access_baselines`.
 *
 * FerretDB's updates read then write, so two replicas `$push`ing to one document lose uses. The
 * baseline is therefore a chain of snapshots written like the access log: snapshot n+1 (`_id`
 * `<program>:<org>:<principal>:<12-digit n>`) holds the latest uses up to and including the ones
 * it adds, and inserting it is the compare-and-set; a replica that loses the race reads the
 * winner's snapshot and retries on top of it. Uses of one principal that arrive while its previous
 * snapshot is being written go into the next one together (group commit). A hint document (`_id`
 * without the suffix, a lower bound of n, moved every few snapshots) spares a cold replica from
 * probing from the start.
 */
import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@rampart/store';
import type { AccessRecord } from '../domain/access-log';
import type { BaselineUse } from '../domain/signals';
import { GroupCommit, type Settled } from './group-commit';

interface Snapshot {
  n: number;
  uses: BaselineUse[];
  /** When this process last read or wrote it (ms since the epoch). */
  seenAt: number;
}

export interface BaselineDocument {
  _id: string;
  /** Snapshots: the latest uses. Hints: none. */
  uses?: BaselineUse[];
  /** Hints: a lower bound of the latest snapshot's number. */
  n?: number;
}

const HINT_EVERY = 16;
/** Uses in one snapshot insert at most. */
const MAX_BATCH = 64;
/**
 * How old this process's copy of a baseline may be when a report reads it: uses another replica
 * recorded within this long may be missing from the median the volume rule compares against.
 */
export const BASELINE_STALENESS_MS = 500;
const principalKey = (programId: string, principalOrganization: string, principal: string) => `${programId}:${principalOrganization}:${encodeURIComponent(principal)}`;
const snapshotKey = (key: string, n: number) => `${key}:${String(n).padStart(12, '0')}`;

export class BaselineStore {
  private readonly latest = new Map<string, Snapshot>();
  private readonly commits = new GroupCommit<BaselineUse[], undefined>((key, batches) => this.write(key, batches), MAX_BATCH);

  constructor(
    private readonly collection: Collection<BaselineDocument>,
    /** How many of a principal's latest uses the baseline keeps. */
    private readonly keep: number,
    private readonly now: () => number = Date.now,
  ) {}

  static open(db: Db, keep: number): BaselineStore {
    return new BaselineStore(db.collection('access_baselines'), keep);
  }

  /** The principal's latest uses, oldest first: this process's copy when fresh, else read. */
  async uses(programId: string, principalOrganization: string, principal: string): Promise<BaselineUse[]> {
    const key = principalKey(programId, principalOrganization, principal);
    const known = this.latest.get(key);
    if (known && this.now() - known.seenAt < BASELINE_STALENESS_MS) return known.uses;
    return (await this.head(key)).uses;
  }

  /** Adds the uses of appended records to their principals' baselines: one insert per principal, shared with the uses that arrive meanwhile. */
  async record(records: readonly AccessRecord[]): Promise<void> {
    const byPrincipal = new Map<string, BaselineUse[]>();
    for (const { programId, sequence, use } of records) {
      const key = principalKey(programId, use.principalOrganization, use.principal);
      byPrincipal.set(key, [...(byPrincipal.get(key) ?? []), { sequence, volume: use.volume }]);
    }
    await Promise.all([...byPrincipal].map(([key, uses]) => this.commits.submit(key, uses)));
  }

  private async write(key: string, batches: BaselineUse[][]): Promise<Settled<undefined>[]> {
    const uses = batches.flat();
    // Probing first (a read) spares an insert bound to fail when another replica wrote meanwhile.
    let head = await this.head(key, !this.latest.has(key));
    for (let attempt = 0; attempt < 100; attempt++) {
      const merged = [...head.uses, ...uses].sort((a, b) => a.sequence - b.sequence).slice(-this.keep);
      const next: Snapshot = { n: head.n + 1, uses: merged, seenAt: this.now() };
      try {
        await this.collection.insertOne({ _id: snapshotKey(key, next.n), uses: next.uses });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        head = await this.head(key, false);
        continue;
      }
      this.remember(key, next);
      if (next.n % HINT_EVERY === 0) await this.hint(key, next.n);
      return batches.map(() => ({ value: undefined }));
    }
    throw new Error(`recording a use in the baseline of ${key} lost 100 races in a row`);
  }

  /**
   * The latest snapshot: from the best hint forward by `_id` reads, two at a time. The hint
   * document is read unless told not to (just after a lost race this process's copy is close).
   */
  private async head(key: string, consultHint = true): Promise<Snapshot> {
    let head = this.latest.get(key);
    const hinted = consultHint || !head ? ((await this.collection.findOne({ _id: key }))?.n ?? 0) : 0;
    if (!head || head.n < hinted) {
      const doc = hinted > 0 ? await this.collection.findOne({ _id: snapshotKey(key, hinted) }) : null;
      if (doc || !head) head = { n: doc ? hinted : 0, uses: doc?.uses ?? [], seenAt: 0 };
    }
    // Two snapshots at once: usually one round finds the other replica's latest and nothing beyond.
    for (let more = true; more;) {
      const from: number = head.n + 1;
      const ahead = await Promise.all([0, 1].map((i) => this.collection.findOne({ _id: snapshotKey(key, from + i) })));
      const missing = ahead.findIndex((d) => !d);
      const last = missing === -1 ? ahead.length - 1 : missing - 1;
      if (last >= 0) head = { n: from + last, uses: ahead[last]!.uses ?? [], seenAt: 0 };
      more = missing === -1;
    }
    head = { ...head, seenAt: this.now() };
    this.remember(key, head);
    return head;
  }

  /** Moves the hint forward. A lost race on FerretDB leaves it lower: still a lower bound. */
  private async hint(key: string, n: number): Promise<void> {
    const update = () => this.collection.updateOne({ _id: key }, { $max: { n } }, { upsert: true });
    try {
      await update();
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await update();
    }
  }

  private remember(key: string, snapshot: Snapshot): void {
    const known = this.latest.get(key);
    if (!known || known.n <= snapshot.n) this.latest.set(key, snapshot);
  }
}
