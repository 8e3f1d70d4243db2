/**
 * Who may do what with submissions. Developers act on their own organisation's submissions only,
 * and another organisation's submission is reported as absent so existence does not leak.
 * Government roles read every submission, given CUI clearance.
 */
import { GOVERNMENT_ROLES, hasRole, requireClearance, requireRole, type Caller } from '@rampart/auth';
import { NotFoundError } from '@rampart/errors';
import { SUBMISSION_MARKING, type Submission } from './submission';

export function assertMaySubmit(caller: Caller): void {
  requireRole(caller, 'developer');
}

/** The organisation a caller's reads are limited to, or undefined for every organisation. */
export function readScope(caller: Caller): string | undefined {
  if (hasRole(caller, ...GOVERNMENT_ROLES)) {
    requireClearance(caller, SUBMISSION_MARKING);
    return undefined;
  }
  requireRole(caller, 'developer', ...GOVERNMENT_ROLES);
  return caller.organization;
}

export function assertMayRead<T extends Pick<Submission, 'organization'>>(caller: Caller, submission: T | undefined, id: string): T {
  const scope = readScope(caller);
  if (!submission || (scope !== undefined && submission.organization !== scope)) throw new NotFoundError(`submission ${id} not found`);
  return submission;
}

/** Amend and withdraw: a developer of the owning organisation. */
export function assertMayChange(caller: Caller, submission: Submission | undefined, id: string): Submission {
  requireRole(caller, 'developer');
  if (!submission || submission.organization !== caller.organization) throw new NotFoundError(`submission ${id} not found`);
  return submission;
}
