/**
 * Intake's own collection, `intake_submissions`: one document per submission holding its current
 * state, its history and its pending events (outbox). No other service reads or writes it.
 */
import type { Collection, Filter } from 'mongodb';
import { DocumentLocks, initialOutbox, withOutbox, type OutboxDocument, type OutboxEntry } from '@rampart/events';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore } from '@rampart/store';
import type { Submission, SubmissionRevision, SubmissionStatus } from './domain/submission';

export interface SubmissionDocument extends OutboxDocument, Omit<Submission, 'id'> {
  _id: string;
  idempotencyKey: string;
  requestFingerprint: string;
  history: SubmissionRevision[];
}

const SUMMARY = { history: 0, outbox: 0 } as const;

function toSubmission(doc: SubmissionDocument): Submission {
  const { _id, idempotencyKey: _k, requestFingerprint: _f, history: _h, outbox: _o, outboxSince: _s, ...rest } = doc;
  return { id: _id, ...rest } as Submission;
}

export class IntakeStore {
  /** Held for every update of a submission document, by request handlers and the outbox relay. */
  readonly locks = new DocumentLocks();

  private constructor(
    private readonly mongo: MongoStore,
    readonly submissions: Collection<SubmissionDocument>,
  ) {}

  static async open(uri: string, database: string): Promise<IntakeStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-intake' });
    const submissions = mongo.db.collection<SubmissionDocument>('intake_submissions');
    await ensureIndexes(submissions, [
      { key: { organization: 1, idempotencyKey: 1 }, name: 'org_idempotency_key', unique: true },
      { key: { organization: 1, _id: 1 }, name: 'org_id' },
      { key: { status: 1, _id: 1 }, name: 'status_id' },
      { key: { outboxSince: 1 }, name: 'outbox_since' },
    ]);
    return new IntakeStore(mongo, submissions);
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /**
   * Stores a new submission with its history and events in one write. When the organisation has
   * used the idempotency key before, stores nothing and returns the earlier document instead.
   */
  async insert(submission: Submission, revision: SubmissionRevision, key: string, fingerprint: string, events: OutboxEntry[]): Promise<{ created: boolean; submission: Submission; fingerprint: string }> {
    const { id, ...fields } = submission;
    const doc: SubmissionDocument = { _id: id, ...fields, idempotencyKey: key, requestFingerprint: fingerprint, history: [revision], ...initialOutbox(events) };
    try {
      await this.submissions.insertOne(doc);
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
    return doc ? toSubmission(doc as SubmissionDocument) : undefined;
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

  async history(id: string): Promise<{ organization: string; history: SubmissionRevision[] } | undefined> {
    const doc = await this.submissions.findOne({ _id: id }, { projection: { organization: 1, history: 1 } });
    return doc ? { organization: doc.organization, history: doc.history } : undefined;
  }

  /**
   * Writes a change made from revision `fromRevision`, with its history entry and events, in one
   * write. False when the document moved on meanwhile (the caller re-reads and decides again).
   */
  async applyChange(submission: Submission, fromRevision: number, revision: SubmissionRevision, events: OutboxEntry[]): Promise<boolean> {
    const { id, ...fields } = submission;
    const result = await this.locks.run([id], () =>
      this.submissions.updateOne({ _id: id, revision: fromRevision }, withOutbox<SubmissionDocument>({ $set: fields, $push: { history: revision } }, events)));
    return result.matchedCount === 1;
  }
}
