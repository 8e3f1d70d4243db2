/**
 * Step deadlines on durable timers (ENFORCEMENT_TIMERS, libs/events timers.ts). Every referral event
 * schedules the referral's timer at its current step's deadline (durable `enforcement-deadlines`, from
 * enforcement's own events, which leave through the outbox with their write: no request publishes a
 * timer); a newer schedule replaces the pending one. A fire is "check now": if the referral still
 * waits at that step past its deadline, one `referral.overdue` alert is raised (a change of the
 * referral, claimed per revision like every other); else nothing, or the timer is set again for a
 * step that began since.
 */
import { PoisonMessageError, type ConsumerSpec, type EventHandler, type TimerHandler, type TimerScheduler } from '@rampart/events';
import { markOverdue, stepDeadline, type StepDeadlines } from '../domain';
import type { EnforcementStore } from '../store';
import { EVENTS_STREAM, referralEvent } from './referral-events';

export const STEP_DEADLINE = 'referral-step';

export const DEADLINE_SCHEDULING: ConsumerSpec = {
  stream: EVENTS_STREAM,
  durable: 'enforcement-deadlines',
  filterSubjects: ['rampart.enforcement.referral.>'],
  maxDeliver: 20,
};

const referralIdIn = (data: unknown, what: string): string => {
  const id = (data as Record<string, unknown> | null)?.referralId;
  if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new PoisonMessageError(`${what} names no referral`);
  return id;
};

async function schedule(store: EnforcementStore, timers: TimerScheduler, deadlines: StepDeadlines, id: string): Promise<void> {
  const r = await store.get(id);
  const due = r && stepDeadline(r, deadlines);
  if (r && due && r.overdueAlerted !== r.statusSince.toISOString()) await timers.schedule({ kind: STEP_DEADLINE, id }, due, { referralId: id });
}

export function deadlineSchedulingHandler(store: EnforcementStore, timers: TimerScheduler, deadlines: StepDeadlines): EventHandler {
  return async (event) => {
    if (event.type === 'rampart.enforcement.referral.overdue.v1') return; // its own alert: nothing new to schedule
    await schedule(store, timers, deadlines, referralIdIn(event.data, `event ${event.id}`));
  };
}

export function deadlineHandler(store: EnforcementStore, timers: TimerScheduler, deadlines: StepDeadlines): TimerHandler {
  return async (timer) => {
    const id = referralIdIn(timer.payload, `timer ${timer.id}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const r = await store.get(id);
      if (!r) return;
      const next = markOverdue(r, timer.at, deadlines);
      if (!next) {
        // Not overdue at this fire's time: a later step's deadline, scheduled again (a stale fire).
        const due = stepDeadline(r, deadlines);
        if (due && due > timer.at && r.overdueAlerted !== r.statusSince.toISOString()) await timers.schedule({ kind: STEP_DEADLINE, id }, due, { referralId: id });
        return;
      }
      if (await store.apply(next, r.revision, [referralEvent(next, 'overdue', 'rampart (step deadline)', timer.at)])) return;
    }
    throw new Error(`referral ${id} kept changing while its deadline alert was raised`);
  };
}
