/**
 * Schedules early access's timers from its own events (durable `access-timer-scheduling`), as
 * designation re-determines cases from its own `policy.changed`: a program opened or its window
 * moved schedules the public-release timer, a grant issued its expiry. The events leave through
 * the outbox with the write they belong to, so the timer follows every stored write, however the
 * request that made it ended. Each delivery schedules from the stored record as it is now, so
 * redeliveries and events out of order schedule the right time (a newer schedule replaces the
 * pending one); a failure is redelivered, then dead-lettered and replayable like any event.
 *
 * Every replica runs this consumer, so two deliveries about one program can race: a replica that
 * read an older revision may publish its schedule after another published the newer one, and the
 * timer keeps only the latest. So after scheduling, the program is read again and, if its public
 * release moved meanwhile, scheduled again: the last schedule published was checked against a state
 * read after it. (A stale fire that still slips through is rescheduled by the timer's handler.)
 */
import { PoisonMessageError, type ConsumerSpec, type EventHandler } from '@rampart/events';
import type { EarlyAccessStore } from '../store';
import type { AccessTimers } from './timers';

export const TIMER_SCHEDULING_CONSUMER: ConsumerSpec = {
  stream: 'ACCESS_EVENTS',
  durable: 'access-timer-scheduling',
  filterSubjects: ['rampart.access.program.opened', 'rampart.access.window.changed', 'rampart.access.grant.issued'],
  maxDeliver: 20,
};

/** Schedules of one delivery while the program keeps moving; its later events schedule it again anyway. */
const RESCHEDULES = 5;

const idIn = (data: unknown, name: string, eventId: string): string => {
  const id = (data as Record<string, unknown> | null)?.[name];
  if (typeof id !== 'string' || id === '') throw new PoisonMessageError(`event ${eventId} names no ${name}`);
  return id;
};

export function timerSchedulingHandler(store: EarlyAccessStore, timers: AccessTimers): EventHandler {
  return async (event) => {
    switch (event.type) {
      case 'rampart.access.program.opened.v1':
      case 'rampart.access.window.changed.v1': {
        const id = idIn(event.data, 'programId', event.id);
        // A closed program needs no closing; its pending fire, if any, finds nothing to do.
        let p = await store.getProgram(id);
        for (let attempt = 0; p && p.status === 'open' && attempt < RESCHEDULES; attempt++) {
          await timers.publicRelease(p);
          const after = await store.getProgram(id);
          if (!after || after.status !== 'open' || after.window.publicReleaseAt.getTime() === p.window.publicReleaseAt.getTime()) return;
          p = after;
        }
        return;
      }
      case 'rampart.access.grant.issued.v1': {
        const g = await store.getGrant(idIn(event.data, 'grantId', event.id));
        if (g && g.status === 'active') await timers.grantExpiry(g);
        return;
      }
      default:
        throw new PoisonMessageError(`unexpected event type ${event.type}`);
    }
  };
}
