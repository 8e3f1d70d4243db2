/**
 * Designation's own collections: `designation_cases` (one per submission, with its pending events),
 * `designation_evidence` (one per item, with its pending events), `designation_policies` (one per
 * version) and the GridFS bucket `designation_logs` holding every uploaded log as received.
 */
import { GridFSBucket, type Collection, type Filter } from 'mongodb';
import { APPLIED_EVENT_IDS_KEPT, DocumentLocks, initialOutbox, type OutboxDocument, type OutboxEntry } from '@rampart/events';
import { connectMongo, decodeFromStorage, encodeForStorage, ensureIndexes, isDuplicateKeyError, type MongoStore } from '@rampart/store';
import type { Case, CaseStatus } from './domain/case';
import type { Evidence } from './domain/evidence';
import type { ThresholdPolicy } from './domain/policy';

export interface CaseDocument extends OutboxDocument, Omit<Case, 'id'> {
  _id: string;
  /** Intake events applied (idempotency) and the newest submission revision seen. */
  appliedEventIds: string[];
}

export interface EvidenceDocument extends OutboxDocument {
  _id: string;
  caseId: string;
  /** Evidence fields, encoded for storage (non-finite metric values, dotted keys). */
  body: Record<string, unknown>;
  recordedAt: Date;
}

export interface PolicyDocument extends Omit<ThresholdPolicy, 'version'> {
  _id: number;
}

/** Case fields as stored: determinations may hold non-finite metric values, so they go through the codec. */
function caseFields(c: Case): Omit<Case, 'id'> {
  const { id: _id, ...fields } = c;
  return { ...fields, determinations: encodeForStorage(fields.determinations) as Case['determinations'] };
}

function toCase(doc: CaseDocument): Case {
  const { _id, appliedEventIds: _a, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { id: _id, ...rest, determinations: decodeFromStorage(rest.determinations) as Case['determinations'] };
}

export class DesignationStore {
  readonly locks = new DocumentLocks();

  private constructor(
    private readonly mongo: MongoStore,
    readonly cases: Collection<CaseDocument>,
    readonly evidence: Collection<EvidenceDocument>,
    readonly policies: Collection<PolicyDocument>,
    readonly logs: GridFSBucket,
  ) {}

  static async open(uri: string, database: string): Promise<DesignationStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-designation' });
    const cases = mongo.db.collection<CaseDocument>('designation_cases');
    const evidence = mongo.db.collection<EvidenceDocument>('designation_evidence');
    const policies = mongo.db.collection<PolicyDocument>('designation_policies');
    await ensureIndexes(cases, [{ key: { status: 1, _id: 1 }, name: 'status_id' }, { key: { outboxSince: 1 }, name: 'outbox_since' }]);
    await ensureIndexes(evidence, [{ key: { caseId: 1, _id: 1 }, name: 'case_id' }, { key: { outboxSince: 1 }, name: 'outbox_since' }]);
    return new DesignationStore(mongo, cases, evidence, policies, new GridFSBucket(mongo.db, { bucketName: 'designation_logs' }));
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  async getCase(id: string): Promise<Case | undefined> {
    const doc = await this.cases.findOne({ _id: id }, { projection: { outbox: 0, appliedEventIds: 0 } });
    return doc ? toCase(doc as CaseDocument) : undefined;
  }

  async listCases(status: CaseStatus | undefined, after: string | undefined, limit: number): Promise<Case[]> {
    const query: Filter<CaseDocument> = { ...(status ? { status } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.cases.find(query, { projection: { outbox: 0, appliedEventIds: 0 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toCase(d as CaseDocument));
  }

  async openCaseIds(): Promise<string[]> {
    const docs = await this.cases.find({ status: { $in: ['evaluating', 'consulting'] } }, { projection: { _id: 1 } }).toArray();
    return docs.map((d) => d._id);
  }

  /**
   * Applies one intake event to a case exactly once: `apply` sees the current case (or none) and
   * returns the new one with its events, or undefined for no change. The event id and the new
   * state land in one write, conditional on the revision read; a lost race is retried by the
   * consumer (nak), and a redelivery finds its id recorded and changes nothing.
   */
  async applyIntakeEvent(caseId: string, eventId: string, submissionRevision: number, apply: (current: Case | undefined) => { next: Case; events: OutboxEntry[]; dropPending?: (e: OutboxEntry) => boolean } | undefined): Promise<'applied' | 'skipped'> {
    const doc = await this.cases.findOne({ _id: caseId });
    if (doc && (doc.appliedEventIds.includes(eventId) || doc.submissionRevision >= submissionRevision)) return 'skipped';
    const change = apply(doc ? toCase(doc) : undefined);
    if (!change) return 'skipped';
    const id = change.next.id;
    const fields = caseFields(change.next);
    if (!doc) {
      try {
        await this.cases.insertOne({ _id: id, ...fields, appliedEventIds: [eventId], ...initialOutbox(change.events) });
        return 'applied';
      } catch (error) {
        if (isDuplicateKeyError(error)) throw new Error(`case ${caseId} was created concurrently; retrying`, { cause: error });
        throw error;
      }
    }
    const kept = change.dropPending ? doc.outbox.filter((e) => !change.dropPending!(e)) : doc.outbox;
    const outbox = [...kept, ...change.events];
    const written = await this.locks.run([caseId], () =>
      this.cases.updateOne({ _id: caseId, revision: doc.revision }, {
        $set: { ...fields, outbox, appliedEventIds: [...doc.appliedEventIds, eventId].slice(-APPLIED_EVENT_IDS_KEPT), ...(outbox.length ? { outboxSince: outbox[0]!.createdAt } : {}) },
        ...(outbox.length ? {} : { $unset: { outboxSince: '' } }),
      }));
    if (written.matchedCount === 0) throw new Error(`case ${caseId} changed while applying event ${eventId}; retrying`);
    return 'applied';
  }

  /** Writes a case changed from revision `fromRevision`, with its events. False when it moved on meanwhile. */
  async saveCase(next: Case, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const id = next.id;
    const update: Record<string, unknown> = { $set: caseFields(next) };
    if (events.length) Object.assign(update, { $push: { outbox: { $each: events } }, $min: { outboxSince: events[0]!.createdAt } });
    const result = await this.locks.run([id], () => this.cases.updateOne({ _id: id, revision: fromRevision }, update));
    return result.matchedCount === 1;
  }

  async insertEvidence(evidence: Evidence, events: OutboxEntry[]): Promise<void> {
    await this.evidence.insertOne({ _id: evidence.id, caseId: evidence.caseId, revision: 1, body: encodeForStorage(evidence) as Record<string, unknown>, recordedAt: evidence.recordedAt, ...initialOutbox(events) });
  }

  async listEvidence(caseId: string, after?: string, limit = 1000): Promise<Evidence[]> {
    const docs = await this.evidence.find({ caseId, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { body: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => decodeFromStorage(d.body) as Evidence).map((e) => ({ ...e, recordedAt: new Date(e.recordedAt) }));
  }

  async currentPolicy(): Promise<ThresholdPolicy | undefined> {
    const doc = await this.policies.find({}).sort({ _id: -1 }).limit(1).next();
    return doc ? toPolicy(doc) : undefined;
  }

  async policy(version: number): Promise<ThresholdPolicy | undefined> {
    const doc = await this.policies.findOne({ _id: version });
    return doc ? toPolicy(doc) : undefined;
  }

  /** Stores a new version; false when that version exists already (a concurrent writer won). */
  async insertPolicy(policy: ThresholdPolicy): Promise<boolean> {
    const { version, ...fields } = policy;
    try {
      await this.policies.insertOne({ _id: version, ...fields });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toPolicy(doc: PolicyDocument): ThresholdPolicy {
  const { _id, ...rest } = doc;
  return { version: _id, ...rest };
}
