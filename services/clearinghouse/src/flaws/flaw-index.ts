/**
 * The index that finds a record's flaw with `_id` reads only (domain/flaws/component.ts):
 * - `clearinghouse_aliases`: one entry per id (`_id` the normalised id: CVE, GHSA, PYSEC, a vendor's,
 *   a report's): the records whose links include it. When the id is a record's own, the entry
 *   also holds that record: its copies (the stored sources of that id: `osv:PYSEC-...`,
 *   `csaf:CVE-...`, `report:<uuid>`), its links as last indexed, the grouping decisions naming it,
 *   the Vulnerability it is in, and its likely duplicates by fingerprint;
 * - `clearinghouse_fingerprints`: one bucket per fingerprint key (`_id` the key), listing the
 *   records that have it (the newest FINGERPRINT_BUCKET_RECORDS).
 * Both are written only by the regroup consumer, one event at a time across replicas
 * (flaw-consumer.ts), so whole-entry writes by `_id` never race; reads (GetReport's join) are `_id`.
 */
import type { AnyBulkWriteOperation, Collection, Db } from 'mongodb';

export interface LikelyDuplicateEntry {
  candidate: string;
  likelihood: 'high' | 'medium';
  reason: string;
}

export interface AliasEntry {
  _id: string;
  /** Records (normalised ids) whose links include this id, sorted. */
  records: string[];
  /** This id's record: where its copies are stored. */
  copies?: string[];
  /** This id's record: its links as indexed (to unindex what a replacement drops). */
  links?: string[];
  /** This id's record: its fingerprint keys as indexed. */
  fingerprints?: string[];
  /** This id's record: grouping decisions (ids) naming it. */
  decisions?: string[];
  /** This id's record: the Vulnerability it is in, and since when. */
  vulnerabilityId?: string;
  joinedAt?: Date;
  likelyDuplicates?: LikelyDuplicateEntry[];
  updatedAt?: Date;
}

export interface FingerprintBucket {
  _id: string;
  records: string[];
}

/** A bucket keeps its newest records: a suggestion needs a few close candidates, not every record of a package. */
export const FINGERPRINT_BUCKET_RECORDS = 64;

export class FlawIndex {
  private constructor(readonly aliases: Collection<AliasEntry>, readonly fingerprints: Collection<FingerprintBucket>) {}

  static open(db: Db): FlawIndex {
    return new FlawIndex(db.collection<AliasEntry>('clearinghouse_aliases'), db.collection<FingerprintBucket>('clearinghouse_fingerprints'));
  }

  async entry(id: string): Promise<AliasEntry | undefined> {
    return (await this.aliases.findOne({ _id: id })) ?? undefined;
  }

  async bucket(key: string): Promise<FingerprintBucket | undefined> {
    return (await this.fingerprints.findOne({ _id: key })) ?? undefined;
  }

  /**
   * Writes whole entries and buckets by `_id`, the regroup consumer's only: those it found absent
   * inserted together (one command: far cheaper than upserts on FerretDB), the others replaced.
   */
  async write(entries: readonly AliasEntry[], buckets: readonly FingerprintBucket[], absent: ReadonlySet<string>): Promise<void> {
    await Promise.all([writeAll(this.aliases, entries, absent), writeAll(this.fingerprints, buckets, absent)]);
  }
}

async function writeAll<T extends { _id: string }>(collection: Collection<T>, docs: readonly T[], absent: ReadonlySet<string>): Promise<void> {
  const fresh = docs.filter((d) => absent.has(d._id));
  const replace: AnyBulkWriteOperation<T>[] = docs.filter((d) => !absent.has(d._id)).map((d) => ({ replaceOne: { filter: { _id: d._id } as never, replacement: d, upsert: true } }));
  // Never upserted twice at once: one regroup at a time writes these collections.
  await Promise.all([fresh.length ? collection.insertMany(fresh as never[], { ordered: false }) : undefined, replace.length ? collection.bulkWrite(replace, { ordered: false }) : undefined]);
}
