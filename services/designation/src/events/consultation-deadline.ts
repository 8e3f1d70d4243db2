/**
 * Consultation deadlines, on designation's durable timers (`DESIGNATION_TIMERS`).
 *
 * RequestConsultation schedules the deadline before it stores the consultation, so none is stored
 * without its timer; a request that then fails to store leaves a stray timer, which finds nothing
 * due and changes nothing. Each consultation has its own timer (case id and the revision that
 * requested it), so a later consultation never moves an earlier one's. When the timer fires, the
 * case records its lapsed required consultees (`lapse`) and publishes
 * `rampart.designation.consultation.lapsed` with them, in one write; a redelivered, stale or early
 * fire finds nothing to lapse and changes nothing.
 */
import { marked } from '@rampart/auth';
import { PoisonMessageError, type TimerHandler, type TimerKey, type TimerScheduler } from '@rampart/events';
import { lapse, type Case } from '../domain/case';
import { DELIBERATION_MARKING } from '../domain/markings';
import type { DesignationStore } from '../store';
import { caseEvent } from './designation-events';

export const CONSULTATION_DEADLINE = 'consultation-deadline';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The timer of the consultation `c` (a case at the revision that requests it). */
export function consultationDeadlineTimer(c: Pick<Case, 'id' | 'revision'>): TimerKey {
  return { kind: CONSULTATION_DEADLINE, id: `${c.id}-r${c.revision}` };
}

export interface ConsultationDeadlines {
  /** Arms the deadline of `c`'s consultation; call before storing it. */
  schedule(c: Case): Promise<void>;
}

export function consultationDeadlines(timers: TimerScheduler): ConsultationDeadlines {
  return {
    async schedule(c) {
      const deadlines = (c.consultation?.entries ?? []).map((e) => e.deadline.getTime());
      if (deadlines.length === 0) return;
      // The entries share the consultation's deadline; the latest makes every one of them due.
      await timers.schedule(consultationDeadlineTimer(c), new Date(Math.max(...deadlines)), { caseId: c.id, revision: c.revision });
    },
  };
}

export function consultationDeadlineHandler(store: DesignationStore, now: () => Date = () => new Date()): TimerHandler {
  return async (timer) => {
    const caseId = timer.payload.caseId;
    if (typeof caseId !== 'string' || !UUID.test(caseId)) throw new PoisonMessageError(`consultation deadline ${timer.id} names no case`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const c = await store.getCase(caseId);
      if (!c) return;
      // Due by the server's clock, which fired the timer; ours may lag it slightly.
      const due = new Date(Math.max(now().getTime(), timer.at.getTime()));
      const change = lapse(c, due);
      if (!change) return;
      const at = now();
      const next: Case = { ...change.next, revision: c.revision + 1, updatedAt: at };
      if (await store.saveCase(next, c.revision, [caseEvent(next, ['consultation', 'lapsed'], at, { lapsedAgencies: marked(DELIBERATION_MARKING, change.lapsedAgencies) })])) return;
      // A view or another change landed meanwhile: read again, so a view now on record is honoured.
    }
    throw new Error(`case ${caseId} keeps changing; its consultation deadline will be retried`);
  };
}
