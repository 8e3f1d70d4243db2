/**
 * Intake's own collections. `intake_submissions`: one document per submission holding its current
 * state, the change that made it (its latest revision) and its pending events (outbox).
 * `intake_revisions`: every revision after the first, one document each, `_id`
 * `<submission>:<revision>` (the first is kept by the second, as `previous`), so history is paged
 * with `_id` reads and never grows inside the submission. A change (amend, withdraw) is first the
 * insert of its revision there, which only one writer in any replica can make (the claim, carrying
 * the new state and its events: libs/events claimed-changes.ts), then an `_id`-only write of the
 * submission; a read by id rolls the submission forward to a revision a crash left unapplied. No
 * other service reads or writes them.
 */
import type { Collection, Filter } from 'mongodb';
import { claimId, ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type NewChange, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore, type MongoTimeouts } from '@rampart/store';
import type { Submission, SubmissionRevision, SubmissionStatus } from './domain/submission';

/**
 * Who made the current revision, how and when (its details are the submission's own). `claimed`:
 * the revision is stored in `intake_revisions` already (made by a claimed change).
 */
type LatestChange = Pick<SubmissionRevision, 'changedBy' | 'changedAt' | 'change'> & { claimed?: true };

export interface SubmissionDocument extends OutboxDocument, Omit<Submission, 'id'> {
  _id: string;
  idempotencyKey: string;
  requestFingerprint: string;
  latestChange: LatestChange;
}

/**
 * A revision after the first: the claim of its change, which also holds the submission's new
 * state and events (ChangeClaim's fields). (Revisions superseded before changes were claimed are
 * stored alone, with only these fields.)
 */
export interface RevisionDocument extends SubmissionRevision {
  _id: string;
  submissionId: string;
  /** The revision this one superseded, when that was not stored on its own (see submissionChange). */
  previous?: SubmissionRevision;
}

const SUMMARY = { latestChange: 0, outbox: 0 } as const;

function toSubmission(doc: SubmissionDocument): Submission {
  const { _id, idempotencyKey: _k, requestFingerprint: _f, latestChange: _l, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { id: _id, ...rest };
}

/** Zero-padded so ids sort by revision too (for humans reading the collection); the claim id of that revision. */
export function revisionId(submissionId: string, revision: number): string {
  return claimId(submissionId, revision);
}

/** A revision as stored, without the claim's fields. */
function revisionOf(doc: RevisionDocument): SubmissionRevision {
  const { revision, details, changedBy, changedAt, change } = doc;
  return { revision, details, changedBy, changedAt, change };
}

function latestRevision(doc: Pick<SubmissionDocument, 'revision' | 'details' | 'latestChange'>): SubmissionRevision {
  const { changedBy, changedAt, change } = doc.latestChange;
  return { revision: doc.revision, details: doc.details, changedBy, changedAt, change };
}

/**
 * What a change of a submission claims: the submission's new state with its events, and the new
 * revision's record kept on the claim (what `revisionsPage` reads). `superseded`: the submission
 * as read; when its revision is not stored on its own (the first, or one written before changes
 * were claimed), the claim keeps it too, as `previous`, so one insert records both.
 */
export function submissionChange(submission: Submission, revision: SubmissionRevision, events: OutboxEntry[], superseded: Pick<SubmissionDocument, 'revision' | 'details' | 'latestChange'>): { change: NewChange; record: Omit<RevisionDocument, '_id' | 'revision'> } {
  const { id, ...fields } = submission;
  const { changedBy, changedAt, change } = revision;
  const latestChange: LatestChange = { changedBy, changedAt, change, claimed: true };
  const previous = superseded.latestChange.claimed ? {} : { previous: latestRevision(superseded) };
  return { change: { state: { ...fields, latestChange }, events }, record: { submissionId: id, details: submission.details, changedBy, changedAt, change, ...previous } };
}

export class IntakeStore {
  /** Held for every update of a submission document, by request handlers and the outbox relay. */
  readonly locks = new DocumentLocks();
  /** Told of the events each write committed, to publish them at once (see publishWith). */
  private publisher: OutboxPublisher = SWEEP_ONLY;
  /** Amendments and withdrawals: claimed in `intake_revisions`, then written by `_id`. */
  readonly changes: ClaimedChanges<SubmissionDocument, RevisionDocument>;

  private constructor(
    private readonly mongo: MongoStore,
    readonly submissions: Collection<SubmissionDocument>,
    private readonly revisions: Collection<RevisionDocument>,
  ) {
    this.changes = new ClaimedChanges({ documents: submissions, claims: revisions, locks: this.locks, publisher: () => this.publisher });
  }

  static async open(uri: string, database: string, timeouts?: MongoTimeouts): Promise<IntakeStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-intake', timeouts });
    const submissions = mongo.db.collection<SubmissionDocument>('intake_submissions');
    await ensureIndexes(submissions, [
      { key: { organization: 1, idempotencyKey: 1 }, name: 'org_idempotency_key', unique: true },
      { key: { organization: 1, _id: 1 }, name: 'org_id' },
      { key: { status: 1, _id: 1 }, name: 'status_id' },
      OUTBOX_PENDING_INDEX,
    ]);
    return new IntakeStore(mongo, submissions, mongo.db.collection<RevisionDocument>('intake_revisions'));
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /** From now on, every write hands the events it stored to `publisher` (the outbox relay). */
  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /**
   * Stores a new submission with its history and events in one write. When the organisation has
   * used the idempotency key before, stores nothing and returns the earlier document instead.
   */
  async insert(submission: Submission, revision: SubmissionRevision, key: string, fingerprint: string, events: OutboxEntry[]): Promise<{ created: boolean; submission: Submission; fingerprint: string }> {
    const { id, ...fields } = submission;
    const { changedBy, changedAt, change } = revision;
    const doc: SubmissionDocument = { _id: id, ...fields, idempotencyKey: key, requestFingerprint: fingerprint, latestChange: { changedBy, changedAt, change }, ...initialOutbox(events) };
    try {
      await this.submissions.insertOne(doc);
      this.publisher.written(id, events, { created: true }); // a new document: nothing older pending, no read
      return { created: true, submission, fingerprint };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.submissions.findOne({ organization: submission.organization, idempotencyKey: key });
      if (!earlier) throw error; // the duplicate was on _id: not a retry, a genuine fault
      return { created: false, submission: toSubmission(earlier), fingerprint: earlier.requestFingerprint };
    }
  }

  async get(id: string): Promise<Submission | undefined> {
    const doc = await this.changes.read<SubmissionDocument>(id, SUMMARY);
    return doc ? toSubmission(doc) : undefined;
  }

  /**
   * A page in id order (ids are UUIDv7, so creation order), after `after`. Documents as stored: a
   * change whose submission write a crash interrupted shows here once a read by id or the next
   * change has rolled it forward (an operator's listing, not worth a claim lookup per item).
   */
  async list(filter: { organization?: string; status?: SubmissionStatus }, after: string | undefined, limit: number): Promise<Submission[]> {
    const query: Filter<SubmissionDocument> = {
      ...(filter.organization ? { organization: filter.organization } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(after ? { _id: { $gt: after } } : {}),
    };
    const docs = await this.submissions.find(query, { projection: SUMMARY }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toSubmission(d as SubmissionDocument));
  }

  /**
   * Revisions `after + 1` to `after + limit` of a submission, oldest first, and how many it has:
   * the current one from the submission itself, earlier ones by `_id`, read in parallel.
   */
  async revisionsPage(id: string, after: number, limit: number): Promise<{ organization: string; total: number; revisions: SubmissionRevision[] } | undefined> {
    const doc = await this.changes.read<SubmissionDocument>(id, { organization: 1, revision: 1, details: 1, latestChange: 1 });
    if (!doc) return undefined;
    const wanted = Array.from({ length: Math.max(0, Math.min(limit, doc.revision - after)) }, (_, i) => after + 1 + i);
    const revisions = await Promise.all(wanted.map(async (revision) => {
      if (revision === doc.revision) return latestRevision(doc);
      const found = await this.revisions.findOne({ _id: revisionId(id, revision) });
      if (found) return revisionOf(found);
      // The first revision (or one superseded before changes were claimed) is kept by the next.
      const previous = (await this.revisions.findOne({ _id: revisionId(id, revision + 1) }))?.previous;
      if (previous?.revision !== revision) throw new Error(`submission ${id} has no stored revision ${revision}`);
      return previous;
    }));
    return { organization: doc.organization, total: doc.revision, revisions };
  }

  /**
   * Writes a change made from revision `fromRevision`, with its events: the claim of the new
   * revision (holding the superseded one too when that is not stored yet), then the submission by
   * `_id`. False when another writer, in this replica or another, claimed that revision first (the
   * caller re-reads and decides again). The submission is read here without the claim check: a
   * claim it is behind makes this one collide, which rolls it forward.
   */
  async applyChange(submission: Submission, fromRevision: number, revision: SubmissionRevision, events: OutboxEntry[]): Promise<boolean> {
    const id = submission.id;
    const current = await this.submissions.findOne({ _id: id }, { projection: { revision: 1, details: 1, latestChange: 1 } });
    if (!current || current.revision !== fromRevision) return false;
    const { change, record } = submissionChange(submission, revision, events, current);
    return this.changes.commit(id, fromRevision, change, record);
  }
}
