/**
 * Enforcement's own collections; no other service reads or writes them.
 * - `enforcement_referrals`: one document per referral (its current state and pending events).
 *   Created by an `_id` insert: a filed referral's id is derived from its organisation and
 *   idempotency key, a candidate's from the event's id, so a retry or a redelivery collides with
 *   the first and creates nothing. Changes are claimed in `enforcement_referral_revisions`
 *   (`<referral>:<revision>`, libs/events claimed-changes.ts): one writer per revision across replicas.
 * - `enforcement_policies`: priority policy versions after the built-in first, `_id` `policy#<version - 1>`,
 *   each an insert (the compare-and-set: two analysts setting the same next version cannot both succeed).
 * Evidence and custody live in evidence/custody-store.ts.
 */
import type { Collection, Filter } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { connectMongo, ensureIndexes, isDuplicateKeyError, latestOfSequence, type MongoStore, type MongoTimeouts } from '@rampart/store';
import { DEFAULT_POLICY, type PriorityPolicy, type Referral, type ReferralStatus } from './domain';

export interface ReferralDocument extends OutboxDocument, Omit<Referral, 'id'> {
  _id: string;
  /** A digest of the filing, to tell a retry from a reuse of its idempotency key. */
  requestFingerprint?: string;
}

interface PolicyDocument extends Omit<PriorityPolicy, 'version'> {
  _id: string;
  version: number;
}

const NO_OUTBOX = { outbox: 0, outboxSince: 0, requestFingerprint: 0 } as const;

function toReferral(doc: ReferralDocument): Referral {
  const { _id, outbox: _o, outboxSince: _s, requestFingerprint: _f, ...rest } = doc;
  return { id: _id, ...rest };
}

export class EnforcementStore {
  readonly locks = new DocumentLocks();
  private publisher: OutboxPublisher = SWEEP_ONLY;
  readonly changes: ClaimedChanges<ReferralDocument>;

  private constructor(
    private readonly mongo: MongoStore,
    readonly referrals: Collection<ReferralDocument>,
    private readonly policies: Collection<PolicyDocument>,
  ) {
    this.changes = new ClaimedChanges({ documents: referrals, claims: mongo.db.collection('enforcement_referral_revisions'), locks: this.locks, publisher: () => this.publisher });
  }

  static async open(uri: string, database: string, timeouts?: MongoTimeouts): Promise<EnforcementStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-enforcement', timeouts });
    const referrals = mongo.db.collection<ReferralDocument>('enforcement_referrals');
    // Lists by organisation and status are an analyst's or a referrer's page, not a hot path.
    await ensureIndexes(referrals, [{ key: { organization: 1, _id: 1 }, name: 'org_id' }, { key: { status: 1, _id: 1 }, name: 'status_id' }, OUTBOX_PENDING_INDEX]);
    return new EnforcementStore(mongo, referrals, mongo.db.collection<PolicyDocument>('enforcement_policies'));
  }

  get database() {
    return this.mongo.db;
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /** Inserts a new referral with its events; when its `_id` exists, stores nothing and returns the stored one. */
  async insert(referral: Referral, events: OutboxEntry[], fingerprint?: string): Promise<{ created: boolean; referral: Referral; fingerprint?: string }> {
    const { id, ...fields } = referral;
    try {
      await this.referrals.insertOne({ _id: id, ...fields, ...(fingerprint ? { requestFingerprint: fingerprint } : {}), ...initialOutbox(events) });
      this.publisher.written(id, events, { created: true });
      return { created: true, referral };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.referrals.findOne({ _id: id });
      if (!earlier) throw error;
      return { created: false, referral: toReferral(earlier), ...(earlier.requestFingerprint ? { fingerprint: earlier.requestFingerprint } : {}) };
    }
  }

  async get(id: string): Promise<Referral | undefined> {
    const doc = await this.changes.read<ReferralDocument>(id, NO_OUTBOX);
    return doc ? toReferral(doc) : undefined;
  }

  /** Writes `next` (made from revision `fromRevision`) with its events; false when another writer got there first. */
  async apply(next: Referral, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const { id, revision: _r, ...state } = next;
    return this.changes.commit(id, fromRevision, { state: { ...state }, unset: (['assignee', 'routedTo', 'reason', 'outcome', 'overdueAlerted'] as const).filter((k) => next[k] === undefined), events });
  }

  /** A page in id order after `after`. */
  async list(filter: { organization?: string; status?: ReferralStatus; statuses?: readonly ReferralStatus[] }, after: string | undefined, limit: number): Promise<Referral[]> {
    const query: Filter<ReferralDocument> = {
      ...(filter.organization !== undefined ? { organization: filter.organization } : {}),
      ...(filter.status ? { status: filter.status } : filter.statuses ? { status: { $in: [...filter.statuses] } } : {}),
      ...(after ? { _id: { $gt: after } } : {}),
    };
    const docs = await this.referrals.find(query, { projection: NO_OUTBOX }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => toReferral(d as ReferralDocument));
  }

  /** The current policy (the highest version; the default before any is set). */
  async currentPolicy(): Promise<PriorityPolicy> {
    const latest = await latestOfSequence((n) => (n === 0 ? Promise.resolve({ ...DEFAULT_POLICY, _id: 'policy#0' }) : this.policies.findOne({ _id: `policy#${n}` })));
    return latest && latest.n > 0 ? fromPolicyDoc(latest.doc) : DEFAULT_POLICY;
  }

  async policy(version: number): Promise<PriorityPolicy | undefined> {
    if (version === DEFAULT_POLICY.version) return DEFAULT_POLICY;
    if (!Number.isSafeInteger(version) || version < 1) return undefined;
    const doc = await this.policies.findOne({ _id: `policy#${version - 1}` });
    return doc ? fromPolicyDoc(doc) : undefined;
  }

  /** Stores `policy` as its version; false when that version exists (another analyst set it first). */
  async insertPolicy(policy: PriorityPolicy): Promise<boolean> {
    try {
      await this.policies.insertOne({ ...policy, _id: `policy#${policy.version - 1}` });
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function fromPolicyDoc(doc: PolicyDocument): PriorityPolicy {
  const { _id, ...policy } = doc;
  return policy;
}
