/**
 * Durable timers on JetStream message schedules (nats-server 2.12+; cancelling needs 2.14+).
 *
 * A timer is one message on its own subject, `rampart.<area>.timer.scheduled.<kind>.<id>`, with
 * `Nats-Schedule: @at <time>`, in the area's `<AREA>_TIMERS` stream (file storage, replicated like
 * any stream). At that time the server publishes the message's body, headers included, once into
 * the same stream on `rampart.<area>.timer.fired.<kind>` and removes the schedule. Hence:
 * - nothing ticks in a service and nothing polls a database: the server's timer wheel fires;
 * - the server rolls up a timer's subject on every schedule, so scheduling again replaces the
 *   pending fire (at most one per timer), and cancelling purges it;
 * - a fire is a stored message, handed to one replica by a durable consumer (timer-consumer.ts);
 * - a restart of a service or of nats-server loses nothing, and a time already past fires at once
 *   (the server's scheduling floor is 250 ms).
 * Fires are at least once, and one can race a reschedule or cancel: handlers are idempotent and
 * treat a fire as "check now", deciding from their own records, never from the fire alone.
 */
import { randomUUID } from 'node:crypto';
import { context } from '@opentelemetry/api';
import { JetStreamApiError, type JetStreamClient, type JetStreamPublishOptions } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { isSubjectToken, SUBJECT_TOKEN_RULE, UnavailableError } from '@rampart/errors';
import { injectTraceContext, withPublishSpan } from '@rampart/telemetry';
import { CLOUDEVENTS_CONTENT_TYPE, type CloudEvent } from './envelope';
import type { StreamSpec } from './streams';

/** Which timer: `kind` names what it is for (one handler each), `id` the thing it is about. */
export interface TimerKey {
  kind: string;
  id: string;
}

/** Ids only: a fire is a prompt to look at one's own records, not a carrier of state. */
export type TimerPayload = Readonly<Record<string, string | number | boolean>>;

/** The body of a schedule and of its fire (a CloudEvent's data). */
export interface TimerData {
  kind: string;
  id: string;
  /** When it is due (ISO 8601). */
  at: string;
  payload: TimerPayload;
}

export const MAX_TIMER_PAYLOAD_BYTES = 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Kinds, ids and areas are single NATS subject tokens, by the one rule every subject builder uses. */
export function isTimerToken(value: string): boolean {
  return isSubjectToken(value);
}

function assertToken(what: string, value: string): void {
  if (!isSubjectToken(value)) {
    throw new RangeError(`timer ${what} ${JSON.stringify(String(value).slice(0, 80))} is not a subject token (${SUBJECT_TOKEN_RULE})`);
  }
}

export function assertTimerKey(key: TimerKey): void {
  assertToken('kind', key.kind);
  assertToken('id', key.id);
}

/** The subjects of an area's timers. */
export function timerSubjects(area: string) {
  assertToken('area', area);
  const prefix = `rampart.${area}.timer`;
  return {
    /** Everything in the area's timer stream. */
    all: `${prefix}.>`,
    /** Holds one timer's schedule. */
    scheduled: (key: TimerKey) => `${prefix}.scheduled.${key.kind}.${key.id}`,
    /** Where every timer of a kind fires (one subject per kind, so consumers filter by kind). */
    fired: (kind: string) => `${prefix}.fired.${kind}`,
    /** Cancellation markers (they purge the schedule, then expire). */
    cancelled: (kind: string) => `${prefix}.cancelled.${kind}`,
  };
}

/** The CloudEvents type of every schedule and fire of an area. */
export function timerEventType(area: string): string {
  return `rampart.${area}.timer.fired.v1`;
}

export function timerStreamName(area: string): string {
  return `${area.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_TIMERS`;
}

/**
 * The area's timer stream, `<AREA>_TIMERS` on `rampart.<area>.timer.>`. No age limit: a pending
 * timer may be due in years. Fires and cancellation markers carry their own TTL instead.
 */
export function timerStream(area: string, replicas = 1): StreamSpec {
  return {
    name: timerStreamName(area),
    subjects: [timerSubjects(area).all],
    maxAgeMs: 0,
    duplicateWindowMs: 2 * 60 * 1000,
    replicas,
    allowMsgSchedules: true,
    allowMsgTtl: true,
  };
}

export interface TimerSchedulerOptions {
  js: JetStreamClient;
  area: string;
  /** How long a fire waits in the stream for its consumer (default 30 days, like events). */
  firedRetentionMs?: number;
  publishTimeoutMs?: number;
}

export class TimerScheduler {
  private readonly subjects: ReturnType<typeof timerSubjects>;
  private readonly stream: string;
  private readonly firedTtl: string;
  private readonly timeout: number;

  constructor(private readonly options: TimerSchedulerOptions) {
    this.subjects = timerSubjects(options.area);
    this.stream = timerStreamName(options.area);
    this.firedTtl = `${Math.max(1, Math.ceil((options.firedRetentionMs ?? 30 * DAY_MS) / 1000))}s`;
    this.timeout = options.publishTimeoutMs ?? 5_000;
  }

  /**
   * Fires `key` at `at` (at once if that is past), replacing any fire of `key` still pending. The
   * active trace context travels with it: the fire's CONSUMER span is a child of this one.
   */
  async schedule(key: TimerKey, at: Date, payload: TimerPayload = {}): Promise<void> {
    assertTimerKey(key);
    if (!(at instanceof Date) || !Number.isFinite(at.getTime()) || at.getUTCFullYear() < 0 || at.getUTCFullYear() > 9999) {
      throw new RangeError(`timer ${key.kind}.${key.id}: the time must be a valid date between years 0 and 9999`);
    }
    assertPayload(key, payload);
    const { area } = this.options;
    const data: TimerData = { kind: key.kind, id: key.id, at: at.toISOString(), payload };
    const event: CloudEvent<TimerData> = {
      specversion: '1.0',
      id: randomUUID(),
      source: `/rampart/${area}`,
      type: timerEventType(area),
      subject: key.id,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    };
    const body = Buffer.from(JSON.stringify(event), 'utf8');
    // The span is named by kind, not by timer: span names stay few.
    const spanSubject = `rampart.${area}.timer.scheduled.${key.kind}`;
    await withPublishSpan({ subject: spanSubject, messageId: event.id, bodySize: body.length }, context.active(), async (span) => {
      span.setAttribute('rampart.timer.id', key.id);
      span.setAttribute('rampart.timer.at', data.at);
      const h = natsHeaders();
      h.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
      injectTraceContext(h, context.active());
      await this.publish('schedule', key, this.subjects.scheduled(key), body, {
        headers: h,
        schedule: { specification: at, target: this.subjects.fired(key.kind), ttl: this.firedTtl },
      });
    });
  }

  /** Removes `key`'s pending fire, if any. Cancelling a timer that fired or never existed is a no-op. */
  async cancel(key: TimerKey): Promise<void> {
    assertTimerKey(key);
    const h = natsHeaders();
    injectTraceContext(h, context.active());
    await this.publish('cancel', key, this.subjects.cancelled(key.kind), Buffer.from(JSON.stringify({ kind: key.kind, id: key.id })), {
      headers: h,
      cancelSchedule: { scheduleSubject: this.subjects.scheduled(key) },
      // The marker is only a carrier of the purge; keep it an hour for operators, then drop it.
      ttl: '3600s',
    });
  }

  private async publish(verb: string, key: TimerKey, subject: string, body: Uint8Array, options: Partial<JetStreamPublishOptions>): Promise<void> {
    try {
      await this.options.js.publish(subject, body, { ...options, expect: { streamName: this.stream }, timeout: this.timeout });
    } catch (error) {
      // The server refused it (a misconfigured stream): a defect, not an outage.
      if (error instanceof JetStreamApiError) throw error;
      throw new UnavailableError(`cannot ${verb} timer ${key.kind}.${key.id}: the event bus did not confirm it`, { cause: error });
    }
  }
}

function assertPayload(key: TimerKey, payload: TimerPayload): void {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new RangeError(`timer ${key.kind}.${key.id}: the payload must be an object`);
  for (const [name, value] of Object.entries(payload)) {
    if (!['string', 'number', 'boolean'].includes(typeof value) || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new RangeError(`timer ${key.kind}.${key.id}: payload.${name} must be a string, a finite number or a boolean`);
    }
  }
  const size = Buffer.byteLength(JSON.stringify(payload));
  if (size > MAX_TIMER_PAYLOAD_BYTES) throw new RangeError(`timer ${key.kind}.${key.id}: the payload is ${size} bytes, more than ${MAX_TIMER_PAYLOAD_BYTES} (ids only)`);
}
