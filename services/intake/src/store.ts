/**
 * Intake's own collections. `intake_submissions`: one document per submission holding its current
 * state, the change that made it (its latest revision) and its pending events (outbox).
 * `intake_revisions`: every earlier revision, one document each, `_id` `<submission>:<revision>`,
 * so history is paged with `_id` reads and never grows inside the submission. No other service
 * reads or writes them.
 */
import type { Collection, Filter } from 'mongodb';
import { DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, withOutbox, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore } from '@rampart/store';
import type { Submission, SubmissionRevision, SubmissionStatus } from './domain/submission';

/** Who made the current revision, how and when (its details are the submission's own). */
type LatestChange = Pick<SubmissionRevision, 'changedBy' | 'changedAt' | 'change'>;

export interface SubmissionDocument extends OutboxDocument, Omit<Submission, 'id'> {
  _id: string;
  idempotencyKey: string;
  requestFingerprint: string;
  latestChange: LatestChange;
}

/** A superseded revision, written when the next change is made. */
export interface RevisionDocument extends SubmissionRevision {
  _id: string;
  submissionId: string;
}

const SUMMARY = { latestChange: 0, outbox: 0 } as const;

function toSubmission(doc: SubmissionDocument): Submission {
  const { _id, idempotencyKey: _k, requestFingerprint: _f, latestChange: _l, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { id: _id, ...rest };
}

/** Zero-padded so ids sort by revision too (for humans reading the collection). */
export function revisionId(submissionId: string, revision: number): string {
  return `${submissionId}:${String(revision).padStart(6, '0')}`;
}

function latestRevision(doc: Pick<SubmissionDocument, 'revision' | 'details' | 'latestChange'>): SubmissionRevision {
  return { revision: doc.revision, details: doc.details, ...doc.latestChange };
}

export class IntakeStore {
  /** Held for every update of a submission document, by request handlers and the outbox relay. */
  readonly locks = new DocumentLocks();
  /** Told of the events each write committed, to publish them at once (see publishWith). */
  private publisher: OutboxPublisher = SWEEP_ONLY;

  private constructor(
    private readonly mongo: MongoStore,
    readonly submissions: Collection<SubmissionDocument>,
    private readonly revisions: Collection<RevisionDocument>,
  ) {}

  static async open(uri: string, database: string): Promise<IntakeStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-intake' });
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
      this.publisher.written(id, events);
      return { created: true, submission, fingerprint };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.submissions.findOne({ organization: submission.organization, idempotencyKey: key });
      if (!earlier) throw error; // the duplicate was on _id: not a retry, a genuine fault
      return { created: false, submission: toSubmission(earlier), fingerprint: earlier.requestFingerprint };
    }
  }

  async get(id: string): Promise<Submission | undefined> {
    const doc = await this.submissions.findOne({ _id: id }, { projection: SUMMARY });
    return doc ? toSubmission(doc) : undefined;
  }

  /** A page in id order (ids are UUIDv7, so creation order), after `after`. */
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
    const doc = await this.submissions.findOne({ _id: id }, { projection: { organization: 1, revision: 1, details: 1, latestChange: 1 } });
    if (!doc) return undefined;
    const wanted = Array.from({ length: Math.max(0, Math.min(limit, doc.revision - after)) }, (_, i) => after + 1 + i);
    const revisions = await Promise.all(wanted.map(async (revision) => {
      if (revision === doc.revision) return latestRevision(doc);
      const found = await this.revisions.findOne({ _id: revisionId(id, revision) });
      if (!found) throw new Error(`submission ${id} has no stored revision ${revision}`);
      const { _id: _i, submissionId: _s, ...entry } = found;
      return entry;
    }));
    return { organization: doc.organization, total: doc.revision, revisions };
  }

  /**
   * Writes a change made from revision `fromRevision`, with its events, in one write, after storing
   * the revision it supersedes (so every revision but the current one is in `intake_revisions`;
   * a retry finds it stored already). False when the document moved on meanwhile (the caller
   * re-reads and decides again).
   */
  async applyChange(submission: Submission, fromRevision: number, revision: SubmissionRevision, events: OutboxEntry[]): Promise<boolean> {
    const { id, ...fields } = submission;
    const { changedBy, changedAt, change } = revision;
    const current = await this.submissions.findOne({ _id: id }, { projection: { revision: 1, details: 1, latestChange: 1 } });
    if (!current || current.revision !== fromRevision) return false;
    await this.storeRevision(id, latestRevision(current));
    const result = await this.locks.run([id], () =>
      this.submissions.updateOne({ _id: id, revision: fromRevision }, withOutbox<SubmissionDocument>({ $set: { ...fields, latestChange: { changedBy, changedAt, change } } }, events)));
    if (result.matchedCount !== 1) return false;
    this.publisher.written(id, events);
    return true;
  }

  private async storeRevision(id: string, revision: SubmissionRevision): Promise<void> {
    try {
      await this.revisions.insertOne({ _id: revisionId(id, revision.revision), submissionId: id, ...revision });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // stored by an earlier attempt: the same revision
    }
  }
}
