/**
 * Embargoes and exploitation reports, in collections of their own (every hot path an `_id` read or write):
 * - `clearinghouse_embargoes`: one document per embargoed flaw, `_id` the flaw's id, with its
 *   pending events (outbox); every change after the start is claimed in
 *   `clearinghouse_embargoes_revisions` (`<flaw>:<revision>`, kept: the embargo's history);
 * - `clearinghouse_embargo_aliases`: for each id a flaw is known by (its CVE id, its report's id),
 *   upper case, the embargoed flaws it names, one document each (`<id>#<n>`, libs/store
 *   SequencedSet: embargoes started at once on replicas lose none): an import naming it finds
 *   their embargoes by `_id` (endOnDisclosure), never by a scan;
 * - `clearinghouse_exploitation`: one document per flaw, `_id` its id, holding its exploitation
 *   reports (at most EXPLOITATION_REPORTS_PER_FLAW) and pending events; changes claimed in
 *   `clearinghouse_exploitation_revisions`, pruned (the reports themselves are the record);
 * - `clearinghouse_exploitation_requests`: `_id` an exploitation report's id (made from the
 *   caller's organisation and idempotency key), naming the flaw it was filed on: a retry goes to
 *   the same flaw even when the id it names has come to resolve to another (a regroup meanwhile).
 */
import type { Collection } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, SequencedSet, type MongoStore, type SequencedMemberDocument } from '@rampart/store';
import { normalizeFlawId, type Embargo, type ExploitationReport } from '../domain/coordination';

/** Reports kept per flaw: the priority needs only that it is exploited; more is noise, or an attack. */
export const EXPLOITATION_REPORTS_PER_FLAW = 100;
/** Embargoed flaws one id is indexed for (a CVE id named by so many embargoed flaws is an attack). */
export const MAX_FLAWS_PER_ALIAS = 100;
/** Ids one flaw is indexed under for disclosures (its own, its report's, its aliases). */
export const MAX_FLAW_IDS = 64;

export interface EmbargoDocument extends OutboxDocument, Embargo {
  _id: string;
  revision: number;
  /** Every id the flaw is known by, normalised (normalizeFlawId). */
  flawIds: string[];
}

export interface ExploitationDocument extends OutboxDocument {
  _id: string;
  revision: number;
  reports: ExploitationReport[];
}

export type StoredEmbargo = Embargo & { revision: number; flawIds: string[] };

export interface ExploitationRequestDocument {
  _id: string;
  flawId: string;
  createdAt: Date;
}

function toEmbargo(doc: EmbargoDocument): StoredEmbargo {
  const { _id: _i, outbox: _o, outboxSince: _s, ...embargo } = doc;
  return embargo;
}

/** What a change of an embargo sets: everything but its id. */
function embargoState(e: Embargo): Record<string, unknown> {
  return { parties: e.parties, endsAt: e.endsAt, changes: e.changes, ...(e.ended ? { ended: e.ended } : {}) };
}

export class EmbargoStore {
  /** Held for every update of an embargo or exploitation document, by handlers and the relays. */
  readonly locks = new DocumentLocks();
  private publisher: OutboxPublisher = SWEEP_ONLY;
  private exploitationPublisher: OutboxPublisher = SWEEP_ONLY;
  readonly changes: ClaimedChanges<EmbargoDocument>;
  private readonly aliases: SequencedSet;
  readonly exploitationChanges: ClaimedChanges<ExploitationDocument>;

  private constructor(
    readonly embargoes: Collection<EmbargoDocument>,
    aliases: Collection<SequencedMemberDocument>,
    readonly exploitation: Collection<ExploitationDocument>,
    readonly exploitationRequests: Collection<ExploitationRequestDocument>,
  ) {
    this.aliases = new SequencedSet(aliases, MAX_FLAWS_PER_ALIAS);
    this.changes = new ClaimedChanges({ documents: embargoes, claims: revisionsOf(embargoes), locks: this.locks, publisher: () => this.publisher });
    this.exploitationChanges = new ClaimedChanges({ documents: exploitation, claims: revisionsOf(exploitation), locks: this.locks, publisher: () => this.exploitationPublisher, prune: true });
  }

  static async open(mongo: Pick<MongoStore, 'db'>): Promise<EmbargoStore> {
    const embargoes = mongo.db.collection<EmbargoDocument>('clearinghouse_embargoes');
    const exploitation = mongo.db.collection<ExploitationDocument>('clearinghouse_exploitation');
    await ensureIndexes(embargoes, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(exploitation, [OUTBOX_PENDING_INDEX]);
    return new EmbargoStore(embargoes, mongo.db.collection<SequencedMemberDocument>('clearinghouse_embargo_aliases'), exploitation, mongo.db.collection<ExploitationRequestDocument>('clearinghouse_exploitation_requests'));
  }

  /** From now on, every write hands its events to these publishers (the collections' relays). */
  publishWith(publishers: { embargoes: OutboxPublisher; exploitation: OutboxPublisher }): void {
    this.publisher = publishers.embargoes;
    this.exploitationPublisher = publishers.exploitation;
  }

  /** The flaw's embargo (one `_id` read, two when a change must be rolled forward). */
  async get(flawId: string): Promise<StoredEmbargo | undefined> {
    const doc = await this.changes.read<EmbargoDocument>(flawId, { outbox: 0 });
    return doc ? toEmbargo(doc) : undefined;
  }

  /**
   * Stores a new embargo with its events; false when the flaw has one already (the `_id` insert
   * is the compare-and-set). The ids it is known by are indexed first, so a disclosure that
   * arrives once the embargo exists always finds it.
   */
  async start(embargo: Embargo, flawIds: readonly string[], events: OutboxEntry[]): Promise<boolean> {
    const ids = [...new Set([embargo.flawId, ...flawIds].map(normalizeFlawId))].slice(0, MAX_FLAW_IDS);
    await Promise.all(ids.map((id) => this.aliases.add(id, embargo.flawId)));
    const doc: EmbargoDocument = { _id: embargo.flawId, ...embargo, revision: 1, flawIds: ids, ...initialOutbox(events) };
    try {
      await this.embargoes.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    this.publisher.written(embargo.flawId, events, { created: true });
    return true;
  }

  /** Writes `next`, made from revision `fromRevision`, with its events; false when another writer changed it first. */
  change(next: Embargo, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    return this.changes.commit(next.flawId, fromRevision, { state: embargoState(next), events });
  }

  /** The embargoed flaws any of `ids` names (one `_id` read per id). */
  async flawsNamedBy(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids.map(normalizeFlawId))].slice(0, MAX_FLAW_IDS);
    const found = await Promise.all(wanted.map((id) => this.aliases.members(id)));
    return [...new Set(found.flat())].sort();
  }

  /** Reserves exploitation report `id` for `flawId` (the `_id` insert is the compare-and-set); the flaw an earlier request reserved it for otherwise. */
  async reserveExploitation(id: string, flawId: string, now: Date): Promise<string> {
    try {
      await this.exploitationRequests.insertOne({ _id: id, flawId, createdAt: now });
      return flawId;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.exploitationRequests.findOne({ _id: id });
      if (!earlier) throw error;
      return earlier.flawId;
    }
  }

  /** The flaw's exploitation reports, oldest first, and the document's revision (0: none yet). */
  async exploitationOf(flawId: string): Promise<{ revision: number; reports: ExploitationReport[] }> {
    const doc = await this.exploitationChanges.read<ExploitationDocument>(flawId, { outbox: 0 });
    return doc ? { revision: doc.revision, reports: doc.reports } : { revision: 0, reports: [] };
  }

  /**
   * Adds `report` to its flaw's reports with its events, made from what `exploitationOf` read at
   * `fromRevision`; false when another writer changed them first (read again and retry).
   */
  async addExploitation(flawId: string, fromRevision: number, reports: readonly ExploitationReport[], report: ExploitationReport, events: OutboxEntry[]): Promise<boolean> {
    if (fromRevision === 0) {
      try {
        await this.exploitation.insertOne({ _id: flawId, revision: 1, reports: [report], ...initialOutbox(events) });
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
      this.exploitationPublisher.written(flawId, events, { created: true });
      return true;
    }
    return this.exploitationChanges.commit(flawId, fromRevision, { state: { reports: [...reports, report] }, events });
  }
}

