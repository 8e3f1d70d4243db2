/**
 * Bringing a program in line with what intake says (amended dates move the window; a withdrawal
 * closes it), and closing a program. A closing writes, in the program's one document,
 * `access.program.closed` and a program-wide `access.credential.revoked` on the developer's
 * subject: from that write on, the service refuses every credential of the program and every
 * connected gateway does within a second. The grants themselves are then ended by the
 * grant-endings consumer, from the closed event (complete, idempotent, resumable after a crash).
 * A moved window likewise revokes, in the program's write, every grant it cut (grant-cuts.ts). The
 * public-release timer follows from the program's events (timer-scheduling.ts), never from here.
 */
import type { OutboxEntry } from '@rampart/events';
import { cutByWindow, type Grant } from '../domain/grants';
import { onSubmissionChange, withRevokedGrants, type AccessProgram } from '../domain/program';
import type { EarlyAccessStore } from '../store';
import { programEvent, revocationEvent } from './access-events';
import { activeGrants, grantRevocations } from './grant-cuts';

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

/**
 * A moved window: the program with the grants it cut recorded as revoked (refused from this write
 * on, even if the window later moves back), and its events: the change, and a revocation of each.
 */
function movedWindow(next: AccessProgram, active: readonly Grant[], at: Date): { next: AccessProgram; events: OutboxEntry[] } {
  const cut = active.filter((g) => cutByWindow(g, next.window));
  const ids = cut.map((g) => g.id);
  return { next: withRevokedGrants(next, ids), events: [programEvent(next, ['window', 'changed'], at, { revokedGrantIds: ids }), ...grantRevocations(cut, at)] };
}

/** Applies intake's latest facts to the program of `submissionId`, if it has one. Idempotent. */
export async function syncProgram(store: EarlyAccessStore, submissionId: string, now: () => Date): Promise<void> {
  // The program's active grants, listed (a scan) only when the window moves, and again only after a lost race.
  let active: Grant[] | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const [p, facts] = await Promise.all([store.getProgram(submissionId), store.getSubmission(submissionId)]);
    if (!p || !facts) return;
    const at = now();
    const changed = onSubmissionChange(p, facts, at);
    if (!changed) return;
    let { next } = changed;
    let events: OutboxEntry[] = [];
    if (changed.change === 'closed') events = closingEvents(next, at);
    else if (changed.change === 'window_changed') {
      active ??= await activeGrants(store, p.id, () => true);
      ({ next, events } = movedWindow(next, active, at));
    }
    if (await store.saveProgram(next, p.revision, events)) return;
    active = undefined; // lost a race: a grant may have been issued or ended meanwhile
  }
  throw new Error(`program ${submissionId} keeps changing; the submission's change will be retried`);
}
