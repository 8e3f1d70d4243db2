/**
 * The referral workflow: candidate -> received (accepted by an analyst) or dismissed; received ->
 * under review -> accepted (routed to an agency) or declined; accepted -> closed with an outcome.
 * Each step has a deadline; a referral that waits past it is overdue (alerted by a durable timer).
 * Pure: each command returns the next referral, or throws FailedPreconditionError naming why not.
 */
import { ConflictError, FailedPreconditionError } from '@rampart/errors';
import { TERMINAL, type Referral, type ReferralDetails, type ReferralStatus } from './referral';

export type WorkflowCommand =
  | { kind: 'accept-candidate'; details: ReferralDetails }
  | { kind: 'dismiss'; reason: string }
  | { kind: 'assign'; assignee: string }
  | { kind: 'start-review' }
  | { kind: 'accept'; routedTo: string }
  | { kind: 'decline'; reason: string }
  | { kind: 'close'; outcome: string };

export type StepDeadlines = Readonly<Partial<Record<ReferralStatus, number>>>;

/** How long a referral may wait in each open step before it is overdue (config may change them). */
export const STEP_DEADLINE_MS: StepDeadlines = {
  candidate: 2 * 86_400_000,
  received: 3 * 86_400_000,
  under_review: 14 * 86_400_000,
  accepted: 180 * 86_400_000,
};

/** When the current step's deadline passes (none for a finished referral). */
export function stepDeadline(r: Pick<Referral, 'status' | 'statusSince'>, deadlines: StepDeadlines = STEP_DEADLINE_MS): Date | undefined {
  const ms = deadlines[r.status];
  return ms === undefined ? undefined : new Date(r.statusSince.getTime() + ms);
}

export function isOverdue(r: Pick<Referral, 'status' | 'statusSince'>, now: Date, deadlines: StepDeadlines = STEP_DEADLINE_MS): boolean {
  const due = stepDeadline(r, deadlines);
  return due !== undefined && now.getTime() >= due.getTime();
}

/** The event verb each command's change publishes (`enforcement.referral.<verb>`). */
export const VERB_OF: Record<WorkflowCommand['kind'], string> = {
  'accept-candidate': 'received', dismiss: 'dismissed', assign: 'assigned', 'start-review': 'review-started', accept: 'accepted', decline: 'declined', close: 'closed',
};

/**
 * The change an overdue step makes (its `referral.overdue` alert), or undefined when there is none
 * to make: the step was left, or its alert already raised (a timer fires at least once).
 */
export function markOverdue(r: Referral, now: Date, deadlines: StepDeadlines = STEP_DEADLINE_MS): Referral | undefined {
  if (!isOverdue(r, now, deadlines) || r.overdueAlerted === r.statusSince.toISOString()) return undefined;
  return { ...r, revision: r.revision + 1, overdueAlerted: r.statusSince.toISOString() };
}

const FROM: Record<WorkflowCommand['kind'], readonly ReferralStatus[]> = {
  'accept-candidate': ['candidate'],
  dismiss: ['candidate'],
  assign: ['candidate', 'received', 'under_review', 'accepted'],
  'start-review': ['received'],
  accept: ['under_review'],
  decline: ['under_review'],
  close: ['accepted'],
};

export function transition(r: Referral, expectedRevision: number, command: WorkflowCommand, now: Date): Referral {
  if (expectedRevision !== r.revision) throw new ConflictError(`referral ${r.id} is at revision ${r.revision}, not ${expectedRevision}: read it again`);
  if (!FROM[command.kind].includes(r.status)) {
    throw new FailedPreconditionError(`referral ${r.id} is ${r.status.replace('_', ' ')}${TERMINAL.has(r.status) ? ' (finished)' : ''}: it cannot be ${VERB_OF[command.kind].replace('-', ' ')} now`);
  }
  const next = (status: ReferralStatus, fields: Partial<Referral>): Referral => ({ ...r, ...fields, status, revision: r.revision + 1, statusSince: status === r.status ? r.statusSince : now });
  switch (command.kind) {
    case 'accept-candidate': return next('received', { details: command.details });
    case 'dismiss': return next('dismissed', { reason: command.reason });
    case 'assign': return next(r.status, { assignee: command.assignee });
    case 'start-review': return next('under_review', {});
    case 'accept': return next('accepted', { routedTo: command.routedTo });
    case 'decline': return next('declined', { reason: command.reason });
    case 'close': return next('closed', { outcome: command.outcome });
  }
}
