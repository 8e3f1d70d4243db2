/**
 * Early access's durable timers (`ACCESS_TIMERS`, see libs/events timers.ts): a grant's end
 * (`grant-expiry`, at its not-after time) and a program's public release (`public-release`). They
 * are scheduled from the service's own events, which leave through the outbox with the write they
 * belong to (timer-scheduling.ts): no request path publishes a timer, so neither a crash nor a NATS
 * outage between a write and its timer loses the timer. A fire is only "check now": the handler
 * decides from the stored records, so a stale fire changes nothing.
 */
import { PoisonMessageError, type TimerHandler, type TimerScheduler } from '@rampart/events';
import { endGrant, type Grant } from '../domain/grants';
import { closeIfPublicReleased, type AccessProgram } from '../domain/program';
import type { EarlyAccessStore } from '../store';
import { grantEvent } from './access-events';
import { closeProgram } from './program-sync';

export const GRANT_EXPIRY = 'grant-expiry';
export const PUBLIC_RELEASE = 'public-release';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AccessTimers {
  grantExpiry(g: Grant): Promise<void>;
  publicRelease(p: AccessProgram): Promise<void>;
}

export function accessTimers(timers: TimerScheduler): AccessTimers {
  return {
    grantExpiry: (g) => timers.schedule({ kind: GRANT_EXPIRY, id: g.id }, g.notAfter, { grantId: g.id }),
    // One timer per program, rescheduled whenever the window moves (the newest replaces the pending
    // one). The revision says which state a schedule (and its fire) came from.
    publicRelease: (p) => timers.schedule({ kind: PUBLIC_RELEASE, id: p.id }, p.window.publicReleaseAt, { programId: p.id, revision: p.revision }),
  };
}

function idOf(payload: Readonly<Record<string, unknown>>, name: string, timerId: string): string {
  const id = payload[name];
  if (typeof id !== 'string' || !UUID.test(id) || id !== timerId) throw new PoisonMessageError(`timer ${timerId} names no valid ${name}`);
  return id;
}

/** The server's clock fired the timer; ours may lag it slightly. */
const dueAt = (now: Date, at: Date) => new Date(Math.max(now.getTime(), at.getTime()));

export function grantExpiryHandler(store: EarlyAccessStore, now: () => Date = () => new Date()): TimerHandler {
  return async (timer) => {
    const grantId = idOf(timer.payload, 'grantId', timer.id);
    for (let attempt = 0; attempt < 5; attempt++) {
      const g = await store.getGrant(grantId);
      const at = dueAt(now(), timer.at);
      if (!g || at.getTime() < g.notAfter.getTime()) return;
      const next = endGrant(g, 'expired', 'early-access', 'its time box ended', at);
      if (!next) return;
      if (await store.saveGrant(next, g.revision, [grantEvent(next, 'expired', at)])) return;
    }
    throw new Error(`grant ${grantId} keeps changing; its expiry will be retried`);
  };
}

/**
 * The public release: closes the program once it is due. A fire before it is due came from a
 * stale schedule (one replica's schedule of an older revision landed after another's of the newer:
 * the timer keeps only the latest), and nothing else would ever close the program: so the timer is
 * scheduled again, at the program's public release as it is now.
 */
export function publicReleaseHandler(store: EarlyAccessStore, reschedule: (p: AccessProgram) => Promise<void>, now: () => Date = () => new Date()): TimerHandler {
  return async (timer) => {
    const programId = idOf(timer.payload, 'programId', timer.id);
    if (await closeProgram(store, programId, (p) => closeIfPublicReleased(p, dueAt(now(), timer.at)), now)) return;
    const p = await store.getProgram(programId);
    if (p && p.status === 'open' && dueAt(now(), timer.at).getTime() < p.window.publicReleaseAt.getTime()) await reschedule(p);
  };
}
