/**
 * A scanner claims a job, scans within it, and returns SARIF; each result is admitted only when it
 * lies inside the job's scope and window.
 *
 * Claims: one scanner organisation per job for a lease (SCAN_CLAIM_LEASE_MS, never past the
 * window's end), so that a scanner that crashed or went silent blocks the job only that long.
 * Claiming again from the same organisation within the lease returns the same claim (a retry,
 * not a renewal); another organisation is refused without being told who holds it. From the
 * lease's end whoever claims first takes the next epoch (the lapsed holder too); the store makes
 * each epoch an `_id` of its own, so two claimers of one epoch cannot both win.
 *
 * A result is refused, with every reason, when:
 * - the job was not claimed, or not by the submitter's organisation;
 * - it arrives before the window opens or more than an hour after it ends (RESULT_GRACE_MS:
 *   uploading a large SARIF log takes time; scanning after the end does not, see next);
 * - the run says it scanned (SARIF invocation start and end) outside the window;
 * - it names no location, or any location outside the job's targets: for network kinds a host
 *   (an IP address or a DNS name as requested, no resolution), for `source-code` a file under
 *   one of the job's repositories. A network finding under a repository job, or the reverse, is
 *   outside too.
 * An admitted result names the requests whose targets hold its locations: only their operators
 * see it, however many requests the job serves.
 */
import { FailedPreconditionError } from '@rampart/errors';
import type { Caller } from '@rampart/auth';
import type { ScanJob } from './scan-plan';
import { targetsCover, type FindingLocation } from './scan-targets';
import { formatZonedTime } from './zoned-time';

export const RESULT_GRACE_MS = 60 * 60 * 1000;

/** A lease's length when the configuration names none: long enough for a scan, short of a day's window. */
export const DEFAULT_CLAIM_LEASE_MS = 4 * 60 * 60 * 1000;

export interface ScanClaim {
  organization: string;
  claimedBy: string;
  claimedAt: Date;
  /** 0 for the job's first claim, one more for each claim after a lease ended. */
  epoch: number;
  /** From this instant another scanner may claim the job. */
  leaseEndsAt: Date;
}

/** Does `claim` (or a unit taken with it) still hold at `now`? */
export function claimIsLive(claim: Pick<ScanClaim, 'leaseEndsAt'>, now: Date): boolean {
  return now.getTime() < claim.leaseEndsAt.getTime();
}

export type ClaimedJob = ScanJob & { claim: ScanClaim };

/**
 * The job claimed by `scanner`'s organisation, given its latest claim (if any): that claim when it
 * is live and the scanner's organisation's, else the next epoch's. Throws FailedPreconditionError
 * when another organisation's lease runs or the window ended.
 */
export function claimScanJob(job: ScanJob & { claim?: ScanClaim }, scanner: Pick<Caller, 'organization' | 'subject'>, now: Date, leaseMs = DEFAULT_CLAIM_LEASE_MS): ClaimedJob {
  const latest = job.claim;
  if (latest && claimIsLive(latest, now)) {
    if (latest.organization === scanner.organization) return { ...job, claim: latest };
    throw new FailedPreconditionError(`scan job ${job.id} is already claimed by another scanner`);
  }
  const end = job.window.end.at.getTime();
  if (now.getTime() >= end) throw new FailedPreconditionError(`scan job ${job.id}'s window ended at ${formatZonedTime(job.window.end)}`);
  const leaseEndsAt = new Date(Math.min(now.getTime() + leaseMs, end));
  return { ...job, claim: { organization: scanner.organization, claimedBy: scanner.subject, claimedAt: now, epoch: latest ? latest.epoch + 1 : 0, leaseEndsAt } };
}

/** Where one result says it is, and when its run scanned. */
export interface FindingPlacement {
  /** Hosts (addresses or names) for network kinds; repository file URLs for source-code. */
  locations: FindingLocation[];
  /** When the run scanned, if it says (SARIF invocations). */
  scannedFrom?: Date;
  scannedUntil?: Date;
}

export type FindingVerdict = { admitted: true; requestIds: string[] } | { admitted: false; reasons: string[] };

/** Is a result placed at `placement`, received at `receivedAt` from `submitter`, inside `job`? */
export function checkFinding(job: ScanJob & { claim?: ScanClaim }, placement: FindingPlacement, submitter: Pick<Caller, 'organization'>, receivedAt: Date): FindingVerdict {
  const reasons: string[] = [];
  if (!job.claim) reasons.push(`scan job ${job.id} has not been claimed`);
  else if (job.claim.organization !== submitter.organization) reasons.push(`scan job ${job.id} was claimed by another scanner: only it returns results`);

  const start = job.window.start.at.getTime(), end = job.window.end.at.getTime();
  const window = `${formatZonedTime(job.window.start)} to ${formatZonedTime(job.window.end)}`;
  if (receivedAt.getTime() < start) reasons.push(`received at ${receivedAt.toISOString()}, before the job's window (${window}) opened`);
  else if (receivedAt.getTime() >= end + RESULT_GRACE_MS) reasons.push(`received at ${receivedAt.toISOString()}, more than an hour after the job's window (${window}) ended`);
  const from = placement.scannedFrom?.getTime(), until = placement.scannedUntil?.getTime();
  if ((from !== undefined && (from < start || from >= end)) || (until !== undefined && (until < start || until > end))) {
    reasons.push(`its run scanned from ${placement.scannedFrom?.toISOString() ?? '?'} to ${placement.scannedUntil?.toISOString() ?? '?'}, outside the job's window (${window})`);
  }

  if (placement.locations.length === 0) reasons.push('it names no location inside a target (a host, or a file under a repository)');
  const expected = job.kind === 'source-code' ? 'repository' : 'host';
  const requestIds = new Set<string>();
  for (const location of placement.locations) {
    const text = location.kind === 'host' ? location.host : location.url;
    if (location.kind !== expected) {
      reasons.push(`${JSON.stringify(text.slice(0, 200))} is ${location.kind === 'host' ? 'a host' : 'a repository file'}, but this is a ${job.kind} job`);
      continue;
    }
    const holders = job.serves.filter((s) => targetsCover(s.targets, location)).map((s) => s.requestId);
    if (holders.length === 0) reasons.push(`${JSON.stringify(text.slice(0, 200))} is outside every target of the job`);
    holders.forEach((id) => requestIds.add(id));
  }
  return reasons.length > 0 ? { admitted: false, reasons } : { admitted: true, requestIds: [...requestIds].sort() };
}
