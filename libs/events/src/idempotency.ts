/**
 * The one way a consumer applies an event to the document it keeps about an entity, exactly once.
 *
 * `decide` sees the document as stored (or none) and returns the document's whole next state with
 * the events that change makes. The state, its events and the event id go in one claim of the
 * next revision (an insert of `<entity>:<revision>` into the collection's revisions, see
 * claimed-changes.ts), then onto the document by `_id` alone, so nothing is lost and nothing
 * half-applied, on every engine and across replicas:
 * - a redelivery finds its event id recorded, or a source revision not newer than the one applied,
 *   and changes nothing (after rolling the document forward to a claim a crash left unapplied);
 * - the next state replaces the stored one: a field it leaves out (or sets to undefined) is removed
 *   from the document, not left behind with its old value;
 * - a concurrent writer (another replica) has claimed that revision first, or the document is
 *   already past it (writeClaim): ConcurrentChangeError, which the consumer naks, and the
 *   redelivery decides again from the new state.
 * A new document is created by inserting it, the same compare-and-set on its own `_id`.
 */
import type { Collection, Document } from 'mongodb';
import { isDuplicateKeyError } from '@rampart/store';
import { claimAndWrite, revisionsOf, rollForward, type ClaimedCollections } from './claimed-changes';
import type { DocumentLocks } from './document-locks';
import { initialOutbox, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from './outbox';

/** How many recent event ids a document remembers; older duplicates are caught by the source revision. */
export const APPLIED_EVENT_IDS_KEPT = 64;

/** The bookkeeping of a document that events change, next to its outbox. */
export interface AppliedEvents extends OutboxDocument {
  /** The most recent event ids applied. */
  appliedEventIds: string[];
  /** The newest revision of the source entity applied to this document. */
  sourceRevision: number;
}

const BOOKKEEPING = new Set<string>(['_id', 'appliedEventIds', 'sourceRevision', 'outbox', 'outboxSince']);

/** A document's own fields (its `revision` included), without the bookkeeping this module keeps. */
export type DocumentState<T extends AppliedEvents> = Omit<T, '_id' | 'appliedEventIds' | 'sourceRevision' | 'outbox' | 'outboxSince'>;

export interface AppliedChange<T extends AppliedEvents> {
  /** The whole next state; its revision must be above the stored one. */
  state: DocumentState<T>;
  /** Events to publish, written with the state (the outbox). */
  events: OutboxEntry[];
  /** Pending events of earlier changes to withdraw (say, nothing releasable after a withdrawal). */
  withdrawPending?: (entry: OutboxEntry) => boolean;
}

export interface ApplyOnceOptions<T extends AppliedEvents> {
  collection: Collection<T>;
  /** The service's locks for this collection, shared with its relay and request handlers. */
  locks: DocumentLocks;
  id: string;
  eventId: string;
  /** The source entity's revision in the event; older or equal ones are skipped as stale. */
  sourceRevision: number;
  decide(current: T | undefined): AppliedChange<T> | undefined;
  /** Where the document's revisions are claimed; default `<collection>_revisions` (revisionsOf). */
  revisions?: Collection<Document>;
  /**
   * Told of the events a roll-forward (a claim a crash left unapplied) put back in the outbox;
   * without one they wait for the relay's sweep. The applied change's own events are in the result.
   */
  publisher?: OutboxPublisher;
}

export type ApplyOutcome = 'applied' | 'skipped';

export interface ApplyResult {
  outcome: ApplyOutcome;
  /** The events written with the change (none when skipped). */
  events: OutboxEntry[];
}

/** The document changed between read and write (another replica): retry from the new state. */
export class ConcurrentChangeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConcurrentChangeError';
  }
}

const SKIPPED: ApplyResult = { outcome: 'skipped', events: [] };

export function applyOnce<T extends AppliedEvents>(options: ApplyOnceOptions<T>): Promise<ApplyResult> {
  // Read, decide and write under the document's lock: within a replica, changes to one document
  // queue rather than conflict (and, on FerretDB, whose updates read then write, cannot interleave).
  return options.locks.run([options.id], () => readDecideWrite(options));
}

async function readDecideWrite<T extends AppliedEvents>(options: ApplyOnceOptions<T>): Promise<ApplyResult> {
  const { id, eventId, sourceRevision } = options;
  // Typed loosely here: the state is checked against T where it is built (AppliedChange<T>).
  const collection = options.collection as unknown as ClaimedCollections['documents'];
  const claimed: ClaimedCollections = { documents: collection, claims: (options.revisions ?? revisionsOf(options.collection as unknown as Collection<Document>)) as unknown as ClaimedCollections['claims'] };
  const rolled = await rollForward(claimed, id);
  if (rolled.added.length) options.publisher?.written(id, rolled.added);
  const current = rolled.document as T | undefined;
  if (current && (current.appliedEventIds?.includes(eventId) || (current.sourceRevision ?? 0) >= sourceRevision)) return SKIPPED;
  const change = options.decide(current);
  if (!change) return SKIPPED;
  const { set, unset } = splitState(change.state, current ?? null);
  const revision = set.revision;
  const expected = (current?.revision ?? 0) + 1;
  if (typeof revision !== 'number' || (current ? revision !== expected : revision < 1)) {
    throw new Error(`applying event ${eventId} to ${id}: the next state's revision ${String(revision)} is not ${current ? expected : 'positive'}`);
  }

  if (!current) {
    try {
      await collection.insertOne({ _id: id, ...set, revision, appliedEventIds: [eventId], sourceRevision, ...initialOutbox(change.events) });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new ConcurrentChangeError(`${id} was created concurrently while applying event ${eventId}`, { cause: error });
      throw error;
    }
    return { outcome: 'applied', events: change.events };
  }

  const state = { ...set, appliedEventIds: [...(current.appliedEventIds ?? []), eventId].slice(-APPLIED_EVENT_IDS_KEPT), sourceRevision };
  // After a withdrawal nothing pending of what it withdraws goes out (ids: a claim stores data, not code).
  const withdrawn = change.withdrawPending ? current.outbox.filter((e) => change.withdrawPending!(e)).map((e) => e.id) : [];
  const written = await claimAndWrite(claimed, id, current.revision, { state, unset, events: change.events, withdrawn });
  if (written === undefined) throw new ConcurrentChangeError(`${id} changed while applying event ${eventId}: revision ${expected} was claimed by another writer, or the document is past it`);
  return { outcome: 'applied', events: written };
}

/** The fields to set, and the stored fields the next state no longer has (to remove). */
function splitState(state: Record<string, unknown>, current: Document | null): { set: Record<string, unknown>; unset: string[] } {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (BOOKKEEPING.has(key)) throw new Error(`a document's state may not set ${key}: applyOnce keeps it`);
    if (value !== undefined) set[key] = value;
  }
  const unset = Object.keys(current ?? {}).filter((key) => !BOOKKEEPING.has(key) && !(key in set));
  return { set, unset };
}
