/**
 * Early access's own collections (names `access_*`; no other service reads or writes them):
 * - `access_submissions`, `access_assessments`: the read model, from intake's and designation's events;
 * - `access_programs`, `access_nominations`, `access_grants`: entities, each with its pending events (outbox);
 * - `access_agreements` (one document per kind and version), `access_agreement_heads` (the current
 *   version of each kind, one document), `access_acceptances`, `access_credentials` (as issued).
 * The access log has its own store (log-store.ts). Every hot path is an `_id` read or write.
 */
import type { Collection, Filter } from 'mongodb';
import { applyOnce, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, withOutbox, type AppliedEvents, type ApplyResult, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { AlreadyExistsError, ConflictError } from '@rampart/errors';
import { connectMongo, ensureIndexes, isDuplicateKeyError, type MongoStore } from '@rampart/store';
import type { AgreementAcceptance, AgreementKind, AgreementTemplate, CurrentAgreements } from './domain/agreements';
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
export interface AgreementHeadsDocument {
  _id: 'current';
  current: CurrentAgreements;
  revision: number;
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

/** `$set` of the entity's fields and `$unset` of the optional ones it no longer has, so a save replaces whole. */
function replaceFields(fields: Record<string, unknown>, optional: readonly string[]): Record<string, Record<string, unknown>> {
  const set = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
  const gone = optional.filter((k) => fields[k] === undefined);
  return { $set: set, ...(gone.length ? { $unset: Object.fromEntries(gone.map((k) => [k, ''])) } : {}) };
}

function fromDoc<T>(doc: { _id: string; outbox?: unknown; outboxSince?: unknown; appliedEventIds?: unknown; sourceRevision?: unknown }): T {
  const { _id, outbox: _o, outboxSince: _s, appliedEventIds: _a, sourceRevision: _r, ...rest } = doc;
  return { id: _id, ...rest } as T;
}

export class EarlyAccessStore {
  /** Held for every update of a document, by request handlers, consumers and the outbox relays. */
  readonly locks = new DocumentLocks();
  private publishers: AccessPublishers = { programs: SWEEP_ONLY, nominations: SWEEP_ONLY, grants: SWEEP_ONLY, log: SWEEP_ONLY };

  private constructor(
    private readonly mongo: MongoStore,
    readonly submissions: Collection<SubmissionDocument>,
    readonly assessments: Collection<AssessmentDocument>,
    readonly programs: Collection<ProgramDocument>,
    readonly nominations: Collection<NominationDocument>,
    readonly grants: Collection<GrantDocument>,
    readonly agreements: Collection<AgreementDocument>,
    readonly agreementHeads: Collection<AgreementHeadsDocument>,
    readonly acceptances: Collection<AcceptanceDocument>,
    readonly credentials: Collection<CredentialDocument>,
  ) {}

  static async open(uri: string, database: string): Promise<EarlyAccessStore> {
    const mongo = await connectMongo({ uri, database, appName: 'rampart-early-access' });
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

  async getSubmission(id: string): Promise<SubmissionFacts | undefined> {
    const doc = await this.submissions.findOne({ _id: id });
    if (!doc) return undefined;
    const { _id, appliedEventIds: _a, sourceRevision, outbox: _o, outboxSince: _s, revision: _r, ...facts } = doc;
    return { ...facts, submissionId: _id, revision: sourceRevision };
  }

  async getAssessment(id: string): Promise<ReleasedAssessment | undefined> {
    const doc = await this.assessments.findOne({ _id: id });
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

  async getProgram(id: string): Promise<AccessProgram | undefined> {
    const doc = await this.programs.findOne({ _id: id }, { projection: NO_OUTBOX });
    return doc ? fromDoc<AccessProgram>(doc) : undefined;
  }

  async listPrograms(organization: string | undefined, after: string | undefined, limit: number): Promise<AccessProgram[]> {
    const query: Filter<ProgramDocument> = { ...(organization ? { organization } : {}), ...(after ? { _id: { $gt: after } } : {}) };
    const docs = await this.programs.find(query, { projection: NO_OUTBOX }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map((d) => fromDoc<AccessProgram>(d));
  }

  /** Writes a program changed from revision `fromRevision`, with its events. False when it moved on meanwhile. */
  async saveProgram(next: AccessProgram, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const { id, ...fields } = next;
    const update = withOutbox<ProgramDocument>(replaceFields(fields, ['closeReason', 'closedAt']), events);
    const result = await this.locks.run([id], () => this.programs.updateOne({ _id: id, revision: fromRevision }, update));
    if (result.matchedCount !== 1) return false;
    this.publishers.programs.written(id, events);
    return true;
  }

  // --- agreements -----------------------------------------------------------------------------

  async currentAgreements(): Promise<{ current: CurrentAgreements; revision: number }> {
    const doc = await this.agreementHeads.findOne({ _id: 'current' });
    return { current: doc?.current ?? {}, revision: doc?.revision ?? 0 };
  }

  async getAgreement(kind: AgreementKind, version: number): Promise<AgreementTemplate | undefined> {
    const doc = await this.agreements.findOne({ _id: agreementKey(kind, version) });
    if (!doc) return undefined;
    const { _id, ...template } = doc;
    return template;
  }

  /**
   * Stores a new version, then makes it current. The version's `_id` is the compare-and-set: a
   * concurrent publisher of the same version fails here (CONFLICT). A crash between the two writes
   * leaves an orphan version nobody can accept; the next publish of that kind takes the next number.
   */
  async publishAgreement(template: AgreementTemplate, headsRevision: number): Promise<void> {
    try {
      await this.agreements.insertOne({ _id: agreementKey(template.kind, template.version), ...template });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConflictError(`version ${template.version} of the ${template.kind} agreement was just published by someone else: read it and retry`, { cause: error });
      throw error;
    }
    const set = { [`current.${template.kind}`]: { version: template.version, contentHash: template.contentHash }, revision: headsRevision + 1 };
    const written = await this.locks.run(['agreement-heads'], async () => {
      if (headsRevision === 0) {
        try {
          await this.agreementHeads.insertOne({ _id: 'current', current: { [template.kind]: set[`current.${template.kind}`] }, revision: 1 });
          return true;
        } catch (error) {
          if (isDuplicateKeyError(error)) return false;
          throw error;
        }
      }
      return (await this.agreementHeads.updateOne({ _id: 'current', revision: headsRevision }, { $set: set })).matchedCount === 1;
    });
    if (!written) throw new ConflictError(`another agreement was published meanwhile: version ${template.version} of ${template.kind} is stored but not current; read again and retry`);
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

  async listAcceptances(programId: string, after: string | undefined, limit: number): Promise<(AgreementAcceptance & { key: string })[]> {
    const docs = await this.acceptances.find({ programId, ...(after ? { _id: { $gt: after } } : {}) }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, ...a }) => ({ ...a, key: _id }));
  }

  // --- partner nominations --------------------------------------------------------------------

  async getNomination(programId: string, partnerOrganization: string): Promise<PartnerNomination | undefined> {
    const doc = await this.nominations.findOne({ _id: nominationKey(programId, partnerOrganization) }, { projection: { outbox: 0 } });
    if (!doc) return undefined;
    const { _id, outbox: _o, outboxSince: _s, ...n } = doc;
    return n;
  }

  /** Writes a nomination changed from `fromRevision` (0: new), with its events. False when it moved on meanwhile. */
  async saveNomination(next: PartnerNomination, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const _id = nominationKey(next.programId, next.partnerOrganization);
    if (fromRevision === 0) {
      try {
        await this.nominations.insertOne({ _id, ...next, ...initialOutbox(events) });
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
    } else {
      const update = withOutbox<NominationDocument>(replaceFields({ ...next }, ['closedBy']), events);
      const result = await this.locks.run([_id], () => this.nominations.updateOne({ _id, revision: fromRevision }, update));
      if (result.matchedCount !== 1) return false;
    }
    this.publishers.nominations.written(_id, events);
    return true;
  }

  async listNominations(programId: string, after: string | undefined, limit: number): Promise<(PartnerNomination & { key: string })[]> {
    const docs = await this.nominations.find({ programId, ...(after ? { _id: { $gt: after } } : {}) }, { projection: { outbox: 0 } }).sort({ _id: 1 }).limit(limit).toArray();
    return docs.map(({ _id, outbox: _o, outboxSince: _s, ...n }) => ({ ...n, key: _id }));
  }

  // --- grants and credentials -----------------------------------------------------------------

  async insertGrant(g: Grant, events: OutboxEntry[]): Promise<void> {
    const { id, ...fields } = g;
    await this.grants.insertOne({ _id: id, ...fields, ...initialOutbox(events) });
    this.publishers.grants.written(id, events);
  }

  async getGrant(id: string): Promise<Grant | undefined> {
    const doc = await this.grants.findOne({ _id: id }, { projection: { outbox: 0 } });
    return doc ? fromDoc<Grant>(doc) : undefined;
  }

  async saveGrant(next: Grant, fromRevision: number, events: OutboxEntry[]): Promise<boolean> {
    const { id, ...fields } = next;
    const update = withOutbox<GrantDocument>(replaceFields(fields, ['endedBy', 'endedAt', 'reason']), events);
    const result = await this.locks.run([id], () => this.grants.updateOne({ _id: id, revision: fromRevision }, update));
    if (result.matchedCount !== 1) return false;
    this.publishers.grants.written(id, events);
    return true;
  }

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
