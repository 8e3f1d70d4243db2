/**
 * Designation's own collections: `designation_cases` (one per submission, with its pending events),
 * `designation_evidence` (one per item, with its pending events), `designation_policies` (one per
 * version) and the GridFS bucket `designation_logs` holding every uploaded log as received.
 */
import { GridFSBucket, type Collection, type Filter, type ObjectId } from 'mongodb';
import { applyOnce, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type AppliedEvents, type ApplyResult, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { connectMongo, decodeFromStorage, encodeForStorage, ensureIndexes, isDuplicateKeyError, type MongoStore } from '@rampart/store';
import { OPTIONAL_CASE_FIELDS, type Case, type CaseStatus } from './domain/case';
import type { Evidence } from './domain/evidence';
import type { ThresholdPolicy } from './domain/policy';

/** A case as stored; `appliedEventIds` and `sourceRevision` (the newest submission revision applied) make intake's events apply once. */
export interface CaseDocument extends AppliedEvents, Omit<Case, 'id'> {
  _id: string;
}

export interface EvidenceDocument extends OutboxDocument {
  _id: string;
  caseId: string;
  /** Evidence fields, encoded for storage (non-finite metric values, dotted keys). */
  body: Record<string, unknown>;
  recordedAt: Date;
}

/** A policy version, written once with its `policy.changed` event (the outbox). */
export interface PolicyDocument extends Omit<ThresholdPolicy, 'version'>, Omit<OutboxDocument, '_id'> {
  _id: number;
}

/** Case fields as stored: determinations may hold non-finite metric values, so they go through the codec. */
function caseFields(c: Case): Omit<Case, 'id'> {
  const { id: _id, ...fields } = c;
  const defined = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Omit<Case, 'id'>;
  return { ...defined, determinations: encodeForStorage(fields.determinations) as Case['determinations'] };
}

/** A case change as an update: fields the case no longer has are removed, not left with their old values. */
function caseUpdate(c: Case): { $set: Omit<Case, 'id'>; $unset?: Record<string, ''> } {
  const removed = OPTIONAL_CASE_FIELDS.filter((k) => c[k] === undefined);
  return { $set: caseFields(c), ...(removed.length ? { $unset: Object.fromEntries(removed.map((k) => [k, ''] as const)) } : {}) };
}

function toCase(doc: CaseDocument): Case {
  const { _id, appliedEventIds: _a, sourceRevision: _r, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { id: _id, ...rest, determinations: decodeFromStorage(rest.determinations) as Case['determinations'] };
}

/** Who publishes each outbox collection's events (the relays, see publishWith). */
export interface DesignationPublishers {
  cases: OutboxPublisher;
  evidence: OutboxPublisher;
  policies: OutboxPublisher;
}

export class DesignationStore {
  readonly locks = new DocumentLocks();
  private publishers: DesignationPublishers = { cases: SWEEP_ONLY, evidence: SWEEP_ONLY, policies: SWEEP_ONLY };

  private constructor(
    private readonly mongo: MongoStore,
    readonly cases: Collection<CaseDocument>,
    readonly evidence: Collection<EvidenceDocument>,
    readonly policies: Collection<PolicyDocument>,
    readonly logs: GridFSBucket,
    private readonly logFiles: Collection<{ _id: ObjectId }>,
    private readonly logChunks: Collection<{ files_id: ObjectId }>,
  ) {}

  static async open(uri: string, database: string): Promise<DesignationStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-designation' });
    const cases = mongo.db.collection<CaseDocument>('designation_cases');
    const evidence = mongo.db.collection<EvidenceDocument>('designation_evidence');
    const policies = mongo.db.collection<PolicyDocument>('designation_policies');
    await ensureIndexes(cases, [{ key: { status: 1, _id: 1 }, name: 'status_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(evidence, [{ key: { caseId: 1, _id: 1 }, name: 'case_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(policies, [OUTBOX_PENDING_INDEX]);
    const logs = new GridFSBucket(mongo.db, { bucketName: 'designation_logs' });
    return new DesignationStore(mongo, cases, evidence, policies, logs, mongo.db.collection('designation_logs.files'), mongo.db.collection('designation_logs.chunks'));
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /** From now on, every write hands the events it stored to its collection's publisher (the outbox relays). */
  publishWith(publishers: DesignationPublishers): void {
    this.publishers = publishers;
  }

  async getCase(id: string): Promise<Case | undefined> {
    const doc = await this.cases.findOne({ _id: id }, { projection: { outbox: 0, appliedEventIds: 0 } });
    return doc ? toCase(doc) : undefined;
  }

  async listCases(status: CaseStatus | undefined, after: string | undefined, limit: number): Promise<Case[]> {
    const query: Filter<CaseDocument> = { ...(status ? { status } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.cases.find(query, { projection: { outbox: 0, appliedEventIds: 0 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toCase(d as CaseDocument));
  }

  /** A page of open cases' ids, in id order, after `after`. */
  async openCaseIds(after: string | undefined, limit: number): Promise<string[]> {
    const open: CaseStatus[] = ['evaluating', 'consulting'];
    const docs = await this.cases.find({ status: { $in: open }, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { _id: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => d._id);
  }

  /**
   * Records that a case, otherwise unchanged, is computed under policy `version`. No revision and no
   * event: nothing a reader sees changed. Losing this mark to a concurrent write costs only a
   * repeated (no-op) recompute.
   */
  async markPolicyVersion(id: string, revision: number, version: number): Promise<void> {
    await this.locks.run([id], () => this.cases.updateOne({ _id: id, revision }, { $set: { policyVersion: version } }));
  }

  /**
   * Applies one intake event to a case exactly once, through the library's applyOnce: `apply` sees
   * the current case (or none) and returns the new one with its events, or undefined for no change.
   * The event id, the new case and its events land in one write, conditional on the revision read;
   * a lost race is retried by the consumer (nak), and a redelivery changes nothing. The new case
   * replaces the stored one whole: what a change removes (an amendment's consultation, decision and
   * release) is removed from the document too.
   */
  async applyIntakeEvent(caseId: string, eventId: string, submissionRevision: number, apply: (current: Case | undefined) => { next: Case; events: OutboxEntry[]; dropPending?: (e: OutboxEntry) => boolean } | undefined): Promise<ApplyResult> {
    const result = await applyOnce<CaseDocument>({
      collection: this.cases, locks: this.locks, id: caseId, eventId, sourceRevision: submissionRevision,
      decide: (doc) => {
        const change = apply(doc ? toCase(doc) : undefined);
        if (!change) return undefined;
        if (change.next.id !== caseId) throw new Error(`event ${eventId} for case ${caseId} produced case ${change.next.id}`);
        return { state: caseFields(change.next), events: change.events, ...(change.dropPending ? { withdrawPending: change.dropPending } : {}) };
      },
    });
    if (result.outcome === 'applied') this.publishers.cases.written(caseId, result.events);
    return result;
  }

  /** Writes a case changed from revision `fromRevision`, with its events. False when it moved on meanwhile. */
  async saveCase(next: Case, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const id = next.id;
    const update: Record<string, unknown> = { ...caseUpdate(next) };
    if (events.length) Object.assign(update, { $push: { outbox: { $each: events } } });
    const result = await this.locks.run([id], () => this.cases.updateOne({ _id: id, revision: fromRevision }, update));
    if (result.matchedCount !== 1) return false;
    this.publishers.cases.written(id, events);
    return true;
  }

  async insertEvidence(evidence: Evidence, events: OutboxEntry[]): Promise<void> {
    await this.evidence.insertOne({ _id: evidence.id, caseId: evidence.caseId, revision: 1, body: encodeForStorage(evidence) as Record<string, unknown>, recordedAt: evidence.recordedAt, ...initialOutbox(events) });
    this.publishers.evidence.written(evidence.id, events);
  }

  /** A page of a case's evidence, in id order, after `after`. */
  async listEvidence(caseId: string, after: string | undefined, limit: number): Promise<Evidence[]> {
    const docs = await this.evidence.find({ caseId, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { body: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toEvidence(d.body));
  }

  /**
   * Every evidence item of a case, however many, in id order: one query whose cursor fetches a
   * batch at a time, so memory holds one batch whatever the case's size.
   */
  async *allEvidence(caseId: string, batchSize = 500): AsyncGenerator<Evidence> {
    const cursor = this.evidence.find({ caseId }, { projection: { body: 1 } }).sort({ _id: 1 }).batchSize(batchSize);
    try {
      for await (const doc of cursor) yield toEvidence(doc.body);
    } finally {
      await cursor.close();
    }
  }

  /** Removes an uploaded log, whether or not its upload completed: its files document and every chunk. */
  async deleteLog(id: ObjectId): Promise<void> {
    await this.logFiles.deleteOne({ _id: id });
    await this.logChunks.deleteMany({ files_id: id });
  }

  async currentPolicy(): Promise<ThresholdPolicy | undefined> {
    const doc = await this.policies.find({}).sort({ _id: -1 }).limit(1).next();
    return doc ? toPolicy(doc) : undefined;
  }

  async policy(version: number): Promise<ThresholdPolicy | undefined> {
    const doc = await this.policies.findOne({ _id: version });
    return doc ? toPolicy(doc) : undefined;
  }

  /** Stores a new version with its events, in one write; false when that version exists already (a concurrent writer won). */
  async insertPolicy(policy: ThresholdPolicy, events: OutboxEntry[]): Promise<boolean> {
    const { version, ...fields } = policy;
    try {
      await this.policies.insertOne({ _id: version, ...fields, revision: 1, ...initialOutbox(events) });
      this.publishers.policies.written(version, events);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toPolicy(doc: PolicyDocument): ThresholdPolicy {
  const { _id, revision: _r, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { version: _id, ...rest };
}

function toEvidence(body: Record<string, unknown>): Evidence {
  const e = decodeFromStorage(body) as Evidence;
  return { ...e, recordedAt: new Date(e.recordedAt) };
}
