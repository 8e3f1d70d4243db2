/**
 * Early access's own collections (names `access_*`; no other service reads or writes them):
 * - `access_submissions`, `access_assessments`: the read model, from intake's and designation's events
 *   (applyOnce: each change claimed in `access_submissions_revisions`, `access_assessments_revisions`,
 *   then written by `_id`; reads roll forward, and the claims are pruned: see the constructor);
 * - `access_programs`, `access_nominations`, `access_grants`: entities, each with its pending events (outbox),
 *   and their claims `access_programs_revisions`, `access_nominations_revisions`, `access_grants_revisions`
 *   (each change of an existing one, `_id` `<entity>:<revision>`: see below);
 * - `access_agreements` (one document per kind and version, `<kind>:<version>`: the compare-and-set
 *   of publishing), `access_agreement_heads` (the current version of each kind, one document per
 *   kind), `access_acceptances`, `access_credentials` (as issued);
 * - `access_grant_requests`: the idempotency keys of IssueGrant (`<organisation>:<key>`).
 * The access log has its own store (access-log/log-store.ts). Every hot path is an `_id` read or write.
 *
 * A program, nomination or grant is created by inserting it (its `_id` is the compare-and-set) and
 * changes by claim (libs/events claimed-changes.ts): the insert of its next revision into its
 * revisions collection, which only one writer in any replica can make, then an `_id`-only write of
 * the document with the change's events (the outbox), handed to the relay. A read by id rolls the
 * document forward to a claim a crash (or another replica's late write) left unapplied.
 */
import type { Collection, Filter } from 'mongodb';
import { applyOnce, ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type AppliedEvents, type ApplyResult, type NewChange, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { AlreadyExistsError, ConflictError } from '@rampart/errors';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore, type MongoTimeouts } from '@rampart/store';
import { ALL_AGREEMENT_KINDS, type AgreementAcceptance, type AgreementKind, type AgreementTemplate, type CurrentAgreements } from './domain/agreements';
import type { Grant } from './domain/grants';
import type { ReleasedAssessment, SubmissionFacts } from './domain/model';
import type { PartnerNomination } from './domain/partners';
import type { AccessProgram } from './domain/program';
import type { IssuedCredential } from './domain/signals';

export interface SubmissionDocument extends AppliedEvents, Omit<SubmissionFacts, 'revision'> {
  _id: string;
}
export interface AssessmentDocument extends AppliedEvents, ReleasedAssessment {
  _id: string;
}
export interface ProgramDocument extends OutboxDocument, Omit<AccessProgram, 'id'> {
  _id: string;
}
export interface NominationDocument extends OutboxDocument, PartnerNomination {
  _id: string;
}
export interface GrantDocument extends OutboxDocument, Omit<Grant, 'id'> {
  _id: string;
}
export interface AgreementDocument extends AgreementTemplate {
  _id: string;
}
/** A kind's current version: moved forward only, after its version's insert won. */
export interface AgreementHeadDocument {
  _id: AgreementKind;
  version: number;
  contentHash: string;
}
/** An IssueGrant idempotency key, reserved for the grant its first request made. */
export interface GrantRequestDocument {
  _id: string;
  grantId: string;
  /** SHA-256 of the request's canonical JSON: a retry must send the same body. */
  fingerprint: string;
  createdAt: Date;
}
export interface AcceptanceDocument extends AgreementAcceptance {
  _id: string;
}
export interface CredentialDocument extends Omit<IssuedCredential, 'id'> {
  _id: string;
  organization: string;
}

/** Who publishes each outbox collection's events (the relays, see publishWith). */
export interface AccessPublishers {
  programs: OutboxPublisher;
  nominations: OutboxPublisher;
  grants: OutboxPublisher;
  log: OutboxPublisher;
}

const NO_OUTBOX = { outbox: 0, appliedEventIds: 0 } as const;

export const nominationKey = (programId: string, partnerOrganization: string) => `${programId}:${partnerOrganization}`;
/** Organisation ids are subject tokens (no `:`); the principal is encoded so the key splits one way only. */
export const acceptanceKey = (a: Pick<AgreementAcceptance, 'programId' | 'principalOrganization' | 'principal' | 'kind' | 'contentHash'>) =>
  `${a.programId}:${a.principalOrganization}:${encodeURIComponent(a.principal)}:${a.kind}:${a.contentHash}`;
const agreementKey = (kind: AgreementKind, version: number) => `${kind}:${version}`;
/** Organisation ids are subject tokens (no `:`), so the key splits one way only. */
const grantRequestKey = (organization: string, key: string) => `${organization}:${key}`;
/** How far a kind's head may lag its stored versions before a reader gives up rolling it forward (crashes, one each). */
const MAX_HEAD_LAG = 100;

/** An entity's change as a claimed state: the optional fields it no longer has are removed, so a change replaces whole. */
function claimedState(fields: Record<string, unknown>, optional: readonly string[], events: OutboxEntry[]): NewChange {
  const state = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  return { state, unset: optional.filter((k) => fields[k] === undefined), events };
}

/** A program's change, as claimed and written (exported for tests that stop between the two writes). */
export function programChange(p: AccessProgram, events: OutboxEntry[]): NewChange {
  const { id: _id, ...fields } = p;
  return claimedState(fields, ['closeReason', 'closedAt'], events);
}

export function nominationChange(n: PartnerNomination, events: OutboxEntry[]): NewChange {
  return claimedState({ ...n }, ['closedBy'], events);
}

export function grantChange(g: Grant, events: OutboxEntry[]): NewChange {
  const { id: _id, ...fields } = g;
  return claimedState(fields, ['endedBy', 'endedAt', 'reason'], events);
}

function fromDoc<T>(doc: { _id: string; outbox?: unknown; outboxSince?: unknown; appliedEventIds?: unknown; sourceRevision?: unknown }): T {
  const { _id, outbox: _o, outboxSince: _s, appliedEventIds: _a, sourceRevision: _r, ...rest } = doc;
  return { id: _id, ...rest } as T;
}

export class EarlyAccessStore {
  /** Held for every update of a document, by request handlers, consumers and the outbox relays. */
  readonly locks = new DocumentLocks();
  private publishers: AccessPublishers = { programs: SWEEP_ONLY, nominations: SWEEP_ONLY, grants: SWEEP_ONLY, log: SWEEP_ONLY };
  /** Changes of existing programs, nominations and grants: claimed in `<collection>_revisions`, then written by `_id`. */
  readonly programChanges: ClaimedChanges<ProgramDocument>;
  readonly nominationChanges: ClaimedChanges<NominationDocument>;
  readonly grantChanges: ClaimedChanges<GrantDocument>;
  /** The read model's changes (applyOnce), claimed in `<collection>_revisions`: reads roll forward, the claims sweep prunes. */
  readonly submissionChanges: ClaimedChanges<SubmissionDocument>;
  readonly assessmentChanges: ClaimedChanges<AssessmentDocument>;

  private constructor(
    private readonly mongo: MongoStore,
    readonly submissions: Collection<SubmissionDocument>,
    readonly assessments: Collection<AssessmentDocument>,
    readonly programs: Collection<ProgramDocument>,
    readonly nominations: Collection<NominationDocument>,
    readonly grants: Collection<GrantDocument>,
    readonly agreements: Collection<AgreementDocument>,
    readonly agreementHeads: Collection<AgreementHeadDocument>,
    readonly acceptances: Collection<AcceptanceDocument>,
    readonly credentials: Collection<CredentialDocument>,
    readonly grantRequests: Collection<GrantRequestDocument>,
  ) {
    // The publisher is read at each write: publishWith attaches the relays after opening. The claims
    // are no one's history (reads roll forward, nothing lists them): pruned.
    this.programChanges = new ClaimedChanges({ documents: programs, claims: revisionsOf(programs), locks: this.locks, publisher: () => this.publishers.programs, prune: true });
    this.nominationChanges = new ClaimedChanges({ documents: nominations, claims: revisionsOf(nominations), locks: this.locks, publisher: () => this.publishers.nominations, prune: true });
    this.grantChanges = new ClaimedChanges({ documents: grants, claims: revisionsOf(grants), locks: this.locks, publisher: () => this.publishers.grants, prune: true });
    // The read model's claims each hold a whole state copy per event and are no one's history:
    // pruned too. Its changes publish nothing (no outbox events), so no relay.
    this.submissionChanges = new ClaimedChanges({ documents: submissions, claims: revisionsOf(submissions), locks: this.locks, publisher: () => SWEEP_ONLY, prune: true });
    this.assessmentChanges = new ClaimedChanges({ documents: assessments, claims: revisionsOf(assessments), locks: this.locks, publisher: () => SWEEP_ONLY, prune: true });
  }

  static async open(uri: string, database: string, timeouts?: MongoTimeouts): Promise<EarlyAccessStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-early-access', timeouts });
    const db = mongo.db;
    const store = new EarlyAccessStore(
      mongo,
      db.collection('access_submissions'),
      db.collection('access_assessments'),
      db.collection('access_programs'),
      db.collection('access_nominations'),
      db.collection('access_grants'),
      db.collection('access_agreements'),
      db.collection('access_agreement_heads'),
      db.collection('access_acceptances'),
      db.collection('access_credentials'),
      db.collection('access_grant_requests'),
    );
    // Only listings use these (never a hot path); on FerretDB they scan regardless.
    await ensureIndexes(store.programs, [{ key: { organization: 1, _id: 1 }, name: 'organization_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(store.nominations, [{ key: { programId: 1, _id: 1 }, name: 'program_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(store.grants, [{ key: { programId: 1, _id: 1 }, name: 'program_id' }, { key: { principalOrganization: 1, principal: 1, _id: 1 }, name: 'principal_id' }, OUTBOX_PENDING_INDEX]);
    await ensureIndexes(store.acceptances, [{ key: { programId: 1, _id: 1 }, name: 'program_id' }]);
    return store;
  }

  get database() {
    return this.mongo.db;
  }

  close(): Promise<void> {
    return this.mongo.close();
  }

  /** From now on, every write hands the events it stored to its collection's publisher (the outbox relays). */
  publishWith(publishers: AccessPublishers): void {
    this.publishers = publishers;
  }

  /** Told after this process makes a new agreement version current (ReportAccess's read cache forgets the old one). */
  onAgreementPublished: () => void = () => undefined;

  get logPublisher(): OutboxPublisher {
    return this.publishers.log;
  }

  // --- the read model -------------------------------------------------------------------------

  /** Applies intake's facts about a submission once; older or repeated events change nothing. */
  applySubmission(eventId: string, facts: SubmissionFacts): Promise<ApplyResult> {
    const { revision, ...fields } = facts;
    return applyOnce<SubmissionDocument>({
      collection: this.submissions, locks: this.locks, id: facts.submissionId, eventId, sourceRevision: revision,
      decide: (current) => ({ state: { ...fields, revision: (current?.revision ?? 0) + 1 }, events: [] }),
    });
  }

  /** Applies a released assessment once, at designation's case revision. */
  applyAssessment(eventId: string, caseRevision: number, assessment: ReleasedAssessment): Promise<ApplyResult> {
    return applyOnce<AssessmentDocument>({
      collection: this.assessments, locks: this.locks, id: assessment.caseId, eventId, sourceRevision: caseRevision,
      decide: (current) => ({ state: { ...assessment, revision: (current?.revision ?? 0) + 1 }, events: [] }),
    });
  }

  /** Two `_id` reads: the submission and the claim of its next revision (rolled forward when there is one, e.g. after a late write set it back). */
  async getSubmission(id: string): Promise<SubmissionFacts | undefined> {
    const doc = await this.submissionChanges.read<SubmissionDocument>(id, NO_OUTBOX);
    if (!doc) return undefined;
    const { _id, appliedEventIds: _a, sourceRevision, outbox: _o, outboxSince: _s, revision: _r, ...facts } = doc;
    return { ...facts, submissionId: _id, revision: sourceRevision };
  }

  /** Two `_id` reads, as getSubmission. */
  async getAssessment(id: string): Promise<ReleasedAssessment | undefined> {
    const doc = await this.assessmentChanges.read<AssessmentDocument>(id, NO_OUTBOX);
    if (!doc) return undefined;
    return { caseId: doc.caseId, organization: doc.organization, outcome: doc.outcome, effectiveAt: doc.effectiveAt, releasedAt: doc.releasedAt };
  }

  // --- programs -------------------------------------------------------------------------------

  /** Stores a new program with its events; one program per model, so a second answers ALREADY_EXISTS. */
  async insertProgram(p: AccessProgram, events: OutboxEntry[]): Promise<void> {
    const { id, ...fields } = p;
    try {
      await this.programs.insertOne({ _id: id, ...fields, ...initialOutbox(events) });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new AlreadyExistsError(`the model of submission ${id} already has an access program`, { cause: error });
      throw error;
    }
    this.publishers.programs.written(id, events);
  }

  /** Two `_id` reads: the program and the claim of its next revision (rolled forward when there is one). */
  async getProgram(id: string): Promise<AccessProgram | undefined> {
    const doc = await this.programChanges.read<ProgramDocument>(id, NO_OUTBOX);
    return doc ? fromDoc<AccessProgram>(doc) : undefined;
  }

  /**
   * An organisation's programs, as stored (a change a crash interrupted shows once a read by id
   * rolls it forward). ListPrograms only: an operator's listing with a page size.
   */
  async listPrograms(organization: string | undefined, after: string | undefined, limit: number): Promise<AccessProgram[]> {
    const query: Filter<ProgramDocument> = { ...(organization ? { organization } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.programs.find(query, { projection: NO_OUTBOX }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromDoc<AccessProgram>(d));
  }

  /**
   * Writes a program changed from revision `fromRevision`, with its events (claimed first: of two
   * writers from one revision, in any replicas, one lands). False when it moved on meanwhile: read it again.
   */
  saveProgram(next: AccessProgram, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    return this.programChanges.commit(next.id, fromRevision, programChange(next, events));
  }

  // --- agreements -----------------------------------------------------------------------------

  /**
   * The current version of every kind: per kind, in parallel, its head and the next version by `_id`.
   * The versions are the truth, the head only a pointer: a head a publisher's crash left behind, or
   * that another replica's late write set back (FerretDB updates read then write), is rolled forward,
   * so an acceptance of a superseded version never counts as current.
   */
  async currentAgreements(): Promise<{ current: CurrentAgreements; revision: number }> {
    const heads = await Promise.all(ALL_AGREEMENT_KINDS.map(async (kind) => [kind, await this.agreementHead(kind)] as const));
    const current: CurrentAgreements = {};
    for (const [kind, head] of heads) if (head) current[kind] = head;
    // Every publish raises one kind's version by one: the sum orders the states a reader can see.
    return { current, revision: heads.reduce((sum, [, head]) => sum + (head?.version ?? 0), 0) };
  }

  async getAgreement(kind: AgreementKind, version: number): Promise<AgreementTemplate | undefined> {
    const doc = await this.agreements.findOne({ _id: agreementKey(kind, version) });
    if (!doc) return undefined;
    const { _id, ...template } = doc;
    return template;
  }

  /**
   * Publishes the next version of `kind`: `decide` sees the kind's current version (rolled forward
   * over any version stored by a publisher that died before moving the head) and returns the new
   * template. Inserting `<kind>:<version>` is the compare-and-set: of two concurrent publishers of a
   * kind one wins, the other gets CONFLICT (ABORTED) and finds the winner current when it reads again.
   */
  async publishAgreement(kind: AgreementKind, decide: (current: CurrentAgreements) => AgreementTemplate): Promise<AgreementTemplate> {
    const head = await this.agreementHead(kind);
    const template = decide(head ? { [kind]: head } : {});
    try {
      await this.agreements.insertOne({ _id: agreementKey(kind, template.version), ...template });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConflictError(`version ${template.version} of the ${kind} agreement was just published by someone else: read it and retry`, { cause: error });
      throw error;
    }
    await this.moveAgreementHead(kind, { version: template.version, contentHash: template.contentHash });
    this.onAgreementPublished();
    return template;
  }

  /** A kind's head, rolled forward over versions stored after it (a publisher died between its two writes). */
  private async agreementHead(kind: AgreementKind): Promise<{ version: number; contentHash: string } | undefined> {
    const doc = await this.agreementHeads.findOne({ _id: kind });
    let head = doc ? { version: doc.version, contentHash: doc.contentHash } : undefined;
    for (let lag = 0; lag < MAX_HEAD_LAG; lag++) {
      const next = await this.agreements.findOne({ _id: agreementKey(kind, (head?.version ?? 0) + 1) }, { projection: { version: 1, contentHash: 1 } });
      if (!next) break;
      head = { version: next.version, contentHash: next.contentHash };
    }
    if (head && head.version !== doc?.version) {
      await this.moveAgreementHead(kind, head);
      this.onAgreementPublished();
    }
    return head;
  }

  /**
   * Moves a kind's head forward to `head`, never back. Two movers of one kind can still race on an
   * engine whose updates read then write; the loser's older head is rolled forward again by the next
   * publisher, which always reads the versions themselves. `_id` plus a condition scans, but only
   * `access_agreement_heads` (one document per kind), and only when a version is published (an
   * officer's action): its frequency does not grow with traffic.
   */
  private async moveAgreementHead(kind: AgreementKind, head: { version: number; contentHash: string }): Promise<void> {
    await this.locks.run([`agreement-head:${kind}`], async () => {
      try {
        await this.agreementHeads.updateOne({ _id: kind, version: { $lt: head.version } }, { $set: head }, { upsert: true });
      } catch (error) {
        // The upsert's insert met a head already at or past this version: nothing to move.
        if (!isDuplicateKeyError(error)) throw error;
      }
    });
  }

  /** Who accepted what: the same acceptance twice is one record. */
  async insertAcceptance(a: AgreementAcceptance): Promise<AgreementAcceptance> {
    const _id = acceptanceKey(a);
    try {
      await this.acceptances.insertOne({ _id, ...a });
      return a;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const { _id: _k, ...earlier } = (await this.acceptances.findOne({ _id }))!;
      return earlier;
    }
  }

  async hasAcceptance(key: Parameters<typeof acceptanceKey>[0]): Promise<boolean> {
    return (await this.acceptances.findOne({ _id: acceptanceKey(key) }, { projection: { _id: 1 } })) !== null;
  }

  /** A program's acceptances (ListAcceptances only: a listing with a page size; checks are `_id` reads, hasAcceptance). */
  async listAcceptances(programId: string, after: string | undefined, limit: number): Promise<(AgreementAcceptance & { key: string })[]> {
    const docs = await this.acceptances.find({ programId, ...(after ? { _id: { $gt: after } } : {}) }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...a }) => ({ ...a, key: _id }));
  }

  // --- partner nominations --------------------------------------------------------------------

  /** Two `_id` reads: the nomination and the claim of its next revision (rolled forward when there is one). */
  async getNomination(programId: string, partnerOrganization: string): Promise<PartnerNomination | undefined> {
    const doc = await this.nominationChanges.read<NominationDocument>(nominationKey(programId, partnerOrganization), { outbox: 0 });
    if (!doc) return undefined;
    const { _id, outbox: _o, outboxSince: _s, ...n } = doc;
    return n;
  }

  /**
   * Writes a nomination changed from `fromRevision` (0: new, inserted), with its events. A change
   * of an existing one is claimed first (see saveProgram). False when it moved on meanwhile.
   */
  async saveNomination(next: PartnerNomination, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const _id = nominationKey(next.programId, next.partnerOrganization);
    if (fromRevision === 0) {
      try {
        await this.nominations.insertOne({ _id, ...next, ...initialOutbox(events) });
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
      this.publishers.nominations.written(_id, events);
      return true;
    }
    return this.nominationChanges.commit(_id, fromRevision, nominationChange(next, events));
  }

  /** A program's nominations, as stored. ListNominations only: a listing with a page size. */
  async listNominations(programId: string, after: string | undefined, limit: number): Promise<(PartnerNomination & { key: string })[]> {
    const docs = await this.nominations.find({ programId, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { outbox: 0 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, outbox: _o, outboxSince: _s, ...n }) => ({ ...n, key: _id }));
  }

  // --- grants and credentials -----------------------------------------------------------------

  /** The grant an IssueGrant idempotency key was reserved for, if the organisation used it before. */
  async getGrantRequest(organization: string, key: string): Promise<{ grantId: string; fingerprint: string } | undefined> {
    const doc = await this.grantRequests.findOne({ _id: grantRequestKey(organization, key) });
    return doc ? { grantId: doc.grantId, fingerprint: doc.fingerprint } : undefined;
  }

  /**
   * Reserves an IssueGrant idempotency key for `grantId`: the `_id` insert is the compare-and-set, so
   * of concurrent retries one reserves and the others are told its grant id and fingerprint.
   */
  async reserveGrantRequest(organization: string, key: string, grantId: string, fingerprint: string, now: Date): Promise<{ grantId: string; fingerprint: string }> {
    const _id = grantRequestKey(organization, key);
    try {
      await this.grantRequests.insertOne({ _id, grantId, fingerprint, createdAt: now });
      return { grantId, fingerprint };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const earlier = await this.grantRequests.findOne({ _id });
      if (!earlier) throw error;
      return { grantId: earlier.grantId, fingerprint: earlier.fingerprint };
    }
  }

  /** Stores a new grant with its events; false when a grant with its id exists (a retry got there first). */
  async insertGrant(g: Grant, events: OutboxEntry[]): Promise<boolean> {
    const { id, ...fields } = g;
    try {
      await this.grants.insertOne({ _id: id, ...fields, ...initialOutbox(events) });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    this.publishers.grants.written(id, events);
    return true;
  }

  /** Two `_id` reads: the grant and the claim of its next revision (rolled forward when there is one). */
  async getGrant(id: string): Promise<Grant | undefined> {
    const doc = await this.grantChanges.read<GrantDocument>(id, { outbox: 0 });
    return doc ? fromDoc<Grant>(doc) : undefined;
  }

  /** Writes a grant changed from revision `fromRevision`, with its events, claimed first (see saveProgram). False when it moved on meanwhile. */
  saveGrant(next: Grant, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    return this.grantChanges.commit(next.id, fromRevision, grantChange(next, events));
  }

  /**
   * Grants as stored, by program or by holder: a scan of the collection on FerretDB, so never per
   * request or per report. Its callers: the listings ListGrants and ListMyGrants (a page each), and
   * activeGrants (events/grant-cuts.ts), run by a program's closing, a partner's removal or a moved
   * window (an amendment): once per write, again only when that write lost a race and retries, and
   * once per such event in the grant-endings consumer: events of a program's life, a handful per program, whose
   * number does not grow with access traffic (grants issued, credentials, reports, verifications).
   */
  async listGrants(filter: { programId: string } | { principal: string; principalOrganization: string }, after: string | undefined, limit: number, activeOnly = false): Promise<Grant[]> {
    const query: Filter<GrantDocument> = { ...filter, ...(activeOnly ? { status: 'active' as const } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.grants.find(query, { projection: { outbox: 0 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromDoc<Grant>(d));
  }

  async insertCredential(c: IssuedCredential & { organization: string }): Promise<void> {
    const { id, ...fields } = c;
    await this.credentials.insertOne({ _id: id, ...fields });
  }

  async getCredential(id: string): Promise<(IssuedCredential & { organization: string }) | undefined> {
    const doc = await this.credentials.findOne({ _id: id });
    return doc ? fromDoc<IssuedCredential & { organization: string }>(doc) : undefined;
  }
}
