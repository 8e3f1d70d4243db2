/**
 * Designation's own collections: `designation_cases` (one per submission, with its pending events),
 * `designation_case_revisions` (each change of a case after its opening, `_id` `<case>:<revision>`:
 * the change's claim, see below), `designation_evidence` (one per item, with its pending events),
 * `designation_policies` (one per version) and the GridFS bucket `designation_logs` holding every
 * uploaded log as received.
 *
 * A case changes by claim (libs/events claimed-changes.ts): the insert of its next revision into
 * `designation_case_revisions`, which only one writer in any replica can make, then an `_id`-only
 * write of the case; a read by id rolls the case forward to a revision a crash left unapplied.
 */
import { FailedPreconditionError } from '@rampart/errors';
import { GridFSBucket, type Collection, type Filter, type ObjectId } from 'mongodb';
import { applyOnce, ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type AppliedEvents, type ApplyResult, type NewChange, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { connectMongo, decodeFromStorage, encodeForStorage, ensureIndexes, isDuplicateKeyError, type MongoStore, type MongoTimeouts } from '@rampart/store';
import { OPTIONAL_CASE_FIELDS, type Case, type CaseStatus } from './domain/case';
import type { Evidence } from './domain/evidence';
import type { ThresholdPolicy } from './domain/policy';

/** A case as stored; `appliedEventIds` and `sourceRevision` (the newest submission revision applied) make intake's events apply once. */
export interface CaseDocument extends AppliedEvents, Omit<Case, 'id'> {
  _id: string;
}

export interface EvidenceDocument extends OutboxDocument {
  /** `<case>:<sequence>` (evidenceKey): the case's items in order, each read by `_id`. */
  _id: string;
  caseId: string;
  /** The item's place in its case, from 1, without gaps. */
  sequence: number;
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

/** A case change as a claimed state: fields the case no longer has are removed, not left with their old values. */
export function caseChange(c: Case, events: OutboxEntry[]): NewChange {
  return { state: caseFields(c), unset: OPTIONAL_CASE_FIELDS.filter((k) => c[k] === undefined), events };
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
  /** The highest evidence sequence this process knows taken, per case: where the next insert starts. */
  private readonly sequences = new SequenceHints();
  private publishers: DesignationPublishers = { cases: SWEEP_ONLY, evidence: SWEEP_ONLY, policies: SWEEP_ONLY };
  /** Case changes: claimed in `designation_case_revisions`, then written by `_id`. */
  readonly caseChanges: ClaimedChanges<CaseDocument>;

  private constructor(
    private readonly mongo: MongoStore,
    readonly cases: Collection<CaseDocument>,
    private readonly caseRevisions: Collection,
    readonly evidence: Collection<EvidenceDocument>,
    readonly policies: Collection<PolicyDocument>,
    readonly logs: GridFSBucket,
    private readonly logFiles: Collection<{ _id: ObjectId }>,
    private readonly logChunks: Collection<{ files_id: ObjectId }>,
  ) {
    // Each claim holds the whole case (one per evidence item): not history, so pruned.
    this.caseChanges = new ClaimedChanges({ documents: cases, claims: caseRevisions, locks: this.locks, publisher: () => this.publishers.cases, prune: true });
  }

  static async open(uri: string, database: string, timeouts?: MongoTimeouts): Promise<DesignationStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-designation', timeouts });
    const cases = mongo.db.collection<CaseDocument>('designation_cases');
    const evidence = mongo.db.collection<EvidenceDocument>('designation_evidence');
    const policies = mongo.db.collection<PolicyDocument>('designation_policies');
    await ensureIndexes(cases, [{ key: { status: 1, _id: 1 }, name: 'status_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(evidence, [{ key: { caseId: 1, _id: 1 }, name: 'case_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(policies, [OUTBOX_PENDING_INDEX]);
    await refuseLegacyEvidence(evidence).catch(async (error: unknown) => {
      await mongo.close();
      throw error;
    });
    const logs = new GridFSBucket(mongo.db, { bucketName: 'designation_logs' });
    return new DesignationStore(mongo, cases, mongo.db.collection('designation_case_revisions'), evidence, policies, logs, mongo.db.collection('designation_logs.files'), mongo.db.collection('designation_logs.chunks'));
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /** From now on, every write hands the events it stored to its collection's publisher (the outbox relays). */
  publishWith(publishers: DesignationPublishers): void {
    this.publishers = publishers;
  }

  async getCase(id: string): Promise<Case | undefined> {
    const doc = await this.caseChanges.read<CaseDocument>(id, { outbox: 0, appliedEventIds: 0 });
    return doc ? toCase(doc) : undefined;
  }

  /**
   * Cases as stored: a change whose case write a crash interrupted shows here once a read by id or
   * the next change has rolled it forward (a listing, not worth a claim lookup per case).
   */
  async listCases(status: CaseStatus | undefined, after: string | undefined, limit: number, addressedTo?: string): Promise<Case[]> {
    // addressedTo: only cases whose consultation is addressed to that agency (a consultee's listing).
    // Not `_id`-only (a scan on FerretDB): a paged listing, one page per call, never a per-item path.
    const query: Filter<CaseDocument> = { ...(status ? { status } : {}), ...(addressedTo !== undefined ? { 'consultation.entries.agency': addressedTo } : {}), ...(after ? { _id: { $gt: after } } : {}) };
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
   * Applies one intake event to a case exactly once, through the library's applyOnce: `apply` sees
   * the current case (or none) and returns the new one with its events, or undefined for no change.
   * The event id, the new case and its events land in one claim of the next revision (see above);
   * a lost race is retried by the consumer (nak), and a redelivery changes nothing. The new case
   * replaces the stored one whole: what a change removes (an amendment's consultation, decision and
   * release) is removed from the document too.
   */
  async applyIntakeEvent(caseId: string, eventId: string, submissionRevision: number, apply: (current: Case | undefined) => { next: Case; events: OutboxEntry[]; dropPending?: (e: OutboxEntry) => boolean } | undefined): Promise<ApplyResult> {
    // applyOnce inserts a case it found none of: the relay then needs no read of its outbox.
    let creates = false;
    const result = await applyOnce<CaseDocument>({
      collection: this.cases, revisions: this.caseRevisions, publisher: this.publishers.cases, locks: this.locks, id: caseId, eventId, sourceRevision: submissionRevision,
      decide: (doc) => {
        const change = apply(doc ? toCase(doc) : undefined);
        if (!change) return undefined;
        creates = !doc;
        if (change.next.id !== caseId) throw new Error(`event ${eventId} for case ${caseId} produced case ${change.next.id}`);
        return { state: caseFields(change.next), events: change.events, ...(change.dropPending ? { withdrawPending: change.dropPending } : {}) };
      },
    });
    if (result.outcome === 'applied') this.publishers.cases.written(caseId, result.events, creates ? { created: true } : {});
    return result;
  }

  /** Writes a case changed from revision `fromRevision`, with its events. False when it moved on meanwhile. */
  saveCase(next: Case, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    return this.caseChanges.commit(next.id, fromRevision, caseChange(next, events));
  }

  /**
   * Stores an evidence item as its case's next, `_id` `<case>:<sequence>`: an insert of an existing
   * `_id` fails on every engine, so no two items take one sequence, and one exists only once every
   * lower one does. `after`: a sequence known taken (the case's evaluated count) to start from.
   * Returns the sequence taken.
   *
   * A hot path whose cost must not grow with the case: it starts after the highest sequence this
   * process knows taken (`after`, or its own hint), and when that one is taken too (another
   * replica's items, a restart, a count read before a long upload), it finds the last taken by
   * `_id` reads, doubling then halving: O(log n) reads, not one failed insert per item.
   */
  async insertEvidence(evidence: Evidence, events: OutboxEntry[], after = 0): Promise<number> {
    const { caseId } = evidence;
    let sequence = Math.max(after, this.sequences.get(caseId) ?? 0) + 1;
    for (;;) {
      const _id = evidenceKey(caseId, sequence);
      try {
        await this.evidence.insertOne({ _id, caseId, sequence, revision: 1, body: encodeForStorage(evidence) as Record<string, unknown>, recordedAt: evidence.recordedAt, ...initialOutbox(events) });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        sequence = (await this.lastSequence(caseId, sequence)) + 1; // taken: after the last one taken
        continue;
      }
      this.sequences.taken(caseId, sequence);
      this.publishers.evidence.written(_id, events, { created: true });
      return sequence;
    }
  }

  /** The case's last item's sequence, given one known taken: doubling steps past it, then halving back. */
  private async lastSequence(caseId: string, taken: number): Promise<number> {
    const exists = async (sequence: number) => (await this.evidence.findOne({ _id: evidenceKey(caseId, sequence) }, { projection: { _id: 1 } })) !== null;
    let low = taken;
    let high = taken + 1;
    for (let step = 1; await exists(high); step *= 2) [low, high] = [high, high + step];
    // Sequences have no gaps: every one up to `low` is taken, `high` is free.
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (await exists(middle)) low = middle;
      else high = middle;
    }
    this.sequences.taken(caseId, low);
    return low;
  }

  /** A case's items `from` to `through` (all stored: sequences have no gaps), each read by `_id`. */
  async evidenceRange(caseId: string, from: number, through: number): Promise<Evidence[]> {
    const sequences = Array.from({ length: Math.max(0, through - from + 1) }, (_, i) => from + i);
    return Promise.all(sequences.map(async (sequence) => {
      const doc = await this.evidence.findOne({ _id: evidenceKey(caseId, sequence) }, { projection: { body: 1 } });
      if (!doc) throw new Error(`case ${caseId} has no evidence item ${sequence}`);
      return toEvidence(doc.body);
    }));
  }

  /** A page of a case's evidence, in sequence order, after the item keyed `after`; each with its key (the page token). */
  async listEvidence(caseId: string, after: string | undefined, limit: number): Promise<{ key: string; evidence: Evidence }[]> {
    const docs = await this.evidence.find({ caseId, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { body: 1 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => ({ key: d._id, evidence: toEvidence(d.body) }));
  }

  /**
   * A case's evidence items from the first, in sequence order, as long as no sequence is missing
   * (one inserted while the cursor ran may be), with each item's sequence. One query whose cursor
   * fetches a batch at a time, so memory holds one batch whatever the case's size. A catch-up's
   * path (a new policy, a case behind its items), not one item's: on FerretDB it scans.
   */
  async *allEvidence(caseId: string, batchSize = 500): AsyncGenerator<{ sequence: number; evidence: Evidence }> {
    const cursor = this.evidence.find({ caseId }, { projection: { sequence: 1, body: 1 } }).sort({ _id: 1 }).batchSize(batchSize);
    try {
      let expected = 1;
      for await (const doc of cursor) {
        if (doc.sequence !== expected++) return;
        yield { sequence: doc.sequence, evidence: toEvidence(doc.body) };
      }
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
      this.publishers.policies.written(version, events, { created: true });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

/**
 * Evidence stored before items were keyed `<case>:<sequence>` has no `sequence`: a case's fold
 * (allEvidence) stops at the first gap and would leave it out of every determination, silently.
 * There is no migration (nothing was released with such items): the service does not start while
 * any are stored. One query, at start-up only.
 */
async function refuseLegacyEvidence(evidence: Collection<EvidenceDocument>): Promise<void> {
  const legacy = await evidence.findOne({ sequence: { $exists: false } }, { projection: { _id: 1 } });
  if (legacy) {
    throw new FailedPreconditionError(`collection ${evidence.collectionName} holds evidence stored without a sequence (e.g. _id ${legacy._id}), from before items were keyed <case>:<sequence>; `
      + 'determinations would leave it out. Remove or re-record those items: designation does not start while any are stored');
  }
}

/** Per case, the highest sequence known taken; the oldest cases are forgotten past a bound (a hint only). */
class SequenceHints {
  private readonly known = new Map<string, number>();

  constructor(private readonly limit = 10_000) {}

  get(caseId: string): number | undefined {
    return this.known.get(caseId);
  }

  taken(caseId: string, sequence: number): void {
    const was = this.known.get(caseId) ?? 0;
    this.known.delete(caseId); // re-inserted last: the map's order is least recently used first
    this.known.set(caseId, Math.max(was, sequence));
    if (this.known.size > this.limit) this.known.delete(this.known.keys().next().value!);
  }
}

function toPolicy(doc: PolicyDocument): ThresholdPolicy {
  const { _id, revision: _r, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { version: _id, ...rest };
}

/** An evidence item's `_id`: its case, then its sequence, zero-padded so ids sort in sequence order. */
export function evidenceKey(caseId: string, sequence: number): string {
  return `${caseId}:${String(sequence).padStart(10, '0')}`;
}

function toEvidence(body: Record<string, unknown>): Evidence {
  const e = decodeFromStorage(body) as Evidence;
  return { ...e, recordedAt: new Date(e.recordedAt) };
}
