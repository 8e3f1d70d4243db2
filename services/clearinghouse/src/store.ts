/**
 * The clearinghouse's own collections (names `clearinghouse_*`; no other service reads or writes them):
 * - `clearinghouse_reports`: one document per report, holding its canonical form, its current
 *   status and revision, what was received (the bytes as BSON Binary, with their SHA-256 and size)
 *   and its pending events (outbox);
 * - `clearinghouse_reports_revisions`: each status change, `_id` `<report>:<revision>` (the claim
 *   its change inserted, kept as the report's history, never pruned: libs/events claimed-changes.ts);
 *   revision 1, the receipt, is told by the report itself;
 * - `clearinghouse_report_requests`: SubmitReport's idempotency keys, `_id` `<organisation>:<key>`.
 * Every hot path (submit, get, transition, history) is `_id` reads and writes; only ListReports
 * filters (by organisation, status), an operator's listing with a page size.
 */
import { Binary, type Collection, type Document, type Filter } from 'mongodb';
import { claimId, ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type ChangeClaim, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { currentTraceparent } from '@rampart/telemetry';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore, type MongoTimeouts } from '@rampart/store';
import { firstRevision } from './domain/lifecycle';
import type { ReportRevision, ReportStatus, VulnerabilityReport } from './domain/report';

export interface ReportDocument extends OutboxDocument, Omit<VulnerabilityReport, 'id' | 'received'> {
  _id: string;
  received: { mediaType: string; sha256: string; sizeBytes: number; content?: Binary };
  /** The trace context of the request that submitted it: later human steps (validation) link their own traces to it. */
  receivedTrace?: { traceparent?: string; tracestate?: string };
}

/** A status change's claim: ChangeClaim's fields and the revision's record (what revisionsPage reads). */
export interface RevisionDocument extends ChangeClaim, Omit<ReportRevision, 'revision'> {
  reportId: string;
}

/** An idempotency key, reserved for the report its first request made. */
export interface ReportRequestDocument {
  _id: string;
  reportId: string;
  /** SHA-256 of the checked details (domain/idempotency.ts): a retry must send the same body. */
  fingerprint: string;
  createdAt: Date;
}

const WITHOUT_BYTES = { outbox: 0, 'received.content': 0 } as const;
const WITH_BYTES = { outbox: 0 } as const;

/** Organisation ids are subject tokens (no `:`), so the key splits one way only. */
const requestKey = (organization: string, key: string) => `${organization}:${key}`;

function toReport(doc: ReportDocument): VulnerabilityReport {
  const { _id, outbox: _o, outboxSince: _s, receivedTrace: _t, received, ...rest } = doc;
  const { content, ...digest } = received;
  return { id: _id, ...rest, received: { ...digest, ...(content ? { content: new Uint8Array(content.buffer) } : {}) } };
}

function revisionOf(doc: RevisionDocument): ReportRevision {
  const { revision, change, status, changedBy, changedAt, statusChange } = doc;
  return { revision, change, status, changedBy, changedAt, ...(statusChange ? { statusChange } : {}) };
}

export class ClearinghouseStore {
  /** Held for every update of a report document, by request handlers and the outbox relay. */
  readonly locks = new DocumentLocks();
  /** Told of the events each write committed, to publish them at once (see publishWith). */
  private publisher: OutboxPublisher = SWEEP_ONLY;
  /** Status changes: claimed in `clearinghouse_reports_revisions` (kept: the history), then written by `_id`. */
  readonly changes: ClaimedChanges<ReportDocument, RevisionDocument>;

  private constructor(
    private readonly mongo: MongoStore,
    readonly reports: Collection<ReportDocument>,
    readonly requests: Collection<ReportRequestDocument>,
  ) {
    this.changes = new ClaimedChanges({ documents: reports, claims: revisionsOf(reports) as unknown as Collection<RevisionDocument>, locks: this.locks, publisher: () => this.publisher });
  }

  static async open(uri: string, database: string, timeouts?: MongoTimeouts): Promise<ClearinghouseStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-clearinghouse', timeouts });
    const reports = mongo.db.collection<ReportDocument>('clearinghouse_reports');
    // Only ListReports uses these (never a hot path); on FerretDB they scan regardless.
    await ensureIndexes(reports, [
      { key: { organization: 1, _id: 1 }, name: 'organization_id' },
      { key: { status: 1, _id: 1 }, name: 'status_id' },
      OUTBOX_PENDING_INDEX,
    ]);
    return new ClearinghouseStore(mongo, reports, mongo.db.collection<ReportRequestDocument>('clearinghouse_report_requests'));
  }

  get database() {
    return this.mongo.db;
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /** From now on, every write hands the events it stored to `publisher` (the outbox relay). */
  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /**
   * Reserves an idempotency key for `reportId`: the `_id` insert is the compare-and-set, so of
   * concurrent retries one reserves and the others are told its report id and fingerprint.
   */
  async reserveRequest(organization: string, key: string, reportId: string, fingerprint: string, now: Date): Promise<{ reportId: string; fingerprint: string; reserved: boolean }> {
    const _id = requestKey(organization, key);
    try {
      await this.requests.insertOne({ _id, reportId, fingerprint, createdAt: now });
      return { reportId, fingerprint, reserved: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.requests.findOne({ _id });
      if (!earlier) throw error;
      return { reportId: earlier.reportId, fingerprint: earlier.fingerprint, reserved: false };
    }
  }

  /**
   * Stores a new report with its bytes as received and its events in one write; false when a
   * report with its id exists already (a concurrent retry stored it first).
   */
  async insert(report: VulnerabilityReport, events: OutboxEntry[]): Promise<boolean> {
    const { id, received, ...fields } = report;
    const content = received.content ? { content: new Binary(Buffer.from(received.content)) } : {};
    const doc: ReportDocument = {
      _id: id, ...fields, received: { mediaType: received.mediaType, sha256: received.sha256, sizeBytes: received.sizeBytes, ...content },
      receivedTrace: currentTraceparent(), ...initialOutbox(events),
    };
    try {
      await this.reports.insertOne(doc);
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    this.publisher.written(id, events, { created: true }); // a new document: nothing older pending, no read
    return true;
  }

  /** The trace context the report was submitted in (one `_id` read), for a span link from a later step's own trace. */
  async receivedTrace(id: string): Promise<{ traceparent?: string; tracestate?: string } | undefined> {
    return (await this.reports.findOne({ _id: id }, { projection: { receivedTrace: 1 } }))?.receivedTrace;
  }

  /** Two `_id` reads: the report and the claim of its next revision (rolled forward when there is one). `withBytes`: the bytes as received too. */
  async get(id: string, withBytes = false): Promise<VulnerabilityReport | undefined> {
    const doc = await this.changes.read<ReportDocument>(id, withBytes ? WITH_BYTES : WITHOUT_BYTES);
    return doc ? toReport(doc) : undefined;
  }

  /**
   * A page in id order (ids are UUIDv7, so receipt order), after `after`, without the bytes.
   * Documents as stored: a change a crash interrupted shows once a read by id, the next change or
   * the claims sweep rolls it forward. ListReports only: a listing with a page size.
   */
  async list(filter: { organization?: string; status?: ReportStatus }, after: string | undefined, limit: number): Promise<VulnerabilityReport[]> {
    const query: Filter<ReportDocument> = {
      ...(filter.organization ? { organization: filter.organization } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(after ? { _id: { $gt: after } } : {}),
    };
    const docs = await this.reports.find(query, { projection: WITHOUT_BYTES }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toReport(d as ReportDocument));
  }

  /**
   * Revisions `after + 1` to `after + limit` of a report, oldest first, and how many it has: the
   * first from the report itself, later ones by `_id` from their claims, read in parallel.
   */
  async revisionsPage(id: string, after: number, limit: number): Promise<{ organization: string; total: number; revisions: ReportRevision[] } | undefined> {
    const doc = await this.changes.read<ReportDocument>(id, { organization: 1, revision: 1, reportedBy: 1, createdAt: 1 });
    if (!doc) return undefined;
    const claims = this.changes.collections.claims as unknown as Collection<RevisionDocument & Document>;
    const wanted = Array.from({ length: Math.max(0, Math.min(limit, doc.revision - after)) }, (_, i) => after + 1 + i);
    const revisions = await Promise.all(wanted.map(async (revision) => {
      if (revision === 1) return firstRevision(doc);
      const found = await claims.findOne({ _id: claimId(id, revision) });
      if (!found) throw new Error(`report ${id} has no stored revision ${revision}`);
      return revisionOf(found);
    }));
    return { organization: doc.organization, total: doc.revision, revisions };
  }

  /**
   * Writes a status change made from revision `fromRevision`, with its events: the claim of the
   * new revision (which records it in the history), then the report by `_id`. False when another
   * writer, in this replica or another, claimed that revision first (the caller reads again).
   */
  applyChange(report: VulnerabilityReport, fromRevision: number, revision: ReportRevision, events: OutboxEntry[]): Promise<boolean> {
    const { change, status, changedBy, changedAt, statusChange } = revision;
    const record = { reportId: report.id, change, status, changedBy, changedAt, ...(statusChange ? { statusChange } : {}) };
    // Only what a status change changes; the details and the bytes as received stay as they are.
    // ... and the scoring, which validation recomputes (scoring/report-scoring.ts).
    return this.changes.commit(report.id, fromRevision, { state: { status: report.status, updatedAt: report.updatedAt, lastChange: report.lastChange, ...(report.scoring ? { scoring: report.scoring } : {}) }, events }, record);
  }
}
