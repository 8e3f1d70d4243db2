/**
 * Coordinated scanning's collections (`clearinghouse_scan_*`; no other service reads them):
 * - `scan_requests`: one document per request (`_id` its UUIDv7), with its outbox (`scan.requested`
 *   at insert, `scan.cancelled` by a claimed change in `scan_requests_revisions`, pruned);
 * - `scan_jobs`: the jobs planned from the open requests, `_id` the job's content-derived id, so
 *   planning again stores nothing new (an insert of an existing `_id` is refused and ignored);
 * - `scan_units`: `_id` `<request>/<kind>#<n>`, inserted when a job serving that test of that
 *   request is claimed: the compare-and-set that lets one job only serve a request's test, across
 *   plans, for the claim's lease. The latest `n` holds; once its lease ended the next claimer
 *   inserts `n + 1` (a lapsed unit is never rewritten by another claimer: that would be a
 *   read-then-write race on FerretDB). A claimer that lost releases its own units by ending their
 *   lease (only their inserter writes them), so each key's units stay numbered without gaps;
 * - `scan_claims`: `_id` `<job>#<epoch>`: the claim of one lease epoch, the compare-and-set of "one
 *   claimer per job per lease", inserted with its `scan.claimed` event (outbox);
 * - `scan_uploads`: each SARIF log as received (bytes, SHA-256), the verdicts, its `scan.reported`
 *   event (outbox);
 * - `scan_findings`: `_id` the report id of each admitted result, with the requests (and so the
 *   operators) whose targets hold it: only they are shown it.
 * Filing, reading, cancelling, claiming and uploading are `_id` reads and writes (the latest of a
 * numbered sequence is found in O(log n) of them); only the listings (requests, jobs, findings)
 * filter.
 */
import { Binary, type Collection, type Db, type Filter } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, latestOfSequence, type Numbered } from '@rampart/store';
import { claimIsLive, type ScanClaim, type ScanJob, type ScanKind, type ScanRequest, type ScanTarget, type ServedRequest, type ZonedTime } from '../domain/coordination';

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

/** Which job serves a request's test of one kind, taken with the claim of `claimEpoch` and held as long as its lease. */
export interface ScanUnit {
  requestId: string;
  kind: ScanKind;
  jobId: string;
  organization: string;
  claimedAt: Date;
  claimEpoch: number;
  leaseEndsAt: Date;
}

interface UnitDocument extends ScanUnit {
  _id: string;
}

interface ClaimDocument extends OutboxDocument, ScanClaim {
  _id: string;
  jobId: string;
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

/** A request's test of one kind: the key a unit's numbered documents share. */
export const unitId = (requestId: string, kind: ScanKind) => `${requestId}/${kind}`;
const unitDocumentId = (requestId: string, kind: ScanKind, n: number) => `${unitId(requestId, kind)}#${n}`;
const claimDocumentId = (jobId: string, epoch: number) => `${jobId}#${epoch}`;

export interface ScanStoreOptions {
  /** SCAN_CLAIM_LEASE_MS. */
  claimLeaseMs: number;
}

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

const CLAIM_FIELDS = { _id: 0, organization: 1, claimedBy: 1, claimedAt: 1, epoch: 1, leaseEndsAt: 1 } as const;
const toUnit = ({ _id: _i, ...unit }: UnitDocument): ScanUnit => unit;

/** The latest document of each key: the one with the highest number. */
function latestBy<T>(items: readonly T[], key: (t: T) => string, n: (t: T) => number): T[] {
  const latest = new Map<string, T>();
  for (const item of items) {
    const held = latest.get(key(item));
    if (!held || n(item) > n(held)) latest.set(key(item), item);
  }
  return [...latest.values()];
}

const ignoreDuplicate = (error: unknown) => {
  if (!isDuplicateKeyError(error)) throw error;
  return false;
};

export class ScanStore {
  /** Held for every update of a document with an outbox here, by handlers and the relays. */
  readonly locks = new DocumentLocks();
  private publishers: ScanPublishers = { requests: SWEEP_ONLY, claims: SWEEP_ONLY, uploads: SWEEP_ONLY };
  /** SCAN_CLAIM_LEASE_MS: how long a claim holds a job. */
  readonly claimLeaseMs: number;
  /** Cancellations: claimed in `clearinghouse_scan_requests_revisions`, then written by `_id`. */
  readonly requestChanges: ClaimedChanges<RequestDocument>;

  private constructor(
    readonly requests: Collection<RequestDocument>,
    readonly jobs: Collection<JobDocument>,
    readonly units: Collection<UnitDocument>,
    readonly claims: Collection<ClaimDocument>,
    readonly uploads: Collection<UploadDocument>,
    readonly findings: Collection<FindingDocument>,
    options: ScanStoreOptions,
  ) {
    this.claimLeaseMs = options.claimLeaseMs;
    this.requestChanges = new ClaimedChanges({ documents: requests, claims: revisionsOf(requests), locks: this.locks, publisher: () => this.publishers.requests, prune: true });
  }

  /** On the service's database connection (ClearinghouseStore.database). */
  static async open(db: Db, options: ScanStoreOptions): Promise<ScanStore> {
    const requests = db.collection<RequestDocument>('clearinghouse_scan_requests');
    const claims = db.collection<ClaimDocument>('clearinghouse_scan_claims');
    const uploads = db.collection<UploadDocument>('clearinghouse_scan_uploads');
    const findings = db.collection<FindingDocument>('clearinghouse_scan_findings');
    // Listings only (never a hot path); on FerretDB they scan regardless.
    await ensureIndexes(requests, [{ key: { operator: 1, _id: 1 }, name: 'operator_id' }, { key: { status: 1, windowEndsAt: 1 }, name: 'status_end' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(claims, [{ key: { jobId: 1, epoch: 1 }, name: 'job_epoch' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(uploads, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(findings, [{ key: { requestIds: 1, _id: 1 }, name: 'request_id' }]);
    const units = db.collection<UnitDocument>('clearinghouse_scan_units');
    await ensureIndexes(units, [{ key: { requestId: 1 }, name: 'request_id' }]);
    return new ScanStore(requests, db.collection('clearinghouse_scan_jobs'), units, claims, uploads, findings, options);
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

  /** The units of these requests that a claimed job serves at `now` (planning leaves them out). A listing: it filters. */
  async unitsOf(requests: readonly Pick<ScanRequest, 'id'>[], now: Date): Promise<ScanUnit[]> {
    if (requests.length === 0) return [];
    const docs = await this.units.find({ requestId: { $in: requests.map((r) => r.id) } }).toArray();
    const latest = latestBy(docs, (d) => unitId(d.requestId, d.kind), (d) => Number(d._id.slice(d._id.lastIndexOf('#') + 1)));
    return latest.filter((d) => claimIsLive(d, now)).map(toUnit);
  }

  /** The units of one request that a claimed job serves at `now`, by `_id` reads. */
  async unitsOfRequest(request: Pick<ScanRequest, 'id' | 'scope'>, now: Date): Promise<ScanUnit[]> {
    const found = await Promise.all(request.scope.map((k) => this.latestUnit(request.id, k)));
    return found.flatMap((u) => (u && claimIsLive(u.doc, now) ? [u.doc] : []));
  }

  /** The latest unit of a request's test, live or lapsed, with its number. */
  async latestUnit(requestId: string, kind: ScanKind): Promise<Numbered<ScanUnit> | undefined> {
    const found = await latestOfSequence((n) => this.units.findOne({ _id: unitDocumentId(requestId, kind, n) }));
    return found && { n: found.n, doc: toUnit(found.doc) };
  }

  /** Stores planned jobs by their content-derived ids; a job planned before is left as it is. */
  async saveJobs(jobs: readonly ScanJob[], now: Date): Promise<void> {
    await Promise.all(jobs.map(({ id, ...job }) => this.jobs.insertOne({ _id: id, ...job, plannedAt: now }).catch(ignoreDuplicate)));
  }

  async getJob(id: string): Promise<ScanJob | undefined> {
    const doc = await this.jobs.findOne({ _id: id });
    return doc ? toJob(doc) : undefined;
  }

  /** The job's latest claim, live or lapsed (`_id` reads). */
  async latestClaim(jobId: string): Promise<ScanClaim | undefined> {
    return (await latestOfSequence((n) => this.claims.findOne<ScanClaim>({ _id: claimDocumentId(jobId, n) }, { projection: CLAIM_FIELDS })))?.doc;
  }

  /** The latest claim of each of these jobs, by job id (ListScanJobs only: it filters). */
  async claimsOf(jobIds: readonly string[]): Promise<Map<string, ScanClaim>> {
    if (jobIds.length === 0) return new Map();
    const docs = await this.claims.find<ScanClaim & { jobId: string }>({ jobId: { $in: [...jobIds] } }, { projection: { ...CLAIM_FIELDS, jobId: 1 } }).toArray();
    return new Map(latestBy(docs, (d) => d.jobId, (d) => d.epoch).map(({ jobId, ...claim }) => [jobId, claim]));
  }

  /** Inserts a unit as number `n` of its key; the unit there when another insert came first. */
  async insertUnit(unit: ScanUnit, n: number): Promise<{ inserted: true } | { inserted: false; holder: ScanUnit | undefined }> {
    const _id = unitDocumentId(unit.requestId, unit.kind, n);
    try {
      await this.units.insertOne({ _id, ...unit });
      return { inserted: true };
    } catch (error) {
      ignoreDuplicate(error);
      const doc = await this.units.findOne({ _id });
      return { inserted: false, holder: doc ? toUnit(doc) : undefined };
    }
  }

  /**
   * Releases units this call inserted by ending their lease at `now` (by `_id`: only their inserter
   * writes them, so the read-then-write update races nobody). Never deleted: a key's numbers stay
   * without gaps, which finding the latest relies on.
   */
  async releaseUnits(units: readonly Numbered<ScanUnit>[], now: Date): Promise<void> {
    await Promise.all(units.map(({ n, doc }) => this.units.updateOne({ _id: unitDocumentId(doc.requestId, doc.kind, n) }, { $set: { leaseEndsAt: now } })));
  }

  /** Inserts the claim of `jobId`'s epoch `claim.epoch` with its event: false when that epoch was claimed already. */
  async insertClaim(jobId: string, claim: ScanClaim, events: OutboxEntry[]): Promise<boolean> {
    const _id = claimDocumentId(jobId, claim.epoch);
    try {
      await this.claims.insertOne({ _id, jobId, ...claim, revision: 1, ...initialOutbox(events) });
    } catch (error) {
      return ignoreDuplicate(error);
    }
    this.publishers.claims.written(_id, events, { created: true });
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
