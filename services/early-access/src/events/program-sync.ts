/**
 * Bringing a program in line with what intake says (amended dates move the window; a withdrawal
 * closes it), and closing a program. A closing writes, in the program's one document,
 * `access.program.closed` and a program-wide `access.credential.revoked` on the developer's
 * subject: from that write on, the service refuses every credential of the program and every
 * connected gateway does within a second. The grants themselves are then ended by the
 * grant-endings consumer, from the closed event (complete, idempotent, resumable after a crash).
 */
import type { OutboxEntry } from '@rampart/events';
import { onSubmissionChange, type AccessProgram } from '../domain/program';
import type { EarlyAccessStore } from '../store';
import { programEvent, revocationEvent } from './access-events';
import type { AccessTimers } from './timers';

const ATTEMPTS = 5;

/** The events of a program's closing. */
export function closingEvents(p: AccessProgram, now: Date): OutboxEntry[] {
  return [programEvent(p, ['program', 'closed'], now), revocationEvent({ organization: p.organization, scope: 'program', programId: p.id, revision: p.revision, now })];
}

/** Closes the program when `decide` says so (undefined: nothing to do). Retries a lost race from the new state. */
export async function closeProgram(store: EarlyAccessStore, programId: string, decide: (p: AccessProgram) => AccessProgram | undefined, now: () => Date): Promise<AccessProgram | undefined> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const p = await store.getProgram(programId);
    if (!p) return undefined;
    const next = decide(p);
    if (!next) return undefined;
    if (await store.saveProgram(next, p.revision, closingEvents(next, now()))) return next;
  }
  throw new Error(`program ${programId} keeps changing; closing it will be retried`);
}

/** Applies intake's latest facts to the program of `submissionId`, if it has one. Idempotent. */
export async function syncProgram(store: EarlyAccessStore, timers: AccessTimers, submissionId: string, now: () => Date): Promise<void> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [p, facts] = await Promise.all([store.getProgram(submissionId), store.getSubmission(submissionId)]);
    if (!p || !facts) return;
    const at = now();
    const changed = onSubmissionChange(p, facts, at);
    if (!changed) return;
    const events = changed.change === 'closed' ? closingEvents(changed.next, at) : changed.change === 'window_changed' ? [programEvent(changed.next, ['window', 'changed'], at)] : [];
    if (changed.change === 'window_changed') await timers.publicRelease(changed.next);
    if (await store.saveProgram(changed.next, p.revision, events)) return;
  }
  throw new Error(`program ${submissionId} keeps changing; the submission's change will be retried`);
}
