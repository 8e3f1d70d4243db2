/**
 * KEV storage, `_id` reads and writes only (docs/engine-costs.md):
 * - `clearinghouse_kev`: one document per CISA KEV entry, `_id` the CVE id (upper case), holding the
 *   entry as the catalog gave it. An import writes only entries that are new or changed, so
 *   importing the same catalog again writes nothing.
 * - `clearinghouse_report_cves`: the reports naming each CVE id (their CVE record and aliases), one
 *   document per (CVE, report), `_id` `<CVE id>#<n>` (libs/store SequencedSet: any number of replicas
 *   add at once and none is lost), written before the report itself so that an entry exists for every
 *   stored report. A KEV import finds the reports a listing concerns by `_id` reads, never a scan.
 * - `clearinghouse_kev_catalog`: one document (`_id` "current") listing the CVE ids of the catalog
 *   imported last, so the next import knows which entries CISA took off (one `_id` read, no scan).
 *   Imports are an analyst's act, one at a time in practice; two at once would each compute
 *   removals from the list before both (the later one's list stands).
 */
import type { Collection, Db } from 'mongodb';
import { SequencedSet, type SequencedMemberDocument } from '@rampart/store';
import type { KevEntry } from '../domain/formats';

export interface KevDocument {
  _id: string;
  entry: KevEntry;
  /** The catalog's `catalogVersion` when this entry was written. */
  catalogVersion: string;
  importedAt: Date;
}

export interface KevCatalogDocument {
  _id: 'current';
  catalogVersion: string;
  cveIds: string[];
  importedAt: Date;
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

/** Reports one CVE id is indexed for: beyond it, a CVE named by that many reports is a flood, not news. */
export const REPORTS_PER_CVE = 1_000;

export class KevStore {
  private readonly reportCves: SequencedSet;

  private constructor(readonly kev: Collection<KevDocument>, reportCves: Collection<SequencedMemberDocument>, readonly catalog: Collection<KevCatalogDocument>) {
    this.reportCves = new SequencedSet(reportCves, REPORTS_PER_CVE);
  }

  static open(db: Db): KevStore {
    return new KevStore(db.collection<KevDocument>('clearinghouse_kev'), db.collection<SequencedMemberDocument>('clearinghouse_report_cves'), db.collection<KevCatalogDocument>('clearinghouse_kev_catalog'));
  }

  /** The catalog entries listing `cveIds` (upper case), one `_id` read each. */
  async entries(cveIds: readonly string[]): Promise<KevEntry[]> {
    const found = await Promise.all(cveIds.map((id) => this.kev.findOne({ _id: id })));
    return found.filter((d): d is KevDocument => d !== null).map((d) => d.entry);
  }

  /** Records that report `reportId` names each of `cveIds` (upper case). Idempotent. */
  async indexReport(cveIds: readonly string[], reportId: string): Promise<void> {
    await Promise.all(cveIds.map((id) => this.reportCves.add(id, reportId)));
  }

  /** The reports naming `cveId` (`_id` reads). */
  reportsNaming(cveId: string): Promise<string[]> {
    return this.reportCves.members(cveId);
  }

  /**
   * Stores the catalog's entries by CVE id (an entry repeated in the catalog counts as given last),
   * deletes those the catalog no longer lists, and returns the ids of those new, changed or removed:
   * one `_id` read each, one write for each changed, one delete for each removed.
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
    // Taken off the catalog: its reports are no longer "known exploited" and are rescored like any change.
    const previous = (await this.catalog.findOne({ _id: 'current' }))?.cveIds ?? [];
    const removed = previous.filter((id) => !byId.has(id));
    await eachLimited(removed, IMPORT_CONCURRENCY, async (id) => {
      await this.kev.deleteOne({ _id: id });
    });
    // Written last: an import that dies before here is redone whole by the next (the entries are idempotent).
    await this.catalog.replaceOne({ _id: 'current' }, { catalogVersion, cveIds: [...byId.keys()].sort(), importedAt: now }, { upsert: true });
    return [...changed, ...removed].sort();
  }
}
