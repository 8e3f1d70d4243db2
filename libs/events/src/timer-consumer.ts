/**
 * The consumer side of durable timers: one durable consumer per area (`<area>-timers`) on the
 * area's timer stream, filtered to the kinds it has handlers for. It is an EventConsumer, so a fire
 * goes to one replica at a time, is acked after its handler, redelivered with backoff when the
 * handler fails and dead-lettered (and replayable) like any event.
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@rampart/telemetry';
import { EventConsumer, type Delivery } from './consumer';
import type { CloudEvent } from './envelope';
import { PoisonMessageError } from './errors';
import { isTimerToken, timerEventType, timerStreamName, timerSubjects, type TimerPayload } from './timers';

/** A timer that came due. */
export interface FiredTimer<P extends TimerPayload = TimerPayload> {
  kind: string;
  id: string;
  /** When it was due. Decide "is it time" from this, not from the local clock, which may lag the server's. */
  at: Date;
  /** When it was scheduled. */
  scheduledAt: Date;
  payload: P;
}

/** Must be idempotent: fires are delivered at least once, and a stale one may follow a reschedule. */
export type TimerHandler = (timer: FiredTimer, delivery: Delivery) => Promise<void>;

export interface TimerConsumerOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  area: string;
  /** One handler per timer kind. */
  handlers: Readonly<Record<string, TimerHandler>>;
  logger: Logger;
  /** Default `<area>-timers`. */
  durable?: string;
  maxDeliver?: number;
  ackWaitMs?: number;
}

/** The consumer of an area's timers; call ensure/start/stop as with any EventConsumer. */
export function timerConsumer(options: TimerConsumerOptions): EventConsumer {
  const { area, handlers } = options;
  const subjects = timerSubjects(area);
  const kinds = Object.keys(handlers);
  if (kinds.length === 0) throw new RangeError('a timer consumer needs at least one handler');
  for (const kind of kinds) {
    if (!isTimerToken(kind)) throw new RangeError(`timer kind ${JSON.stringify(kind)} is not a subject token`);
  }
  return new EventConsumer({
    nc: options.nc,
    js: options.js,
    jsm: options.jsm,
    area,
    logger: options.logger,
    spec: {
      stream: timerStreamName(area),
      durable: options.durable ?? `${area}-timers`,
      filterSubjects: kinds.map(subjects.fired),
      ...(options.maxDeliver ? { maxDeliver: options.maxDeliver } : {}),
      ...(options.ackWaitMs ? { ackWaitMs: options.ackWaitMs } : {}),
    },
    handler: async (event, delivery) => {
      const timer = parseFiredTimer(event, area);
      if (delivery.subject !== subjects.fired(timer.kind)) throw new PoisonMessageError(`timer ${timer.kind}.${timer.id} fired on ${delivery.subject}`);
      const handler = handlers[timer.kind];
      if (!handler) throw new PoisonMessageError(`no handler for timer kind ${timer.kind}`);
      await handler(timer, delivery);
    },
  });
}

/** Reads a fire off the wire; anything else is poison. */
export function parseFiredTimer(event: CloudEvent<unknown>, area: string): FiredTimer {
  if (event.type !== timerEventType(area)) throw new PoisonMessageError(`event ${event.id} is a ${event.type}, not a timer of ${area}`);
  const data = event.data as Record<string, unknown> | null;
  const text = (name: string) => {
    const value = data?.[name];
    if (typeof value !== 'string' || !isTimerToken(value)) throw new PoisonMessageError(`timer event ${event.id} has no valid ${name}`);
    return value;
  };
  const kind = text('kind');
  const id = text('id');
  const at = new Date(typeof data?.at === 'string' ? data.at : NaN);
  const scheduledAt = new Date(event.time);
  if (!Number.isFinite(at.getTime()) || !Number.isFinite(scheduledAt.getTime())) throw new PoisonMessageError(`timer event ${event.id} has no valid time`);
  const payload = data?.payload;
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new PoisonMessageError(`timer event ${event.id} has no payload object`);
  return { kind, id, at, scheduledAt, payload: payload as TimerPayload };
}
