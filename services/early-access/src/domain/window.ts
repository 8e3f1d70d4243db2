/**
 * The access window (EO 14409 s.3: access "up to 30 days before" the release to trusted partners).
 *
 * - The government window starts when the developer says, never in the past and never earlier
 *   than 30 days before the partner release, and ends at the partner release: at most 30 days.
 * - Government grants may run on from the partner release to the public release; the partner phase
 *   is that same stretch, from the partner release to the public release.
 * - When an amendment moves the dates, a window not yet started moves within the cap (its start no
 *   earlier than the developer asked, nor than 30 days before the new partner release); a running
 *   window keeps its start and ends at the new partner release or 30 days after its start,
 *   whichever is first, so no window ever exceeds 30 days.
 */
import { FailedPreconditionError, ValidationError } from '@rampart/errors';

export const DAY_MS = 24 * 60 * 60 * 1000;
export const MAX_WINDOW_MS = 30 * DAY_MS;

export interface AccessWindow {
  /** The government window: [governmentStartAt, governmentEndAt). */
  governmentStartAt: Date;
  governmentEndAt: Date;
  partnerReleaseAt: Date;
  /** Intake's intended public release until the developer records the actual one. */
  publicReleaseAt: Date;
  publicReleaseRecorded: boolean;
}

export interface ReleaseDates {
  partnerReleaseAt: Date;
  publicReleaseAt: Date;
}

export type PrincipalKind = 'government' | 'partner';

const iso = (d: Date) => d.toISOString();

/** The window a developer opens, or why not (field `window_start_time`). */
export function openWindow(dates: ReleaseDates, requestedStart: Date | undefined, now: Date): AccessWindow {
  const { partnerReleaseAt: partner, publicReleaseAt } = dates;
  if (partner.getTime() <= now.getTime()) {
    throw new FailedPreconditionError(`the model's partner release (${iso(partner)}) has passed: no pre-release window remains`);
  }
  const start = requestedStart ?? now;
  const earliest = new Date(partner.getTime() - MAX_WINDOW_MS);
  const field = 'window_start_time';
  if (start.getTime() < now.getTime()) throw new ValidationError([{ field, description: `must not be in the past (now is ${iso(now)})` }]);
  if (start.getTime() < earliest.getTime()) {
    throw new ValidationError([{ field, description: `must be no earlier than 30 days before the partner release (${iso(partner)}), i.e. at or after ${iso(earliest)}` }]);
  }
  if (start.getTime() >= partner.getTime()) throw new ValidationError([{ field, description: `must be before the partner release (${iso(partner)})` }]);
  return { governmentStartAt: start, governmentEndAt: partner, partnerReleaseAt: partner, publicReleaseAt, publicReleaseRecorded: false };
}

/**
 * The window after the release dates moved (an amendment), or undefined when nothing changes.
 * `requestedStart` is what the developer asked for when opening.
 */
export function moveWindow(current: AccessWindow, dates: ReleaseDates, requestedStart: Date, now: Date): AccessWindow | undefined {
  const partner = dates.partnerReleaseAt;
  const publicReleaseAt = current.publicReleaseRecorded ? current.publicReleaseAt : dates.publicReleaseAt;
  const running = current.governmentStartAt.getTime() <= now.getTime();
  const start = running
    ? current.governmentStartAt
    : new Date(Math.max(requestedStart.getTime(), partner.getTime() - MAX_WINDOW_MS, now.getTime()));
  // Never longer than 30 days; an empty window (the partner release moved before the start) ends where it starts.
  const end = new Date(Math.max(start.getTime(), Math.min(partner.getTime(), start.getTime() + MAX_WINDOW_MS)));
  const next: AccessWindow = { governmentStartAt: start, governmentEndAt: end, partnerReleaseAt: partner, publicReleaseAt, publicReleaseRecorded: current.publicReleaseRecorded };
  return sameWindow(current, next) ? undefined : next;
}

function sameWindow(a: AccessWindow, b: AccessWindow): boolean {
  return a.governmentStartAt.getTime() === b.governmentStartAt.getTime() && a.governmentEndAt.getTime() === b.governmentEndAt.getTime() &&
    a.partnerReleaseAt.getTime() === b.partnerReleaseAt.getTime() && a.publicReleaseAt.getTime() === b.publicReleaseAt.getTime() &&
    a.publicReleaseRecorded === b.publicReleaseRecorded;
}

/** A stretch of time, [from, until). */
export interface Phase {
  from: Date;
  until: Date;
}

/** When a principal of `kind` may use access: the government window and the partner phase, or the partner phase only. */
export function phasesFor(window: AccessWindow, kind: PrincipalKind): Phase[] {
  const partnerPhase = { from: window.partnerReleaseAt, until: window.publicReleaseAt };
  const phases = kind === 'government' ? [{ from: window.governmentStartAt, until: window.governmentEndAt }, partnerPhase] : [partnerPhase];
  return phases.filter((p) => p.until.getTime() > p.from.getTime());
}

/** The phase holding `at`, if any. */
export function phaseAt(window: AccessWindow, kind: PrincipalKind, at: Date): Phase | undefined {
  const t = at.getTime();
  return phasesFor(window, kind).find((p) => p.from.getTime() <= t && t < p.until.getTime());
}

/** Where a principal of `kind` may hold a grant: from its first phase's start to the public release. */
export function grantBounds(window: AccessWindow, kind: PrincipalKind): Phase {
  return { from: kind === 'government' ? window.governmentStartAt : window.partnerReleaseAt, until: window.publicReleaseAt };
}
