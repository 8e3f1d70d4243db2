/**
 * The open scan jobs, planned from the open requests: each request's tests that no claimed job
 * serves yet go to coordination's planScanJobs (order-independent; a job's id derives from what it
 * is), and the jobs are stored by that id, so planning again stores nothing new and a scanner can
 * claim what it listed. Run by ListScanJobs (a listing: it reads every open request).
 */
import { claimIsLive, planScanJobs, type ScanJob } from '../domain/coordination';
import { unitId, type ScanStore } from './scan-store';

export async function planOpenJobs(store: ScanStore, now: Date): Promise<ScanJob[]> {
  const open = await store.openRequests(now);
  // Tests served by a live claim's units; a lapsed lease puts its tests back in the pool.
  const taken = new Set((await store.unitsOf(open, now)).map((u) => unitId(u.requestId, u.kind)));
  const pending = open
    .map(({ status: _s, revision: _r, cancellation: _c, ...request }) => ({ ...request, scope: request.scope.filter((k) => !taken.has(unitId(request.id, k))) }))
    .filter((r) => r.scope.length > 0);
  const { jobs } = planScanJobs(pending, now);
  await store.saveJobs(jobs, now);
  // Units are inserted before a claim, so a claimed job's requests left the pool above; a job
  // planned from the same units (the same id) may have been claimed meanwhile.
  const claims = await store.claimsOf(jobs.map((j) => j.id));
  return jobs.filter((j) => { const claim = claims.get(j.id); return !claim || !claimIsLive(claim, now); });
}
