/**
 * Early access's durable timers (`ACCESS_TIMERS`, see libs/events timers.ts): a grant's end
 * (`grant-expiry`, at its not-after time) and a program's public release (`public-release`). Each
 * is scheduled before the write it belongs to, so nothing is stored without its timer; a timer
 * whose write then failed, or that a later change made stale, finds nothing due and changes nothing.
 * A fire is only "check now": the handler decides from the stored records.
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
    // One timer per program, rescheduled whenever the window moves (the newest replaces the pending one).
    publicRelease: (p) => timers.schedule({ kind: PUBLIC_RELEASE, id: p.id }, p.window.publicReleaseAt, { programId: p.id }),
  };
}

/** For tests and tools that run without timers. */
export const NO_TIMERS: AccessTimers = { grantExpiry: () => Promise.resolve(), publicRelease: () => Promise.resolve() };

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

export function publicReleaseHandler(store: EarlyAccessStore, now: () => Date = () => new Date()): TimerHandler {
  return async (timer) => {
    const programId = idOf(timer.payload, 'programId', timer.id);
    await closeProgram(store, programId, (p) => closeIfPublicReleased(p, dueAt(now(), timer.at)), now);
  };
}
