/**
 * Transactional outbox without multi-document transactions: an entity's pending events live in its
 * own document, written in the same single-document write as the state change. The writer hands
 * what it wrote to the relay (`OutboxPublisher.written`), which publishes at once and removes
 * exactly those entries; the relay's sweep catches up on whatever a crash or an outage left behind,
 * finding pending entries by their `createdAt` (OUTBOX_PENDING_INDEX).
 */
import type { IndexDescription, UpdateFilter } from 'mongodb';
import { currentTraceparent } from '@rampart/telemetry';
import type { CloudEvent } from './envelope';

export interface OutboxEntry {
  /** The event id, also its Nats-Msg-Id. */
  id: string;
  subject: string;
  /** The serialized CloudEvent, published byte for byte (stored as a string so its keys are free). */
  payload: string;
  /** The trace context of the request that made the event, so the publish span joins its trace. */
  traceparent?: string;
  tracestate?: string;
  createdAt: Date;
}

/** An outbox document's id: the entity's id (a policy version is a number). */
export type OutboxDocumentId = string | number;

/** Fields every document with an outbox has. */
export interface OutboxDocument {
  _id: OutboxDocumentId;
  revision: number;
  outbox: OutboxEntry[];
  /**
   * Written by earlier versions (the oldest pending entry's time) and read by nothing now: after the
   * relay removes entries by `_id` it could only be kept right by a second, conditional write.
   */
  outboxSince?: Date;
}

/**
 * Every outbox collection has this index. On MongoDB it is multikey: a document is in it only while
 * it has entries, so the sweep reads O(pending), never the collection. FerretDB v1 ignores it
 * (it scans), which is why the sweep runs rarely and the request path never queries by it.
 */
export const OUTBOX_PENDING_INDEX: IndexDescription & { name: string } = { key: { 'outbox.createdAt': 1 }, name: 'outbox_pending' };

/** What a store knows of the write it reports. */
export interface WrittenOptions {
  /**
   * The write created the document, so `entries` are all it holds: the relay needs no read to
   * know that nothing older is pending there. Leave it unset for a change to an existing document.
   */
  created?: boolean;
}

/**
 * Told by a store, right after a write commits, which entries that write added to which document.
 * It must not throw or wait: the request that wrote does not wait for its events to go out.
 */
export interface OutboxPublisher {
  written(documentId: OutboxDocumentId, entries: readonly OutboxEntry[], options?: WrittenOptions): void;
}

/** Before a relay is attached (tools, tests of a store alone): entries wait for a relay's sweep. */
export const SWEEP_ONLY: OutboxPublisher = { written: () => undefined };

export function outboxEntry(subject: string, event: CloudEvent, now: Date = new Date()): OutboxEntry {
  return { id: event.id, subject, payload: JSON.stringify(event), ...currentTraceparent(), createdAt: now };
}

/** The outbox field of a new document. */
export function initialOutbox(entries: OutboxEntry[]): Pick<OutboxDocument, 'outbox'> {
  return { outbox: entries };
}

/**
 * Adds `entries` to a state-changing update, as a `$push`: entries the relay is removing meanwhile
 * (`$pullAll`) are neither re-added nor lost.
 */
export function withOutbox<T extends OutboxDocument>(update: UpdateFilter<T>, entries: OutboxEntry[]): UpdateFilter<T> {
  if (entries.length === 0) return update;
  const merged = { ...update } as Record<string, Record<string, unknown>>;
  merged.$push = { ...(merged.$push ?? {}), outbox: { $each: entries } };
  return merged;
}
