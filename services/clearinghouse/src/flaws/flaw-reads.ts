/**
 * What one regroup reads, each thing once and by `_id` only: index entries, records (from their
 * stored copies: imported advisories, validated reports), grouping decisions and their undos,
 * vulnerabilities. Entries are changed in memory and written at the end (`dirtyEntries`).
 */
import { type FlawDecision, type FlawRecord } from '../domain/flaws';
import type { ClearinghouseStore } from '../store';
import type { AdvisoryStore } from './advisory-store';
import type { AliasEntry, FingerprintBucket, FlawIndex } from './flaw-index';
import type { VulnerabilityDocument, VulnerabilityStore } from './vulnerability-store';

/** Who brought a record in: a reporter's report, or an organisation's import of a feed's record. */
export interface RecordOrigin {
  recordId: string;
  reporter: string;
  organization: string;
  reportedAt: Date;
  /** reporter, osv, csaf, cve. */
  source: string;
}

export interface LoadedRecord {
  record: FlawRecord;
  origins: RecordOrigin[];
}

export const REPORT_COPY = 'report:';
export const reportCopy = (reportId: string) => `${REPORT_COPY}${reportId}`;

export interface FlawStores {
  index: FlawIndex;
  vulnerabilities: VulnerabilityStore;
  advisories: AdvisoryStore;
  reports: ClearinghouseStore;
}

interface Copy {
  record: FlawRecord;
  origin: RecordOrigin;
}

/** Copies of one id are one record (as the rule treats them): their aliases together, withdrawn only if every copy is. */
function mergeCopies(id: string, copies: readonly Copy[]): FlawRecord | undefined {
  const first = copies[0];
  if (!first) return undefined;
  return {
    source: first.record.source,
    id,
    aliases: [...new Set(copies.flatMap((c) => c.record.aliases))],
    withdrawn: copies.every((c) => c.record.withdrawn),
    affected: copies.flatMap((c) => c.record.affected),
    cwes: [...new Set(copies.flatMap((c) => c.record.cwes))],
    ...(copies.some((c) => c.record.locations) ? { locations: copies.flatMap((c) => c.record.locations ?? []) } : {}),
  };
}

export class FlawReads {
  private readonly entries = new Map<string, Promise<AliasEntry>>();
  private readonly dirty = new Set<string>();
  private readonly loaded = new Map<string, Promise<LoadedRecord | undefined>>();
  private readonly copies = new Map<string, Promise<Copy | undefined>>();
  private readonly decisionDocs = new Map<string, Promise<FlawDecision[]>>();
  private readonly vulns = new Map<string, Promise<VulnerabilityDocument | undefined>>();
  private readonly bucketDocs = new Map<string, Promise<FingerprintBucket>>();
  private readonly dirtyBuckets = new Set<string>();

  /** Entries and buckets not stored when read (inserted, not replaced; an entry id is never a bucket key: keys hold `#` or a prefix). */
  readonly absent = new Set<string>();

  constructor(private readonly stores: FlawStores) {}

  /** The entry of `id` (an empty one when none is stored). */
  entry(id: string): Promise<AliasEntry> {
    let found = this.entries.get(id);
    if (!found) {
      found = this.stores.index.entry(id).then((e) => {
        if (e) return e;
        this.absent.add(id);
        return { _id: id, records: [] };
      });
      this.entries.set(id, found);
    }
    return found;
  }

  /** Changes entry `id` in memory; written by `dirtyEntries`. Copies are registered before any record is read. */
  async change(id: string, edit: (e: AliasEntry) => void): Promise<AliasEntry> {
    const e = await this.entry(id);
    edit(e);
    this.dirty.add(id);
    return e;
  }

  async dirtyEntries(now: Date): Promise<AliasEntry[]> {
    const out = await Promise.all([...this.dirty].sort().map((id) => this.entry(id)));
    return out.map((e) => ({ ...e, updatedAt: now }));
  }

  bucket(key: string): Promise<FingerprintBucket> {
    let found = this.bucketDocs.get(key);
    if (!found) {
      found = this.stores.index.bucket(key).then((b) => {
        if (b) return b;
        this.absent.add(key);
        return { _id: key, records: [] };
      });
      this.bucketDocs.set(key, found);
    }
    return found;
  }

  async changeBucket(key: string, edit: (b: FingerprintBucket) => void): Promise<void> {
    edit(await this.bucket(key));
    this.dirtyBuckets.add(key);
  }

  async changedBuckets(): Promise<FingerprintBucket[]> {
    return Promise.all([...this.dirtyBuckets].sort().map((k) => this.bucket(k)));
  }

  /** The record of id `id` from its copies, undefined when none counts (none stored, or every one refused). */
  record(id: string): Promise<LoadedRecord | undefined> {
    let found = this.loaded.get(id);
    if (!found) {
      found = this.load(id);
      this.loaded.set(id, found);
    }
    return found;
  }

  private async load(id: string): Promise<LoadedRecord | undefined> {
    const entry = await this.entry(id);
    const copies = (await Promise.all((entry.copies ?? []).map((c) => this.copy(c)))).filter((c): c is Copy => c !== undefined);
    const record = mergeCopies(id, copies);
    return record && { record, origins: copies.map((c) => c.origin) };
  }

  /**
   * Starts reading a stored copy (e.g. the one an event names) before the walk asks for it.
   * `revision`: the revision the event announced; a stored advisory at it or later needs no check for a newer claim.
   */
  copy(copyId: string, revision?: number): Promise<Copy | undefined> {
    let found = this.copies.get(copyId);
    if (!found) {
      found = this.readCopy(copyId, revision);
      this.copies.set(copyId, found);
    }
    return found;
  }

  private async readCopy(copyId: string, revision?: number): Promise<Copy | undefined> {
    if (copyId.startsWith(REPORT_COPY)) {
      const report = await this.stores.reports.get(copyId.slice(REPORT_COPY.length));
      if (!report) return undefined;
      const d = report.details;
      return {
        record: {
          source: 'reporter', id: report.id, aliases: d.cve?.cveId ? [d.cve.cveId] : [], withdrawn: false, cwes: d.cweIds,
          affected: d.affectedProducts.map((p) => ({ purl: p.purl, ranges: p.ranges, versions: p.versions })),
        },
        origin: { recordId: report.id, reporter: report.reportedBy, organization: report.organization, reportedAt: report.createdAt, source: 'reporter' },
      };
    }
    const advisory = await this.stores.advisories.get(copyId, revision);
    if (!advisory || advisory.state !== 'accepted' || !advisory.record) return undefined;
    return {
      record: advisory.record,
      origin: { recordId: advisory.flawId, reporter: advisory.importedBy, organization: advisory.importedOrganization, reportedAt: advisory.firstImportedAt, source: advisory.source },
    };
  }

  /** The decisions in force (not undone) naming record `id`. */
  async decisionsOf(id: string): Promise<FlawDecision[]> {
    const entry = await this.entry(id);
    return (await Promise.all((entry.decisions ?? []).map((d) => this.decision(d)))).flat();
  }

  private decision(id: string): Promise<FlawDecision[]> {
    let found = this.decisionDocs.get(id);
    if (!found) {
      found = Promise.all([this.stores.vulnerabilities.decision(id), this.stores.vulnerabilities.undoOf(id)]).then(([doc, undo]) => (doc && !undo ? doc.decisions : []));
      this.decisionDocs.set(id, found);
    }
    return found;
  }

  vulnerability(id: string): Promise<VulnerabilityDocument | undefined> {
    let found = this.vulns.get(id);
    if (!found) {
      found = this.stores.vulnerabilities.get(id);
      this.vulns.set(id, found);
    }
    return found;
  }
}
