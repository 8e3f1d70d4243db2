/**
 * A growing set of strings under one key, safe with any number of writers on any engine: each
 * member is its own document, `_id` `<key>#<n>` for n = 0, 1, 2, ..., and a member is added by
 * inserting the next free `n` (the `_id` insert is the compare-and-set every engine honours; an
 * `$addToSet` on one document is read-then-write on FerretDB, and two writers can lose one).
 * Reading is `_id` lookups only, a window at a time in parallel, until the first gap. Members are
 * never removed: it suits indexes that only grow (a CVE's reports).
 */
import type { Collection } from 'mongodb';
import { isDuplicateKeyError } from './index';

export interface SequencedMemberDocument {
  _id: string;
  member: string;
}

/** Lookups sent at once while reading a key's members. */
const WINDOW = 8;

export class SequencedSet {
  /** `cap`: the most members a key holds; adding beyond it is refused (false), reading stops there. */
  constructor(private readonly collection: Collection<SequencedMemberDocument>, private readonly cap = 10_000) {}

  private id(key: string, n: number): string {
    return `${key}#${n}`;
  }

  /** The key's members in the order they were added. */
  async members(key: string): Promise<string[]> {
    // Most keys have no member or one: the first read alone, then a window at a time.
    const first = await this.collection.findOne({ _id: this.id(key, 0) });
    if (!first) return [];
    const found: string[] = [first.member];
    for (let start = 1; start < this.cap; start += WINDOW) {
      const window = await Promise.all(Array.from({ length: Math.min(WINDOW, this.cap - start) }, (_, i) => this.collection.findOne({ _id: this.id(key, start + i) })));
      for (const doc of window) {
        if (!doc) return found;
        found.push(doc.member);
      }
    }
    return found;
  }

  /** Adds `member` unless the key has it already; true when this call added it. */
  async add(key: string, member: string): Promise<boolean> {
    const present = await this.members(key);
    if (present.includes(member)) return false;
    for (let n = present.length; n < this.cap; n++) {
      try {
        await this.collection.insertOne({ _id: this.id(key, n), member });
        return true;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another writer took n: if it added the same member, it is there.
        if ((await this.collection.findOne({ _id: this.id(key, n) }))?.member === member) return false;
      }
    }
    return false;
  }
}
