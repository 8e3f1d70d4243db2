/**
 * ClaimScanJob's writes. Two compare-and-sets, both `_id` inserts every engine honours:
 * 1. one unit per test the job serves (`<request>/<kind>`), in sorted order: a request's test is
 *    served by one job only, even when two plans (before and after another request arrived) put
 *    it in two different jobs. Of two claims that share units, the one that inserts the first
 *    shared unit wins; the other removes the units it inserted and is refused. With one order for
 *    all, two claims can never each hold a unit the other needs, so one always wins.
 * 2. the claim itself (`_id` the job id), with its `scan.claimed` event: one claimer per job.
 * A retry by the claimer's organisation finds its own units and claim and answers the same claim.
 */
import { FailedPreconditionError } from '@rampart/errors';
import type { Caller } from '@rampart/auth';
import { claimScanJob, type ClaimedJob, type ScanJob } from '../domain/coordination';
import { scanClaimedEvent } from '../events/scan-events';
import { unitId, type ScanStore, type ScanUnit } from './scan-store';

const alreadyClaimed = (jobId: string) => new FailedPreconditionError(`scan job ${jobId} is already claimed by another scanner`);

export async function claimJob(store: ScanStore, job: ScanJob, scanner: Pick<Caller, 'organization' | 'subject'>, now: Date): Promise<ClaimedJob> {
  const existing = await store.getClaim(job.id);
  // Throws when another organisation holds it or the window ended.
  const claimed = claimScanJob(existing ? { ...job, claim: existing } : job, scanner, now);
  if (existing) return claimed;

  // Every request the job serves must still be open: a cancelled one withdrew its consent.
  for (const served of job.serves) {
    const request = await store.getRequest(served.requestId);
    if (!request || request.status !== 'open') {
      throw new FailedPreconditionError(`scan job ${job.id} serves request ${served.requestId}, which was cancelled: list the open jobs again`);
    }
  }

  const units: ScanUnit[] = job.serves
    .map((s) => ({ requestId: s.requestId, kind: job.kind, jobId: job.id, organization: scanner.organization, claimedAt: now }))
    .sort((a, b) => (unitId(a.requestId, a.kind) < unitId(b.requestId, b.kind) ? -1 : 1));
  const inserted: ScanUnit[] = [];
  for (const unit of units) {
    const outcome = await store.insertUnit(unit);
    if (outcome.inserted) { inserted.push(unit); continue; }
    const holder = outcome.holder;
    if (holder && holder.jobId === job.id && holder.organization === scanner.organization) continue; // our own retry
    await store.removeUnits(inserted);
    if (holder && holder.jobId === job.id) throw alreadyClaimed(job.id);
    throw new FailedPreconditionError(`request ${unit.requestId}'s ${job.kind} scan is served by another job now: list the open jobs again`);
  }

  if (!(await store.insertClaim(job.id, claimed.claim, [scanClaimedEvent(job, claimed.claim, now)]))) {
    // A concurrent retry of our own organisation stored it first (another one could not: it holds no unit).
    const held = await store.getClaim(job.id);
    if (!held || held.organization !== scanner.organization) throw alreadyClaimed(job.id);
    return { ...job, claim: held };
  }
  return claimed;
}
