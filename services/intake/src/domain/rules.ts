/**
 * State changes of a submission, as pure functions: each returns the new state and the change to
 * announce, or throws a typed error saying why the change is not allowed.
 */
import { createHash } from 'node:crypto';
import { ConflictError, FailedPreconditionError } from '@rampart/errors';
import type { ModelDetails, Submission, SubmissionChange, SubmissionRevision } from './submission';

export interface Changed {
  submission: Submission;
  revision: SubmissionRevision;
  change: SubmissionChange;
}

export function receive(args: { id: string; organization: string; details: ModelDetails; actor: string; now: Date }): Changed {
  const submission: Submission = {
    id: args.id,
    organization: args.organization,
    details: args.details,
    status: 'received',
    revision: 1,
    submittedBy: args.actor,
    createdAt: args.now,
    updatedAt: args.now,
  };
  return { submission, change: 'received', revision: { revision: 1, details: args.details, changedBy: args.actor, changedAt: args.now, change: 'received' } };
}

export function amend(current: Submission, args: { expectedRevision: number; details: ModelDetails; actor: string; now: Date }): Changed {
  if (current.status === 'withdrawn') throw new FailedPreconditionError(`submission ${current.id} is withdrawn and cannot be amended`);
  if (args.expectedRevision !== current.revision) {
    throw new ConflictError(`submission ${current.id} is at revision ${current.revision}, not ${args.expectedRevision}: read it again and retry`);
  }
  const revision = current.revision + 1;
  const submission: Submission = { ...current, details: args.details, revision, updatedAt: args.now };
  return { submission, change: 'amended', revision: { revision, details: args.details, changedBy: args.actor, changedAt: args.now, change: 'amended' } };
}

/** Withdrawal is voluntary and allowed at any time; withdrawing again changes nothing (undefined). */
export function withdraw(current: Submission, args: { reason: string; actor: string; now: Date }): Changed | undefined {
  if (current.status === 'withdrawn') return undefined;
  const revision = current.revision + 1;
  const submission: Submission = {
    ...current,
    status: 'withdrawn',
    revision,
    updatedAt: args.now,
    withdrawal: { reason: args.reason, withdrawnBy: args.actor, withdrawnAt: args.now },
  };
  return { submission, change: 'withdrawn', revision: { revision, details: current.details, changedBy: args.actor, changedAt: args.now, change: 'withdrawn' } };
}

/** Fingerprint of a submit's body, to tell a retry (same body) from a reused key (different body). */
export function requestFingerprint(details: ModelDetails): string {
  return createHash('sha256').update(JSON.stringify(details, (_, v: unknown) => (v instanceof Date ? v.toISOString() : v))).digest('hex');
}
