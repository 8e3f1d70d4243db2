/**
 * Applies an event's effect to one document exactly once: the effect and the event id land in the
 * same single-document write, filtered so that an id already recorded, or a revision not newer
 * than the one applied, matches nothing. A redelivery therefore changes nothing.
 */
import type { Collection, Document, Filter, UpdateFilter } from 'mongodb';
import { isDuplicateKeyError } from '@rampart/store';

/** How many recent event ids a document remembers; older duplicates are caught by the revision. */
export const APPLIED_EVENT_IDS_KEPT = 64;

export interface AppliedEvents {
  appliedEventIds?: string[];
  /** The newest revision of the source entity applied to this document. */
  sourceRevision?: number;
}

export type ApplyOutcome = 'applied' | 'skipped';

export interface ApplyOnceOptions<T extends Document> {
  collection: Collection<T>;
  id: T['_id'];
  eventId: string;
  /** The source entity's revision in the event; older or equal ones are skipped as stale. */
  revision: number;
  update: UpdateFilter<T>;
  /** Create the document if absent (the first event about an entity). */
  upsert?: boolean;
}

export async function applyOnce<T extends Document & AppliedEvents>(options: ApplyOnceOptions<T>): Promise<ApplyOutcome> {
  const { collection, id, eventId, revision, update, upsert = false } = options;
  const filter = {
    _id: id,
    appliedEventIds: { $ne: eventId },
    $or: [{ sourceRevision: { $lt: revision } }, { sourceRevision: { $exists: false } }],
  } as unknown as Filter<T>;
  const merged = { ...update } as Record<string, Record<string, unknown>>;
  merged.$set = { ...(merged.$set ?? {}), sourceRevision: revision };
  merged.$push = { ...(merged.$push ?? {}), appliedEventIds: { $each: [eventId], $slice: -APPLIED_EVENT_IDS_KEPT } };
  try {
    const result = await collection.updateOne(filter, merged as UpdateFilter<T>, { upsert });
    return result.modifiedCount + result.upsertedCount > 0 ? 'applied' : 'skipped';
  } catch (error) {
    // Upsert raced an existing document the filter excluded: already applied, or stale.
    if (upsert && isDuplicateKeyError(error)) return 'skipped';
    throw error;
  }
}
