/**
 * A change to an entity's document as the one compare-and-set every engine honours: the insert of
 * a unique `_id`. No update here is filtered on anything but `_id`.
 *
 * A change from revision `r` first inserts its claim `<entity>:<r+1>` into the entity's revisions
 * collection, carrying what the change writes and the events it publishes. Only one writer, in any
 * replica, can insert it: a duplicate key is the conflict. The winner then writes the document by
 * `_id` alone, under the process's DocumentLocks (which the relay's removals hold too).
 *
 * The claims are the record; the document is the claims applied in order. It can fall behind them,
 * on every engine: a crash or a timeout between the two writes; or a writer's late write (its update
 * stalled in the network or the server, or timed out and landed anyway), which sets a whole older
 * state and revision back over what other replicas wrote meanwhile (an `_id`-only update cannot be
 * made conditional). So:
 * - a read by id checks for the claim after the document's revision and, finding one, rolls the
 *   document forward, claim by claim; a writer whose claim collides does the same;
 * - a writer, once its write returned, marks its claim settled and checks for the next claim: one
 *   there means its write may have landed after a later change, and it rolls the document forward;
 * - a writer that never settles (crashed, timed out) leaves its claim unsettled: the claims sweep
 *   (claims-sweep.ts) looks at the recent unsettled claims and rolls their documents forward, so a
 *   claim nobody reads again still publishes its events.
 * Rolling forward adds a claim's events to the outbox only once: not when they are in the outbox as
 * read, nor when the claim is marked as applied already (its events went in then, and are pending
 * or published since). The late write itself pushes its own events again: they go out a second time
 * and JetStream's duplicate window (Nats-Msg-Id = event id) stores them once.
 *
 * Intake keeps its claims (they are its revision history). Other collections prune theirs to stubs
 * (`prune`, pruneBelow): a stub keeps its `_id`, so its insert still refuses every stale writer.
 * A writer whose claim the document is already past (a claim made where an older version of this
 * code deleted one) is refused too: writeClaim abandons the claim, and no roll-forward applies an
 * abandoned claim or a stub.
 */
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import { isDuplicateKeyError } from '@rampart/store';
import type { DocumentLocks } from './document-locks';
import type { OutboxDocument, OutboxEntry, OutboxPublisher } from './outbox';

/** A claimed revision: `_id` `<entity>:<revision>`, zero-padded so ids sort by revision. */
export interface ChangeClaim {
  _id: string;
  /** The revision this change makes (the document's previous revision plus one). */
  revision: number;
  /** The document's fields this change sets (`revision` is set from the claim). */
  state: Record<string, unknown>;
  /** The document's fields this change removes. */
  unset: string[];
  /** Events the change publishes: added to the document's outbox with it. */
  events: OutboxEntry[];
  /** Ids of pending outbox entries of earlier changes that this change withdraws. */
  withdrawn?: string[];
  claimedAt: Date;
  /** Set by the claim's writer once its document write returned: no write of it can land late any more. */
  settledAt?: Date;
  /** Set when a roll-forward applied the claim (its events went into the outbox then). */
  appliedAt?: Date;
  /** Set by a roll-forward before it applies the claim: its writer, finding the document past it, knows it was applied. */
  applyingAt?: Date;
  /**
   * A stub: pruned, only `_id`, `revision` and the times are left (state, events, unset and
   * withdrawn are removed), so its insert still refuses a stale writer. Never applied again.
   */
  pruned?: true;
  /** Claimed where the document was already past (a stale writer): refused, stripped like a stub, never applied. */
  abandoned?: true;
}

/** What a writer hands over: the state it computed from the revision it read, and its events. */
export interface NewChange {
  state: Record<string, unknown>;
  unset?: readonly string[];
  events: OutboxEntry[];
  withdrawn?: readonly string[];
}

/** The claim id of an entity's revision. */
export function claimId(entityId: string, revision: number): string {
  return `${entityId}:${String(revision).padStart(6, '0')}`;
}

/** Claims applied by one roll-forward at most. */
const MAX_ROLL_FORWARD_STEPS = 1_000;

type StoredDocument = OutboxDocument & { _id: string } & Document;

/** The two collections of a claimed entity, typed loosely (stores check their own states). */
export interface ClaimedCollections {
  documents: Collection<StoredDocument>;
  claims: Collection<ChangeClaim & Document>;
}

/** A collection's claims, by convention: `<collection>_revisions` in the same database. */
export function revisionsOf<D extends Document>(collection: Collection<D>): Collection<ChangeClaim & Document> {
  return collection.db.collection<ChangeClaim & Document>(`${collection.collectionName}_revisions`);
}

/** The entity of a claim id (entity ids may hold `:` themselves; the revision is the last part). */
export function claimedEntity(claim: string): string {
  return claim.slice(0, claim.lastIndexOf(':'));
}

/** The document as a claimed write reads it first. */
const AS_READ = { projection: { revision: 1, outbox: 1 } } as const;

function readDocument(c: ClaimedCollections, id: string): Promise<StoredDocument | null> {
  return c.documents.findOne({ _id: id } as Filter<StoredDocument>, AS_READ);
}

/**
 * Applies `claim` to the document whose outbox is `outbox` (as read under the lock) and returns the
 * entries it added: events neither in that outbox nor added once before (`eventsIn`: the claim was
 * applied already, by its writer or a roll-forward, and a late write set the document back since).
 * Withdrawn entries leave first with a `$pullAll` of their values as read: no write here replaces
 * the outbox, so none can drop an entry another replica added meanwhile.
 */
async function applyClaim(c: ClaimedCollections, id: string, claim: ChangeClaim, outbox: readonly OutboxEntry[]): Promise<OutboxEntry[]> {
  const withdrawn = new Set(claim.withdrawn ?? []);
  const pull = outbox.filter((e) => withdrawn.has(e.id));
  if (pull.length) await c.documents.updateOne({ _id: id }, { $pullAll: { outbox: pull } } as unknown as UpdateFilter<StoredDocument>);
  const set: Record<string, unknown> = { ...claim.state, revision: claim.revision };
  const update: Record<string, Record<string, unknown>> = { $set: set };
  const unset = claim.unset.filter((k) => !(k in set));
  if (unset.length) update.$unset = Object.fromEntries(unset.map((k) => [k, '']));
  const present = new Set(outbox.map((e) => e.id));
  const eventsIn = claim.settledAt !== undefined || claim.appliedAt !== undefined;
  const added = eventsIn ? [] : claim.events.filter((e) => !present.has(e.id) && !withdrawn.has(e.id));
  // A $push: entries the relay removes meanwhile are neither re-added nor lost (atomic on MongoDB;
  // on FerretDB, the document locks keep this replica's removals out meanwhile).
  if (added.length) update.$push = { outbox: { $each: added } };
  await c.documents.updateOne({ _id: id }, update);
  return added;
}

function newClaim(id: string, fromRevision: number, change: NewChange, extra: Document | undefined): ChangeClaim {
  const revision = fromRevision + 1;
  if ('revision' in change.state && change.state.revision !== revision) {
    throw new Error(`a change of ${id} from revision ${fromRevision} must make revision ${revision}, not ${String(change.state.revision)}`);
  }
  const { revision: _r, ...state } = change.state;
  return {
    ...extra, _id: claimId(id, revision), revision, state, unset: [...(change.unset ?? [])], events: change.events,
    ...(change.withdrawn?.length ? { withdrawn: [...change.withdrawn] } : {}), claimedAt: new Date(),
  };
}

/**
 * The first of a change's two writes: claims revision `fromRevision + 1`. Undefined when another
 * writer claimed it first (nothing written). `extra`: fields kept on the claim beside the change.
 */
export async function claimChange(c: ClaimedCollections, id: string, fromRevision: number, change: NewChange, extra?: Document): Promise<ChangeClaim | undefined> {
  const claim = newClaim(id, fromRevision, change, extra);
  try {
    await c.claims.insertOne(claim);
    return claim;
  } catch (error) {
    if (isDuplicateKeyError(error)) return undefined;
    throw error;
  }
}

/** The claim's fields a stub or an abandoned claim no longer has. */
const STRIPPED = { state: '', events: '', unset: '', withdrawn: '' } as const;

/**
 * The second write: `claim` onto its document, by `_id`, then settled (settleClaim); the caller
 * holds the document's lock. Reads the document first: when a roll-forward applied the claim
 * already, nothing is written; when the document is behind the revision claimed from (set back by
 * a late write), it is rolled forward through this claim. Returns the entries added to the outbox;
 * undefined, nothing written, when the document is past the claim and no roll-forward applied it:
 * the claim's revision was made by another claim, since pruned by an older version (a conflict).
 */
export async function writeClaim(c: ClaimedCollections, id: string, claim: ChangeClaim): Promise<OutboxEntry[] | undefined> {
  const read = await readDocument(c, id);
  if (read && read.revision >= claim.revision && !(await appliedByRollForward(c, claim))) {
    await c.claims.updateOne({ _id: claim._id }, { $set: { abandoned: true, settledAt: new Date() }, $unset: STRIPPED });
    return undefined;
  }
  let added: OutboxEntry[] = [];
  if (read && read.revision === claim.revision - 1) added = await applyClaim(c, id, claim, read.outbox ?? []);
  else if (read && read.revision < claim.revision - 1) added = (await rollForward(c, id, read)).added;
  return [...added, ...(await settleClaim(c, id, claim))];
}

/** True when a roll-forward took `claim` (it marks the claim before applying it). */
async function appliedByRollForward(c: ClaimedCollections, claim: ChangeClaim): Promise<boolean> {
  const stored = await c.claims.findOne({ _id: claim._id }, { projection: { appliedAt: 1, applyingAt: 1 } });
  return stored?.appliedAt !== undefined || stored?.applyingAt !== undefined;
}

/**
 * What a writer does once its document write returned: marks its claim settled (no write of it can
 * land late any more: the claims sweep leaves it alone) and checks for the next claim. One there
 * was made by a writer that saw this claim applied, maybe by a roll-forward before this write
 * landed: the write may have set the document back, so it is rolled forward. The caller holds the
 * document's lock. Returns the entries the roll-forward added.
 */
export async function settleClaim(c: ClaimedCollections, id: string, claim: ChangeClaim): Promise<OutboxEntry[]> {
  const [, next] = await Promise.all([
    c.claims.updateOne({ _id: claim._id }, { $set: { settledAt: new Date() } }),
    c.claims.findOne({ _id: claimId(id, claim.revision + 1) }, { projection: { _id: 1 } }),
  ]);
  return next ? (await rollForward(c, id)).added : [];
}

/** Both writes of a change, the caller holding the document's lock; undefined when the claim collided or was refused. */
export async function claimAndWrite(c: ClaimedCollections, id: string, fromRevision: number, change: NewChange, options: { extra?: Document } = {}): Promise<OutboxEntry[] | undefined> {
  const claim = await claimChange(c, id, fromRevision, change, options.extra);
  return claim && writeClaim(c, id, claim);
}

/**
 * Brings document `id` up to its newest claim; the caller holds the document's lock. Returns the
 * document as it now is (undefined when there is none) and the entries added to its outbox.
 */
export async function rollForward(c: ClaimedCollections, id: string, read?: StoredDocument): Promise<{ document: StoredDocument | undefined; added: OutboxEntry[] }> {
  let document = read ?? (await c.documents.findOne({ _id: id } as Filter<StoredDocument>)) ?? undefined;
  const added: OutboxEntry[] = [];
  // Bounded: another replica's late writes could keep putting an older state back; a later read goes on.
  for (let step = 0; document && step < MAX_ROLL_FORWARD_STEPS; step++) {
    const claim = await c.claims.findOne({ _id: claimId(id, document.revision + 1) });
    if (!claim) break;
    if (claim.pruned || claim.abandoned) {
      // Never by construction (a stub is two revisions below the document when made, an abandoned
      // claim at or below it): a write landed far behind. Applying it would bring back an old
      // state; skipping it would leave a gap. Refused, loudly, for an operator to look at.
      throw new Error(`${id} is at revision ${document.revision}, behind its claim ${claim._id}, which is ${claim.pruned ? 'pruned' : 'abandoned'}: it cannot be rolled forward`);
    }
    // Before applying: a writer of the claim that finds the document past it knows it was applied.
    if (claim.appliedAt === undefined && claim.settledAt === undefined && claim.applyingAt === undefined) {
      await c.claims.updateOne({ _id: claim._id }, { $set: { applyingAt: new Date() } });
    }
    added.push(...(await applyClaim(c, id, claim, document.outbox ?? [])));
    if (claim.appliedAt === undefined) await c.claims.updateOne({ _id: claim._id }, { $set: { appliedAt: new Date() } });
    document = (await c.documents.findOne({ _id: id } as Filter<StoredDocument>)) ?? undefined;
  }
  return { document, added };
}

/** True when a claim newer than `revision` exists: the document read at `revision` is behind. */
async function behind(c: ClaimedCollections, id: string, revision: number): Promise<boolean> {
  return (await c.claims.findOne({ _id: claimId(id, revision + 1) }, { projection: { _id: 1 } })) !== null;
}

export interface ClaimedChangesOptions<D extends Document, C extends Document> {
  documents: Collection<D>;
  /** Where changes are claimed; its documents hold ChangeClaim's fields (and any `extra`). */
  claims: Collection<C>;
  /** The service's locks for the documents, shared with its relay. */
  locks: DocumentLocks;
  /** The relay that publishes the documents' outbox (read at each write: stores attach it late). */
  publisher: () => OutboxPublisher;
  /**
   * For claims that are not history: the claims sweep prunes them to stubs (see pruneBelow).
   * `true`: after CLAIM_PRUNE_AFTER_MS.
   */
  prune?: true | { afterMs: number };
}

/**
 * How old a claim's successor must be before the claim is pruned to a stub. A storage policy, not
 * a safety bound: a stub still refuses every stale writer, whatever the age of its read. Long
 * enough that a document set back by a late write (rare) almost surely still finds the whole
 * claims it rolls forward through; a roll-forward that meets a stub refuses loudly.
 */
export const CLAIM_PRUNE_AFTER_MS = 10 * 60_000;

/** Each collection's ClaimedChanges, so the service runtime finds them beside the relay it builds. */
const byDocuments = new WeakMap<object, ClaimedChanges<Document, Document>>();

/** One claimed entity collection: changes by claim, reads that roll the document forward. */
export class ClaimedChanges<D extends Document = Document, C extends Document = Document> {
  private readonly c: ClaimedCollections;

  constructor(private readonly options: ClaimedChangesOptions<D, C>) {
    this.c = { documents: options.documents as unknown as Collection<StoredDocument>, claims: options.claims as unknown as Collection<ChangeClaim & Document> };
    byDocuments.set(options.documents, this as unknown as ClaimedChanges<Document, Document>);
  }

  /** The ClaimedChanges built for `documents` (the same collection object), if any. */
  static of(documents: object): ClaimedChanges<Document, Document> | undefined {
    return byDocuments.get(documents);
  }

  get collections(): ClaimedCollections {
    return this.c;
  }

  /** How old a claim's successor must be for the claim to be pruned; undefined: claims are history, kept. */
  get pruneAfterMs(): number | undefined {
    const prune = this.options.prune;
    return prune === undefined ? undefined : prune === true ? CLAIM_PRUNE_AFTER_MS : prune.afterMs;
  }

  /**
   * Writes the change of document `id` from `fromRevision`, with its events; false when another
   * writer claimed the next revision first, or the document is past it (the document is then
   * brought up to date: read it again).
   * `extra`: fields kept on the claim beside the change (intake's revision record).
   */
  async commit(id: string, fromRevision: number, change: NewChange, extra?: Document): Promise<boolean> {
    const added = await this.options.locks.run([id], () => claimAndWrite(this.c, id, fromRevision, change, extra ? { extra } : {}));
    if (added === undefined) {
      await this.rollForward(id);
      return false;
    }
    this.options.publisher().written(id, added);
    return true;
  }

  /**
   * Document `id` with `projection` (which must not leave out `revision`), brought up to its newest
   * claim first when it is behind one: one more `_id` read when it is not.
   */
  async read<T extends Document>(id: string, projection?: Document): Promise<T | undefined> {
    const find = () => this.c.documents.findOne({ _id: id } as Filter<StoredDocument>, projection ? { projection } : {});
    const doc = await find();
    if (!doc) return undefined;
    if (!(await behind(this.c, id, doc.revision))) return doc as unknown as T;
    await this.rollForward(id);
    return ((await find()) ?? undefined) as T | undefined;
  }

  /** Brings document `id` up to its newest claim and publishes what that added. */
  async rollForward(id: string): Promise<void> {
    const { added } = await this.options.locks.run([id], () => rollForward(this.c, id));
    if (added.length) this.options.publisher().written(id, added);
  }

  /**
   * Prunes the claims of document `id` below `newest` (a claim older than pruneAfterMs) that are
   * at least two revisions below the document's to stubs; returns how many. Only with `prune`.
   *
   * A stub keeps its `_id`: a writer that read the revision before it still collides, however old
   * its read, so no age argument is needed for safety. What goes is the claim's state and events,
   * whose only other use is a roll-forward after a late write, which needs the newest claims (kept).
   *
   * First down, by `_id` reads, to the first claim already a stub (or never made: revision 1 is
   * created by insert), then up, stubbing: a pass stopped half-way (a crash, `signal`) leaves the
   * stubs contiguous from the bottom, and the next pass stops at them and finishes above them.
   */
  async pruneBelow(id: string, newest: number, signal?: AbortSignal): Promise<number> {
    if (this.pruneAfterMs === undefined) return 0;
    const doc = await this.c.documents.findOne({ _id: id } as Filter<StoredDocument>, { projection: { revision: 1 } });
    if (!doc) return 0;
    const top = Math.min(newest - 1, doc.revision - 2);
    let bottom = top;
    for (; bottom >= 1; bottom--) {
      const claim = await this.c.claims.findOne({ _id: claimId(id, bottom) }, { projection: { pruned: 1 } });
      if (!claim || claim.pruned) break;
    }
    let pruned = 0;
    for (let revision = bottom + 1; revision <= top && !signal?.aborted; revision++) {
      await this.c.claims.updateOne({ _id: claimId(id, revision) }, { $set: { pruned: true }, $unset: STRIPPED });
      pruned++;
    }
    return pruned;
  }
}
