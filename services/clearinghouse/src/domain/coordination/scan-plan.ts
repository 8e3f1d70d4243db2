/**
 * From open scan requests to scan jobs: one scan serves every request it can, and no two scans
 * of the same kind touch the same targets at the same time.
 *
 * The rule:
 * 1. Each request asks for one test per kind in its scope, over the targets that kind applies to.
 *    A job is one kind of test: requests with different kinds are never merged (an operator who
 *    asked for passive tests only must not receive an authenticated one).
 * 2. Requests of one kind whose targets overlap, directly or through others, are planned together.
 *    Within such a group, repeatedly: take the earliest end E among the remaining requests; every
 *    remaining request open for at least 15 minutes before E is planned in this round, ending at
 *    E. Among them, those whose targets overlap (directly or through each other) form one job,
 *    from the latest of their starts to E: their intersection, so the job runs only when every
 *    request it serves allows it. The rest of the group starts no earlier than E (they share
 *    targets with what just ran), and the round repeats.
 * 3. A request left with less than 15 minutes (its window ends too soon after now, or after the
 *    scans of its targets before it) is unscheduled, with the reason.
 *
 * So: every job's window lies inside the window of every request it serves, and its targets are
 * the union of theirs; two jobs of one kind whose targets overlap never overlap in time (windows
 * are [start, end)). The plan depends only on the set of requests and `now`: order and
 * repetition do not change it, and a job's id is derived from what it is.
 *
 * Plan over open requests only: once a scanner claims a job, its requests leave the pool.
 */
import { createHash } from 'node:crypto';
import { kindApplies, SCAN_KINDS, SCAN_LIMITS, type ScanKind, type ScanRequest, type ScanWindow } from './scan-request';
import { unionTargets, type ScanTarget } from './scan-targets';
import { overlapGroups } from './target-groups';
import { formatZonedTime, type ZonedTime } from './zoned-time';

/** One request a job serves: its targets this kind applies to, and its own window. */
export interface ServedRequest {
  requestId: string;
  operator: string;
  targets: ScanTarget[];
  window: ScanWindow;
}

export interface ScanJob {
  /** `scan-job-` and 32 hex digits, derived from the kind, window and requests served. */
  id: string;
  kind: ScanKind;
  /** The union of the served requests' targets, canonical. */
  targets: ScanTarget[];
  /** Inside every served request's window. */
  window: ScanWindow;
  /** Sorted by request id. */
  serves: ServedRequest[];
}

export interface UnscheduledRequest {
  requestId: string;
  kind: ScanKind;
  reason: string;
}

export interface ScanPlan {
  /** By kind (SCAN_KINDS order), then start, then id. */
  jobs: ScanJob[];
  /** By request id, then kind. */
  unscheduled: UnscheduledRequest[];
}

interface Unit {
  request: ScanRequest;
  kind: ScanKind;
  targets: ScanTarget[];
}

/** JSON with sorted keys, so two copies of one request compare equal whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

function distinctRequests(requests: readonly ScanRequest[]): ScanRequest[] {
  const byId = new Map<string, { request: ScanRequest; json: string }>();
  for (const r of requests) {
    const json = canonicalJson(r);
    const seen = byId.get(r.id);
    if (seen && seen.json !== json) throw new Error(`scan request ${r.id} is given twice with different content`);
    if (!seen) byId.set(r.id, { request: r, json });
  }
  return [...byId.values()].map((v) => v.request).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function jobId(kind: ScanKind, window: ScanWindow, serves: readonly ServedRequest[]): string {
  const hash = createHash('sha256').update([kind, window.start.at.toISOString(), window.end.at.toISOString(), ...serves.map((s) => s.requestId)].join('\n')).digest('hex');
  return `scan-job-${hash.slice(0, 32)}`;
}

const at = (t: ZonedTime) => t.at.getTime();

function planGroup(kind: ScanKind, group: Unit[], now: Date, jobs: ScanJob[], unscheduled: UnscheduledRequest[]): void {
  const min = SCAN_LIMITS.minWindowMs;
  let pending = [...group].sort((a, b) => at(a.request.window.end) - at(b.request.window.end) || at(a.request.window.start) - at(b.request.window.start) || (a.request.id < b.request.id ? -1 : 1));
  let cursor: ZonedTime | undefined;
  while (pending.length > 0) {
    const open: { unit: Unit; start: ZonedTime }[] = [];
    for (const unit of pending) {
      const { start: own, end } = unit.request.window;
      const start = cursor && at(cursor) > at(own) ? cursor : own;
      if (at(end) < now.getTime() + min) {
        unscheduled.push({ requestId: unit.request.id, kind, reason: `its window ends at ${formatZonedTime(end)}, less than 15 minutes from now` });
      } else if (at(end) - at(start) < min) {
        unscheduled.push({ requestId: unit.request.id, kind, reason: `its window leaves less than 15 minutes after the ${kind} scan of the same targets that ends at ${formatZonedTime(start)}` });
      } else {
        open.push({ unit, start });
      }
    }
    if (open.length === 0) return;
    // `open` keeps the order by end: the first has the earliest end.
    const end = open[0]!.unit.request.window.end;
    const round = open.filter((o) => at(o.start) <= at(end) - min);
    for (const members of overlapGroups(round, (o) => o.unit.targets)) {
      const start = members.reduce((latest, o) => (at(o.start) > at(latest) ? o.start : latest), members[0]!.start);
      const window = { start, end };
      const serves = members
        .map((o) => ({ requestId: o.unit.request.id, operator: o.unit.request.operator, targets: o.unit.targets, window: o.unit.request.window }))
        .sort((a, b) => (a.requestId < b.requestId ? -1 : 1));
      jobs.push({ id: jobId(kind, window, serves), kind, targets: unionTargets(serves.flatMap((s) => s.targets)), window, serves });
    }
    cursor = end;
    const planned = new Set(round.map((o) => o.unit));
    pending = open.map((o) => o.unit).filter((u) => !planned.has(u));
  }
}

/** The jobs that serve `requests` (see the file's comment for the rule). */
export function planScanJobs(requests: readonly ScanRequest[], now: Date): ScanPlan {
  const distinct = distinctRequests(requests);
  const jobs: ScanJob[] = [];
  const unscheduled: UnscheduledRequest[] = [];
  for (const kind of SCAN_KINDS) {
    const units: Unit[] = distinct.flatMap((request) => {
      if (!request.scope.includes(kind)) return [];
      const targets = request.targets.filter((t) => kindApplies(kind, t));
      return targets.length > 0 ? [{ request, kind, targets }] : [];
    });
    for (const group of overlapGroups(units, (u) => u.targets)) planGroup(kind, group, now, jobs, unscheduled);
  }
  jobs.sort((a, b) => SCAN_KINDS.indexOf(a.kind) - SCAN_KINDS.indexOf(b.kind) || at(a.window.start) - at(b.window.start) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  unscheduled.sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : SCAN_KINDS.indexOf(a.kind) - SCAN_KINDS.indexOf(b.kind)));
  return { jobs, unscheduled };
}
