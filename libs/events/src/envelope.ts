/**
 * The CloudEvents 1.0 envelope (structured JSON mode) every Rampart event travels in.
 * Subject `rampart.<area>.<thing>.<verb>`, type the same plus `.v1`, source `/rampart/<area>`,
 * `subject` the entity id, `id` unique (and the Nats-Msg-Id). Data carries the entity's revision.
 */
import { randomUUID } from 'node:crypto';
import { PoisonMessageError } from './errors';

export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

/** Every event's data names the revision of the entity it describes. */
export interface Revisioned {
  revision: number;
}

export interface EventName {
  area: string;
  thing: string;
  verb: string;
}

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

export function natsSubject(name: EventName): string {
  return `rampart.${name.area}.${name.thing}.${name.verb}`;
}

export function eventType(name: EventName): string {
  return `${natsSubject(name)}.v1`;
}

export function createEvent<T extends Revisioned>(name: EventName, entityId: string, data: T, now: Date = new Date()): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/rampart/${name.area}`,
    type: eventType(name),
    subject: entityId,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data,
  };
}

const REQUIRED = ['id', 'source', 'type', 'subject', 'time'] as const;

/** Parses and checks an envelope off the wire; anything malformed is poison. */
export function parseEvent(bytes: Uint8Array): CloudEvent<unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (cause) {
    throw new PoisonMessageError('body is not JSON', { cause });
  }
  if (!parsed || typeof parsed !== 'object') throw new PoisonMessageError('body is not a CloudEvent object');
  const event = parsed as Record<string, unknown>;
  if (event.specversion !== '1.0') throw new PoisonMessageError(`specversion must be 1.0, got ${JSON.stringify(event.specversion)}`);
  for (const attribute of REQUIRED) {
    if (typeof event[attribute] !== 'string' || event[attribute] === '') throw new PoisonMessageError(`CloudEvent attribute ${attribute} is missing`);
  }
  if (!('data' in event)) throw new PoisonMessageError('CloudEvent has no data');
  return event as unknown as CloudEvent<unknown>;
}

/** The revision in an event's data, or poison when absent. */
export function revisionOf(event: CloudEvent<unknown>): number {
  const revision = (event.data as Partial<Revisioned> | null)?.revision;
  if (typeof revision !== 'number' || !Number.isInteger(revision) || revision < 1) {
    throw new PoisonMessageError(`event ${event.id} data has no valid revision`);
  }
  return revision;
}
