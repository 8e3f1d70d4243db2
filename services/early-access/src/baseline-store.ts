/**
 * Each principal's trailing uses per program (the volume rule's baseline), in `access_baselines`.
 *
 * FerretDB's updates read then write, so two replicas `$push`ing to one document lose uses. The
 * baseline is therefore a chain of snapshots written like the access log: snapshot n+1 (`_id`
 * `<program>:<org>:<principal>:<12-digit n>`) holds the latest uses up to and including the
 * (n+1)th, and inserting it is the compare-and-set; a replica that loses the race reads the
 * winner's snapshot and retries on top of it. A hint document (`_id` without the suffix, a lower
 * bound of n, moved every few snapshots) spares a cold replica from probing from the start.
 */
import type { Collection, Db } from 'mongodb';
import { DocumentLocks } from '@rampart/events';
import { isDuplicateKeyError } from '@rampart/store';
import type { BaselineUse } from './domain/signals';

interface Snapshot {
  n: number;
  uses: BaselineUse[];
}

export interface BaselineDocument {
  _id: string;
  /** Snapshots: the latest uses. Hints: none. */
  uses?: BaselineUse[];
  /** Hints: a lower bound of the latest snapshot's number. */
  n?: number;
}

const HINT_EVERY = 16;
const principalKey = (programId: string, principalOrganization: string, principal: string) => `${programId}:${principalOrganization}:${encodeURIComponent(principal)}`;
const snapshotKey = (key: string, n: number) => `${key}:${String(n).padStart(12, '0')}`;

export class BaselineStore {
  private readonly locks = new DocumentLocks();
  private readonly latest = new Map<string, Snapshot>();

  constructor(
    private readonly collection: Collection<BaselineDocument>,
    /** How many of a principal's latest uses the baseline keeps. */
    private readonly keep: number,
  ) {}

  static open(db: Db, keep: number): BaselineStore {
    return new BaselineStore(db.collection('access_baselines'), keep);
  }

  /** The principal's latest uses, oldest first. */
  async uses(programId: string, principalOrganization: string, principal: string): Promise<BaselineUse[]> {
    return (await this.head(principalKey(programId, principalOrganization, principal))).uses;
  }

  /** Adds a use: one insert when uncontended. */
  add(programId: string, principalOrganization: string, principal: string, use: BaselineUse): Promise<void> {
    const key = principalKey(programId, principalOrganization, principal);
    return this.locks.run([key], async () => {
      let head = this.latest.get(key) ?? (await this.head(key));
      for (let attempt = 0; attempt < 100; attempt++) {
        const next: Snapshot = { n: head.n + 1, uses: [...head.uses, use].slice(-this.keep) };
        try {
          await this.collection.insertOne({ _id: snapshotKey(key, next.n), uses: next.uses });
        } catch (error) {
          if (!isDuplicateKeyError(error)) throw error;
          head = await this.head(key);
          continue;
        }
        this.remember(key, next);
        if (next.n % HINT_EVERY === 0) await this.hint(key, next.n);
        return;
      }
      throw new Error(`recording a use in the baseline of ${key} lost 100 races in a row`);
    });
  }

  /** The latest snapshot: from the best hint forward, one `_id` read per snapshot beyond it. */
  private async head(key: string): Promise<Snapshot> {
    let head = this.latest.get(key);
    if (!head) {
      const n = (await this.collection.findOne({ _id: key }))?.n ?? 0;
      const doc = n > 0 ? await this.collection.findOne({ _id: snapshotKey(key, n) }) : null;
      head = { n: doc ? n : 0, uses: doc?.uses ?? [] };
    }
    for (;;) {
      const doc: BaselineDocument | null = await this.collection.findOne({ _id: snapshotKey(key, head.n + 1) });
      if (!doc) break;
      head = { n: head.n + 1, uses: doc.uses ?? [] };
    }
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
    if (!known || known.n < snapshot.n) this.latest.set(key, snapshot);
  }
}
