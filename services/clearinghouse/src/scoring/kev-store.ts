/**
 * KEV storage, `_id` reads and writes only (docs/engine-costs.md):
 * - `clearinghouse_kev`: one document per CISA KEV entry, `_id` the CVE id (upper case), holding the
 *   entry as the catalog gave it. An import writes only entries that are new or changed, so
 *   importing the same catalog again writes nothing.
 * - `clearinghouse_report_cves`: `_id` a CVE id, `reportIds` the reports naming it (their CVE record
 *   and aliases), written before the report itself so that an entry exists for every stored report.
 *   A KEV import finds the reports a new listing concerns by one `_id` read per changed entry, never
 *   a scan. `$addToSet` is read-then-write on FerretDB: this process's writers to one CVE take turns
 *   (DocumentLocks); two replicas adding to one CVE at the same instant could lose one id (left open).
 */
import type { Collection, Db } from 'mongodb';
import { DocumentLocks } from '@rampart/events';
import { isDuplicateKeyError } from '@rampart/store';
import type { KevEntry } from '../domain/formats';

export interface KevDocument {
  _id: string;
  entry: KevEntry;
  /** The catalog's `catalogVersion` when this entry was written. */
  catalogVersion: string;
  importedAt: Date;
}

export interface ReportCvesDocument {
  _id: string;
  reportIds: string[];
}

/** Writes in flight at once during an import: FerretDB serialises writes anyway; this bounds memory and latency. */
const IMPORT_CONCURRENCY = 16;

/** The entry's JSON with keys sorted: the same entry, in whatever key order, is unchanged. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Runs `fn` on every item, `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export class KevStore {
  private readonly locks = new DocumentLocks();

  private constructor(readonly kev: Collection<KevDocument>, readonly reportCves: Collection<ReportCvesDocument>) {}

  static open(db: Db): KevStore {
    return new KevStore(db.collection<KevDocument>('clearinghouse_kev'), db.collection<ReportCvesDocument>('clearinghouse_report_cves'));
  }

  /** The catalog entries listing `cveIds` (upper case), one `_id` read each. */
  async entries(cveIds: readonly string[]): Promise<KevEntry[]> {
    const found = await Promise.all(cveIds.map((id) => this.kev.findOne({ _id: id })));
    return found.filter((d): d is KevDocument => d !== null).map((d) => d.entry);
  }

  /** Records that report `reportId` names each of `cveIds` (upper case). Idempotent. */
  async indexReport(cveIds: readonly string[], reportId: string): Promise<void> {
    await Promise.all(cveIds.map((id) => this.locks.run([id], async () => {
      const add = () => this.reportCves.updateOne({ _id: id }, { $addToSet: { reportIds: reportId } }, { upsert: true });
      try {
        await add();
      } catch (error) {
        // Two upserts of a new CVE at once: one inserted, the other adds to it.
        if (!isDuplicateKeyError(error)) throw error;
        await add();
      }
    })));
  }

  /** The reports naming `cveId`, one `_id` read. */
  async reportsNaming(cveId: string): Promise<string[]> {
    return (await this.reportCves.findOne({ _id: cveId }))?.reportIds ?? [];
  }

  /**
   * Stores the catalog's entries by CVE id (an entry repeated in the catalog counts as given last)
   * and returns the ids of those new or changed: one `_id` read each, one write for each changed.
   */
  async store(entries: readonly KevEntry[], catalogVersion: string, now: Date): Promise<string[]> {
    const byId = new Map<string, KevEntry>();
    for (const entry of entries) byId.set(entry.cveID.trim().toUpperCase(), entry);
    const changed: string[] = [];
    await eachLimited([...byId.entries()], IMPORT_CONCURRENCY, async ([id, entry]) => {
      const stored = await this.kev.findOne({ _id: id }, { projection: { entry: 1 } });
      if (stored && canonical(stored.entry) === canonical(entry)) return;
      await this.kev.replaceOne({ _id: id }, { entry, catalogVersion, importedAt: now }, { upsert: true });
      changed.push(id);
    });
    return changed.sort();
  }
}
