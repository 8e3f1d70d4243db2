/**
 * An AccessProgram (one per covered model, keyed by the model's submission id) and the rules of
 * its life: opened by the developer, its window moved by amendments, closed for good by a
 * withdrawal or the public release. Nothing here approves, delays or blocks a release.
 */
import { FailedPreconditionError, ValidationError } from '@rampart/errors';
import { ALL_AGREEMENT_KINDS, type AgreementKind } from './agreements';
import { mayOpenProgram, type ReleasedAssessment, type SubmissionFacts } from './model';
import { moveWindow, openWindow, type AccessWindow } from './window';

export type ProgramStatus = 'open' | 'closed';
export type CloseReason = 'withdrawn' | 'public_release';

export interface AccessProgram {
  /** The model's intake submission id. */
  id: string;
  organization: string;
  modelName: string;
  modelVersion: string;
  /** The intake revision the window reflects. */
  submissionRevision: number;
  status: ProgramStatus;
  closeReason?: CloseReason;
  /** The start the developer asked for; an amendment never moves a window earlier than this. */
  requestedStartAt: Date;
  window: AccessWindow;
  requiredAgreements: AgreementKind[];
  /**
   * Grants the program's own writes revoked (a moved window cut them): refused from that write on,
   * whatever the window does later (moved back, the grant would fit again, but its revocation is out).
   */
  revokedGrantIds?: string[];
  openedBy: string;
  openedAt: Date;
  closedAt?: Date;
  revision: number;
  updatedAt: Date;
}

/** Said for every refusal to open, whatever the reason, so the refusal reveals nothing. */
export function notOpenable(submissionId: string): FailedPreconditionError {
  return new FailedPreconditionError(`no assessment released to your organisation says the model of submission ${submissionId} is covered`);
}

export function openProgram(args: {
  organization: string;
  submission: SubmissionFacts | undefined;
  assessment: ReleasedAssessment | undefined;
  submissionId: string;
  requestedStart: Date | undefined;
  requiredAgreements: AgreementKind[];
  actor: string;
  now: Date;
}): AccessProgram {
  const { submission, now } = args;
  if (!mayOpenProgram(args.organization, submission, args.assessment) || !submission) throw notOpenable(args.submissionId);
  const window = openWindow(submission, args.requestedStart, now);
  return {
    id: submission.submissionId,
    organization: submission.organization,
    modelName: submission.modelName,
    modelVersion: submission.modelVersion,
    submissionRevision: submission.revision,
    status: 'open',
    requestedStartAt: window.governmentStartAt,
    window,
    requiredAgreements: args.requiredAgreements.length ? [...new Set(args.requiredAgreements)].sort() : [...ALL_AGREEMENT_KINDS],
    openedBy: args.actor,
    openedAt: now,
    revision: 1,
    updatedAt: now,
  };
}

/** `updated`: newer facts (say, a new model version) that leave the window where it was: nothing to announce. */
export type ProgramChange = 'window_changed' | 'closed' | 'updated';

/**
 * The program after intake's newer facts: a withdrawal closes it; moved dates move the window.
 * Undefined when nothing changes (facts already reflected, or the program closed).
 */
export function onSubmissionChange(p: AccessProgram, facts: SubmissionFacts, now: Date): { next: AccessProgram; change: ProgramChange } | undefined {
  if (p.status === 'closed' || facts.revision <= p.submissionRevision) return undefined;
  if (facts.withdrawn) return { next: close(p, 'withdrawn', now, facts.revision), change: 'closed' };
  const window = moveWindow(p.window, facts, p.requestedStartAt, now);
  const next: AccessProgram = { ...p, modelName: facts.modelName, modelVersion: facts.modelVersion, submissionRevision: facts.revision, revision: p.revision + 1, updatedAt: now, ...(window ? { window } : {}) };
  return { next, change: window ? 'window_changed' : 'updated' };
}

/** The program with `grantIds` revoked by its own write (cumulative: a revocation is never taken back). */
export function withRevokedGrants(p: AccessProgram, grantIds: readonly string[]): AccessProgram {
  if (grantIds.length === 0) return p;
  return { ...p, revokedGrantIds: [...new Set([...(p.revokedGrantIds ?? []), ...grantIds])] };
}

/** The developer records the actual public release: the program closes and every grant ends. */
export function recordPublicRelease(p: AccessProgram, at: Date | undefined, now: Date): AccessProgram {
  assertOpen(p);
  const releasedAt = at ?? now;
  if (releasedAt.getTime() > now.getTime()) throw new ValidationError([{ field: 'release_time', description: 'must not be in the future: record the release once it happened' }]);
  const next = close(p, 'public_release', now);
  return { ...next, window: { ...p.window, publicReleaseAt: releasedAt, publicReleaseRecorded: true } };
}

/** The intended public release has come: the program closes (a timer's check). Undefined when not yet, or closed. */
export function closeIfPublicReleased(p: AccessProgram, now: Date): AccessProgram | undefined {
  if (p.status === 'closed' || now.getTime() < p.window.publicReleaseAt.getTime()) return undefined;
  return close(p, 'public_release', now);
}

function close(p: AccessProgram, reason: CloseReason, now: Date, submissionRevision = p.submissionRevision): AccessProgram {
  return { ...p, status: 'closed', closeReason: reason, closedAt: now, submissionRevision, revision: p.revision + 1, updatedAt: now };
}

export function assertOpen(p: AccessProgram): void {
  if (p.status === 'closed') {
    throw new FailedPreconditionError(`program ${p.id} is closed (${p.closeReason === 'withdrawn' ? 'the developer withdrew the submission' : 'the model was released to the public'})`);
  }
}
