/**
 * Coordinated scanning's collections (`clearinghouse_scan_*`; no other service reads them):
 * - `scan_requests`: one document per request (`_id` its UUIDv7), with its outbox (`scan.requested`
 *   at insert, `scan.cancelled` by a claimed change in `scan_requests_revisions`, pruned);
 * - `scan_jobs`: the jobs planned from the open requests, `_id` the job's content-derived id, so
 *   planning again stores nothing new (an insert of an existing `_id` is refused and ignored);
 * - `scan_units`: `_id` `<request>/<kind>`, inserted when a job serving that test of that request is
 *   claimed: the compare-and-set that lets one job only serve a request's test, across plans;
 * - `scan_claims`: `_id` the job id: the claim, the compare-and-set of "one claimer per job",
 *   inserted with its `scan.claimed` event (outbox);
 * - `scan_uploads`: each SARIF log as received (bytes, SHA-256), the verdicts, its `scan.reported`
 *   event (outbox);
 * - `scan_findings`: `_id` the report id of each admitted result, with the requests (and so the
 *   operators) whose targets hold it: only they are shown it.
 * Filing, reading, cancelling, claiming and uploading are `_id` reads and writes; only the listings
 * (requests, jobs, findings) filter.
 */
import { Binary, type Collection, type Db, type Filter } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError } from '@rampart/store';
import type { ScanClaim, ScanJob, ScanKind, ScanRequest, ScanTarget, ServedRequest, ZonedTime } from '../domain/coordination';

export type ScanRequestStatus = 'open' | 'cancelled';

export interface Cancellation {
  cancelledBy: string;
  cancelledAt: Date;
  reason: string;
}

/** A request as stored: the domain's request, its status and, once cancelled, who, when and why. */
export interface StoredScanRequest extends ScanRequest {
  status: ScanRequestStatus;
  revision: number;
  cancellation?: Cancellation;
}

interface RequestDocument extends OutboxDocument, Omit<StoredScanRequest, 'id'> {
  _id: string;
  /** The window's end as a plain date, for the listing of open requests. */
  windowEndsAt: Date;
}

interface JobDocument extends Omit<ScanJob, 'id'> {
  _id: string;
  plannedAt: Date;
}

/** Which job serves a request's test of one kind. */
export interface ScanUnit {
  requestId: string;
  kind: ScanKind;
  jobId: string;
  organization: string;
  claimedAt: Date;
}

interface UnitDocument extends ScanUnit {
  _id: string;
}

interface ClaimDocument extends OutboxDocument, ScanClaim {
  _id: string;
}

export interface ScanUpload {
  id: string;
  jobId: string;
  organization: string;
  uploadedBy: string;
  receivedAt: Date;
  sha256: string;
  sizeBytes: number;
  content: Uint8Array;
  admitted: { pointer: string; reportId: string }[];
  refused: { pointer: string; reasons: string[] }[];
}

interface UploadDocument extends OutboxDocument, Omit<ScanUpload, 'id' | 'content'> {
  _id: string;
  content: Binary;
}

/** A candidate finding as an operator reads it. */
export interface ScanFinding {
  reportId: string;
  jobId: string;
  /** The requests whose targets hold the finding's locations. */
  requestIds: string[];
  operators: string[];
  scanner: string;
  toolName: string;
  toolVersion?: string;
  ruleId: string;
  level: string;
  message: string;
  locationUri?: string;
  startLine?: number;
  fingerprint: string;
  cweIds: string[];
  receivedAt: Date;
}

interface FindingDocument extends Omit<ScanFinding, 'reportId'> {
  _id: string;
}

export const unitId = (requestId: string, kind: ScanKind) => `${requestId}/${kind}`;

export interface ScanPublishers {
  requests: OutboxPublisher;
  claims: OutboxPublisher;
  uploads: OutboxPublisher;
}

const NO_OUTBOX = { outbox: 0 } as const;

function toRequest(doc: RequestDocument): StoredScanRequest {
  const { _id, outbox: _o, outboxSince: _s, windowEndsAt: _w, ...rest } = doc;
  return { id: _id, ...rest };
}

function toJob(doc: JobDocument): ScanJob {
  const { _id, plannedAt: _p, ...rest } = doc;
  return { id: _id, ...rest };
}

const ignoreDuplicate = (error: unknown) => {
  if (!isDuplicateKeyError(error)) throw error;
  return false;
};

export class ScanStore {
  /** Held for every update of a document with an outbox here, by handlers and the relays. */
  readonly locks = new DocumentLocks();
  private publishers: ScanPublishers = { requests: SWEEP_ONLY, claims: SWEEP_ONLY, uploads: SWEEP_ONLY };
  /** Cancellations: claimed in `clearinghouse_scan_requests_revisions`, then written by `_id`. */
  readonly requestChanges: ClaimedChanges<RequestDocument>;

  private constructor(
    readonly requests: Collection<RequestDocument>,
    readonly jobs: Collection<JobDocument>,
    readonly units: Collection<UnitDocument>,
    readonly claims: Collection<ClaimDocument>,
    readonly uploads: Collection<UploadDocument>,
    readonly findings: Collection<FindingDocument>,
  ) {
    this.requestChanges = new ClaimedChanges({ documents: requests, claims: revisionsOf(requests), locks: this.locks, publisher: () => this.publishers.requests, prune: true });
  }

  /** On the service's database connection (ClearinghouseStore.database). */
  static async open(db: Db): Promise<ScanStore> {
    const requests = db.collection<RequestDocument>('clearinghouse_scan_requests');
    const claims = db.collection<ClaimDocument>('clearinghouse_scan_claims');
    const uploads = db.collection<UploadDocument>('clearinghouse_scan_uploads');
    const findings = db.collection<FindingDocument>('clearinghouse_scan_findings');
    // Listings only (never a hot path); on FerretDB they scan regardless.
    await ensureIndexes(requests, [{ key: { operator: 1, _id: 1 }, name: 'operator_id' }, { key: { status: 1, windowEndsAt: 1 }, name: 'status_end' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(claims, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(uploads, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(findings, [{ key: { requestIds: 1, _id: 1 }, name: 'request_id' }]);
    return new ScanStore(requests, db.collection('clearinghouse_scan_jobs'), db.collection('clearinghouse_scan_units'), claims, uploads, findings);
  }

  publishWith(publishers: ScanPublishers): void {
    this.publishers = publishers;
  }

  /** Stores a new request with its `scan.requested` event in one write. */
  async insertRequest(request: ScanRequest, events: OutboxEntry[]): Promise<StoredScanRequest> {
    const { id, ...fields } = request;
    const stored: StoredScanRequest = { ...request, status: 'open', revision: 1 };
    await this.requests.insertOne({ _id: id, ...fields, status: 'open', revision: 1, windowEndsAt: request.window.end.at, ...initialOutbox(events) });
    this.publishers.requests.written(id, events, { created: true });
    return stored;
  }

  /** One request by `_id` (rolled forward to its newest change). */
  async getRequest(id: string): Promise<(StoredScanRequest & { organization: string }) | undefined> {
    const doc = await this.requestChanges.read<RequestDocument>(id, NO_OUTBOX);
    if (!doc) return undefined;
    const request = toRequest(doc);
    // `organization` for the authorization scope: the operator owns its requests.
    return { ...request, organization: request.operator };
  }

  /** Writes a cancellation made from `fromRevision` with its event; false when another change came first. */
  cancelRequest(id: string, fromRevision: number, cancellation: Cancellation, events: OutboxEntry[]): Promise<boolean> {
    return this.requestChanges.commit(id, fromRevision, { state: { status: 'cancelled', cancellation }, events });
  }

  /** A page of requests in id (filing) order: ListScanRequests only. */
  async listRequests(operator: string | undefined, after: string | undefined, limit: number): Promise<StoredScanRequest[]> {
    const query: Filter<RequestDocument> = { ...(operator ? { operator } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.requests.find(query, { projection: NO_OUTBOX }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toRequest(d as RequestDocument));
  }

  /** Every open request whose window has not ended: the planning's input (ListScanJobs only). */
  async openRequests(now: Date): Promise<StoredScanRequest[]> {
    const docs = await this.requests.find({ status: 'open', windowEndsAt: { $gt: now } }, { projection: NO_OUTBOX }).toArray();
    return docs.map((d) => toRequest(d as RequestDocument));
  }

  /** The units of these requests that a claimed job serves (planning leaves them out). */
  async unitsOf(requests: readonly Pick<ScanRequest, 'id' | 'scope'>[]): Promise<ScanUnit[]> {
    const ids = requests.flatMap((r) => r.scope.map((k) => unitId(r.id, k)));
    if (ids.length === 0) return [];
    const docs = await this.units.find({ _id: { $in: ids } }).toArray();
    return docs.map(({ _id: _i, ...unit }) => unit);
  }

  /** The units of one request, by `_id`. */
  async unitsOfRequest(request: Pick<ScanRequest, 'id' | 'scope'>): Promise<ScanUnit[]> {
    const found = await Promise.all(request.scope.map((k) => this.units.findOne({ _id: unitId(request.id, k) })));
    return found.flatMap((d) => (d ? [(({ _id: _i, ...unit }) => unit)(d)] : []));
  }

  /** Stores planned jobs by their content-derived ids; a job planned before is left as it is. */
  async saveJobs(jobs: readonly ScanJob[], now: Date): Promise<void> {
    await Promise.all(jobs.map(({ id, ...job }) => this.jobs.insertOne({ _id: id, ...job, plannedAt: now }).catch(ignoreDuplicate)));
  }

  async getJob(id: string): Promise<ScanJob | undefined> {
    const doc = await this.jobs.findOne({ _id: id });
    return doc ? toJob(doc) : undefined;
  }

  async getClaim(jobId: string): Promise<ScanClaim | undefined> {
    const doc = await this.claims.findOne({ _id: jobId }, { projection: NO_OUTBOX });
    return doc ? { organization: doc.organization, claimedBy: doc.claimedBy, claimedAt: doc.claimedAt } : undefined;
  }

  /** Claims of these jobs, by job id (ListScanJobs only). */
  async claimsOf(jobIds: readonly string[]): Promise<Map<string, ScanClaim>> {
    if (jobIds.length === 0) return new Map();
    const docs = await this.claims.find({ _id: { $in: [...jobIds] } }, { projection: NO_OUTBOX }).toArray();
    return new Map(docs.map((d) => [d._id, { organization: d.organization, claimedBy: d.claimedBy, claimedAt: d.claimedAt }]));
  }

  /** Inserts one unit; the unit already there when another insert came first. */
  async insertUnit(unit: ScanUnit): Promise<{ inserted: true } | { inserted: false; holder: ScanUnit | undefined }> {
    const _id = unitId(unit.requestId, unit.kind);
    try {
      await this.units.insertOne({ _id, ...unit });
      return { inserted: true };
    } catch (error) {
      ignoreDuplicate(error);
      const doc = await this.units.findOne({ _id });
      return { inserted: false, holder: doc ? (({ _id: _i, ...held }) => held)(doc) : undefined };
    }
  }

  /** Removes units this call inserted (by `_id`: only their inserter ever removes them). */
  async removeUnits(units: readonly ScanUnit[]): Promise<void> {
    await Promise.all(units.map((u) => this.units.deleteOne({ _id: unitId(u.requestId, u.kind) })));
  }

  /** Inserts the claim of `jobId` with its event: false when a claim is there already. */
  async insertClaim(jobId: string, claim: ScanClaim, events: OutboxEntry[]): Promise<boolean> {
    try {
      await this.claims.insertOne({ _id: jobId, ...claim, revision: 1, ...initialOutbox(events) });
    } catch (error) {
      return ignoreDuplicate(error);
    }
    this.publishers.claims.written(jobId, events, { created: true });
    return true;
  }

  /** Stores a log as received with its verdicts and `scan.reported` event in one write. */
  async insertUpload(upload: ScanUpload, events: OutboxEntry[]): Promise<void> {
    const { id, content, ...fields } = upload;
    await this.uploads.insertOne({ _id: id, ...fields, content: new Binary(Buffer.from(content)), revision: 1, ...initialOutbox(events) });
    this.publishers.uploads.written(id, events, { created: true });
  }

  /** Stores an admitted finding; false when it was stored before (the same result uploaded again). */
  async insertFinding(finding: ScanFinding): Promise<boolean> {
    const { reportId, ...fields } = finding;
    return this.findings.insertOne({ _id: reportId, ...fields }).then(() => true, ignoreDuplicate);
  }

  /** A page of the findings of one request, in report id order (ListScanFindings only). */
  async listFindings(requestId: string, after: string | undefined, limit: number): Promise<ScanFinding[]> {
    const docs = await this.findings.find({ requestIds: requestId, ...(after ? { _id: { $gt: after } } : {}) }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...rest }) => ({ reportId: _id, ...rest }));
  }
}

export type { ScanTarget, ServedRequest, ZonedTime };
