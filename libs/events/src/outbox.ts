/**
 * Transactional outbox without multi-document transactions: an entity's pending events live in its
 * own document, written in the same single-document write as the state change. `outboxSince` is
 * the creation time of the oldest pending event (absent when none): it is what the relay polls on
 * (indexed) and what the outbox-age metric reads.
 */
import type { UpdateFilter } from 'mongodb';
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

/** Fields every document with an outbox has. */
export interface OutboxDocument {
  _id: string;
  revision: number;
  outbox: OutboxEntry[];
  outboxSince?: Date;
}

export function outboxEntry(subject: string, event: CloudEvent, now: Date = new Date()): OutboxEntry {
  return { id: event.id, subject, payload: JSON.stringify(event), ...currentTraceparent(), createdAt: now };
}

/** The outbox fields of a new document. */
export function initialOutbox(entries: OutboxEntry[]): Pick<OutboxDocument, 'outbox' | 'outboxSince'> {
  return entries.length === 0 ? { outbox: [] } : { outbox: entries, outboxSince: entries[0]!.createdAt };
}

/**
 * Adds `entries` to a state-changing update. The caller's update must also bump `revision` and
 * filter on the revision it read; that is what lets the relay clear the outbox without ever
 * overwriting a concurrent change.
 */
export function withOutbox<T extends OutboxDocument>(update: UpdateFilter<T>, entries: OutboxEntry[]): UpdateFilter<T> {
  if (entries.length === 0) return update;
  const merged = { ...update } as Record<string, Record<string, unknown>>;
  merged.$push = { ...(merged.$push ?? {}), outbox: { $each: entries } };
  merged.$min = { ...(merged.$min ?? {}), outboxSince: entries[0]!.createdAt };
  return merged as UpdateFilter<T>;
}
