/**
 * An embargo's end date on a durable timer (CLEARINGHOUSE_TIMERS, libs/events timers.ts), as early
 * access ends its grants: scheduled from the clearinghouse's own `embargo.started` and
 * `embargo.extended` events (durable `clearinghouse-embargo-timers`), which leave through the
 * outbox with the write they belong to, so no request path publishes a timer and neither a crash
 * nor a NATS outage between a write and its timer loses it. One timer per flaw: an extension's
 * schedule replaces the pending fire. A fire is only "check now": the embargo is settled from its
 * stored end, and a fire that comes before it (a stale schedule that landed after a newer one) is
 * scheduled again at the stored end.
 */
import { createHash } from 'node:crypto';
import { isSubjectToken } from '@rampart/errors';
import { PoisonMessageError, type ConsumerSpec, type EventHandler, type TimerHandler, type TimerScheduler } from '@rampart/events';
import { isEmbargoActive } from '../domain/coordination';
import { EVENTS_STREAM } from '../events/report-events';
import type { StoredEmbargo } from './embargo-store';
import type { Embargoes } from './embargoes';

export const EMBARGO_END = 'embargo-end';

export const EMBARGO_TIMER_SCHEDULING: ConsumerSpec = {
  stream: EVENTS_STREAM,
  durable: 'clearinghouse-embargo-timers',
  filterSubjects: ['rampart.clearinghouse.embargo.started', 'rampart.clearinghouse.embargo.extended'],
  maxDeliver: 20,
};

export interface EmbargoTimers {
  endDate(e: StoredEmbargo): Promise<void>;
}

/** A timer id is one subject token; a flaw id may hold `.` or `:` (RHSA-2024:1234): those go by their digest. */
export function timerIdOf(flawId: string): string {
  return isSubjectToken(flawId) ? flawId : `sha256-${createHash('sha256').update(flawId).digest('hex').slice(0, 48)}`;
}

export function embargoTimers(timers: TimerScheduler): EmbargoTimers {
  return { endDate: (e) => timers.schedule({ kind: EMBARGO_END, id: timerIdOf(e.flawId) }, e.endsAt.at, { flawId: e.flawId, revision: e.revision }) };
}

function flawIdIn(data: unknown, name: string, what: string): string {
  const id = (data as Record<string, unknown> | null)?.[name];
  if (typeof id !== 'string' || id === '' || id.length > 256) throw new PoisonMessageError(`${what} names no valid ${name}`);
  return id;
}

/** Schedules the end-date timer from the embargo as stored now (redeliveries and reorderings schedule the right time). */
export function embargoTimerSchedulingHandler(embargoes: Embargoes, timers: EmbargoTimers): EventHandler {
  return async (event) => {
    const flawId = flawIdIn(event.data, 'flawId', `event ${event.id}`);
    let e = await embargoes.deps.embargoes.get(flawId);
    // Schedule, then read again: a change meanwhile may have been scheduled before this one landed.
    for (let attempt = 0; e && isEmbargoActive(e, embargoes.now()) && attempt < 5; attempt++) {
      await timers.endDate(e);
      const after = await embargoes.deps.embargoes.get(flawId);
      if (!after || after.endsAt.at.getTime() === e.endsAt.at.getTime()) return;
      e = after;
    }
  };
}

/** The end date came: settles the embargo, or schedules again when its stored end is later (a stale fire). */
export function embargoEndHandler(embargoes: Embargoes, reschedule: (e: StoredEmbargo) => Promise<void>): TimerHandler {
  return async (timer) => {
    const flawId = flawIdIn(timer.payload, 'flawId', `timer ${timer.id}`);
    if (timerIdOf(flawId) !== timer.id) throw new PoisonMessageError(`timer ${timer.id} names flaw ${flawId}`);
    const stored = await embargoes.deps.embargoes.get(flawId);
    if (!stored || stored.ended) return;
    const { after } = await embargoes.settle(flawId, timer.at);
    if (!after.ended) await reschedule(after);
  };
}
