/**
 * ClaimScanJob's writes. A claim holds for a lease (domain/coordination/scan-claim.ts); each lease
 * epoch is its own `_id`s, so the compare-and-sets below arbitrate every epoch afresh:
 * 1. one unit per test the job serves (`<request>/<kind>#<n>`), in sorted order: a request's test
 *    is served by one job only, even when two plans (before and after another request arrived) put
 *    it in two different jobs. A key's latest unit holds while its lease runs; after that the next
 *    claimer inserts `n + 1`. Of two claims that share units, the one that inserts the first shared
 *    unit wins; the other releases the units it inserted and is refused. With one order for all,
 *    two claims can never each hold a unit the other needs, so one always wins.
 * 2. the claim itself (`<job>#<epoch>`), with its `scan.claimed` event: one claimer per lease.
 * A retry by the claimer's organisation within the lease finds its own units and claim and answers
 * the same claim. A claimer that crashed after its units but before its claim blocks the job until
 * the units' lease ends, no longer.
 */
import { FailedPreconditionError } from '@rampart/errors';
import type { Caller } from '@rampart/auth';
import { claimIsLive, claimScanJob, type ClaimedJob, type ScanJob } from '../domain/coordination';
import { scanClaimedEvent } from '../events/scan-events';
import type { Numbered } from '@rampart/store';
import { unitId, type ScanStore, type ScanUnit } from './scan-store';

const alreadyClaimed = (jobId: string) => new FailedPreconditionError(`scan job ${jobId} is already claimed by another scanner`);

export async function claimJob(store: ScanStore, job: ScanJob, scanner: Pick<Caller, 'organization' | 'subject'>, now: Date): Promise<ClaimedJob> {
  const latest = await store.latestClaim(job.id);
  // Throws when another organisation's lease runs or the window ended.
  const claimed = claimScanJob(latest ? { ...job, claim: latest } : job, scanner, now, store.claimLeaseMs);
  if (latest && claimed.claim.epoch === latest.epoch) return claimed; // our own live claim, retried

  // Every request the job serves must still be open: a cancelled one withdrew its consent.
  for (const served of job.serves) {
    const request = await store.getRequest(served.requestId);
    if (!request || request.status !== 'open') {
      throw new FailedPreconditionError(`scan job ${job.id} serves request ${served.requestId}, which was cancelled: list the open jobs again`);
    }
  }

  let { claim } = claimed;
  const ours = (unit: ScanUnit | undefined) => unit !== undefined && unit.jobId === job.id && unit.organization === scanner.organization && unit.claimEpoch === claim.epoch && claimIsLive(unit, now);
  const units: ScanUnit[] = job.serves
    .map((s) => ({ requestId: s.requestId, kind: job.kind, jobId: job.id, organization: scanner.organization, claimedAt: now, claimEpoch: claim.epoch, leaseEndsAt: claim.leaseEndsAt }))
    .sort((a, b) => (unitId(a.requestId, a.kind) < unitId(b.requestId, b.kind) ? -1 : 1));
  const inserted: Numbered<ScanUnit>[] = [];
  const refuse = async (holder: ScanUnit | undefined, unit: ScanUnit) => {
    await store.releaseUnits(inserted, now);
    if (holder && holder.jobId === job.id) return alreadyClaimed(job.id);
    return new FailedPreconditionError(`request ${unit.requestId}'s ${job.kind} scan is served by another job now: list the open jobs again`);
  };
  for (const unit of units) {
    const held = await store.latestUnit(unit.requestId, unit.kind);
    if (held && ours(held.doc)) {
      // Our own retry after a crash before the claim: the claim holds no longer than these units.
      if (held.doc.leaseEndsAt < claim.leaseEndsAt) claim = { ...claim, leaseEndsAt: held.doc.leaseEndsAt };
      continue;
    }
    if (held && claimIsLive(held.doc, now)) throw await refuse(held.doc, unit);
    const n = held ? held.n + 1 : 0;
    const outcome = await store.insertUnit(unit, n);
    if (outcome.inserted) { inserted.push({ n, doc: unit }); continue; }
    if (ours(outcome.holder)) continue; // a concurrent retry of our own
    throw await refuse(outcome.holder, unit);
  }

  if (!(await store.insertClaim(job.id, claim, [scanClaimedEvent(job, claim, now)]))) {
    // A concurrent retry of our own organisation stored this epoch first (another one could not: it holds no unit).
    const held = await store.latestClaim(job.id);
    if (!held || held.epoch !== claim.epoch || held.organization !== scanner.organization) throw alreadyClaimed(job.id);
    return { ...job, claim: held };
  }
  return { ...job, claim };
}
