/**
 * Merging scan requests into jobs and deconflicting their windows: worked examples of the rule,
 * then its guarantees as properties over random requests on shared targets.
 */
import fc from 'fast-check';
import { planScanJobs, type ScanJob, type ScanPlan } from '../src/domain/coordination/scan-plan';
import { kindApplies, SCAN_KINDS, validateScanRequest, type ScanKind, type ScanRequest } from '../src/domain/coordination/scan-request';
import { targetsCover, targetsOverlap, unionTargets, type ScanTargetInput } from '../src/domain/coordination/scan-targets';
import { formatZonedTime } from '../src/domain/coordination/zoned-time';

const now = new Date('2026-06-01T12:00:00Z');
const HOUR = 3600_000;
const at = (h: number) => new Date(now.getTime() + h * HOUR).toISOString();

function request(id: string, operator: string, targets: ScanTargetInput[], scope: ScanKind[], fromHour: number, toHour: number): ScanRequest {
  return validateScanRequest({ targets, scope, window: { start: at(fromHour), end: at(toHour) } }, id, { organization: operator, subject: `it@${operator}` }, now);
}

const cidr = (value: string): ScanTargetInput => ({ kind: 'cidr', value });
const host = (value: string): ScanTargetInput => ({ kind: 'host', value });
const summary = (plan: ScanPlan) => plan.jobs.map((j) => ({ kind: j.kind, serves: j.serves.map((s) => s.requestId), targets: j.targets, from: j.window.start.at.toISOString(), to: j.window.end.at.toISOString() }));

describe('merging and deconflicting', () => {
  it('two operators asking for the same network with overlapping windows get one scan, in the intersection', () => {
    const a = request('a', 'hospital', [cidr('20.1.0.0/24')], ['vulnerability'], 1, 6);
    const b = request('b', 'bank', [cidr('20.1.0.128/25'), host('20.9.0.1')], ['vulnerability'], 3, 9);
    const plan = planScanJobs([a, b], now);
    expect(summary(plan)).toEqual([{ kind: 'vulnerability', serves: ['a', 'b'], targets: [{ kind: 'cidr', cidr: '20.1.0.0/24' }, { kind: 'host', host: '20.9.0.1' }], from: at(3), to: at(6) }]);
    expect(plan.jobs[0]!.serves.map((s) => s.operator)).toEqual(['hospital', 'bank']);
    expect(plan.unscheduled).toEqual([]);
  });

  it('windows that do not meet give separate jobs, one after the other', () => {
    const plan = planScanJobs([request('a', 'hospital', [cidr('20.1.0.0/24')], ['discovery'], 1, 3), request('b', 'bank', [host('20.1.0.9')], ['discovery'], 5, 7)], now);
    expect(summary(plan).map((j) => [j.serves, j.from, j.to])).toEqual([[['a'], at(1), at(3)], [['b'], at(5), at(7)]]);
  });

  it('a later window that overlaps by less than 15 minutes starts when the earlier scan ends', () => {
    const plan = planScanJobs([request('a', 'hospital', [cidr('20.1.0.0/24')], ['discovery'], 1, 3), request('b', 'bank', [host('20.1.0.9')], ['discovery'], 2.9, 7)], now);
    expect(summary(plan).map((j) => [j.serves, j.from, j.to])).toEqual([[['a'], at(1), at(3)], [['b'], at(3), at(7)]]);
  });

  it('a request left with less than 15 minutes is unscheduled, with the reason', () => {
    const plan = planScanJobs([request('a', 'hospital', [cidr('20.1.0.0/24')], ['discovery'], 1, 3), request('b', 'bank', [host('20.1.0.9')], ['discovery'], 2.9, 3.2)], now);
    expect(summary(plan).map((j) => j.serves)).toEqual([['a']]);
    expect(plan.unscheduled).toEqual([{ requestId: 'b', kind: 'discovery', reason: expect.stringMatching(/leaves less than 15 minutes after the discovery scan of the same targets/) }]);
    const late = planScanJobs([request('a', 'hospital', [cidr('20.1.0.0/24')], ['discovery'], 1, 3)], new Date(now.getTime() + 2.9 * HOUR));
    expect(late.unscheduled).toEqual([{ requestId: 'a', kind: 'discovery', reason: expect.stringMatching(/less than 15 minutes from now/) }]);
  });

  it('kinds are never merged: each request gets its own kinds only', () => {
    const a = request('a', 'hospital', [cidr('20.1.0.0/24'), { kind: 'repository', value: 'https://github.com/rh/portal' }], ['passive', 'source-code'], 1, 6);
    const b = request('b', 'bank', [cidr('20.1.0.0/24')], ['authenticated'], 1, 6);
    expect(summary(planScanJobs([a, b], now)).map((j) => [j.kind, j.serves, j.targets])).toEqual([
      ['passive', ['a'], [{ kind: 'cidr', cidr: '20.1.0.0/24' }]],
      ['authenticated', ['b'], [{ kind: 'cidr', cidr: '20.1.0.0/24' }]],
      ['source-code', ['a'], [{ kind: 'repository', url: 'https://github.com/rh/portal' }]],
    ]);
  });

  it('targets linked through a third request share rounds; unrelated targets run beside each other as separate jobs', () => {
    // a and c share nothing, b links them: round one ends at a's end, with c beside a; b after.
    const a = request('a', 'op-a', [host('20.1.0.1'), host('20.1.0.2')], ['discovery'], 0, 10);
    const b = request('b', 'op-b', [host('20.1.0.2'), host('20.1.0.3')], ['discovery'], 20, 30);
    const c = request('c', 'op-c', [host('20.1.0.3')], ['discovery'], 5, 25);
    expect(summary(planScanJobs([a, b, c], now)).map((j) => [j.serves, j.from, j.to])).toEqual([
      [['a'], at(0), at(10)],
      [['c'], at(5), at(10)],
      [['b'], at(20), at(30)],
    ]);
  });

  it('refuses one request id with two contents', () => {
    const a = request('a', 'hospital', [cidr('20.1.0.0/24')], ['discovery'], 1, 3);
    expect(() => planScanJobs([a, { ...a, scope: ['passive'] }], now)).toThrow(/given twice with different content/);
  });
});

// ---- properties -------------------------------------------------------------------------------

const POOL: ScanTargetInput[] = [
  cidr('20.1.0.0/16'), cidr('20.1.0.0/24'), cidr('20.1.1.0/24'), cidr('20.1.1.128/25'), cidr('20.2.0.0/24'), cidr('2600:1f18::/48'),
  host('20.1.0.5'), host('20.2.0.9'), host('20.3.0.1'), host('2600:1f18::1'), host('portal.rural-hospital.org'), host('www.community-bank.com'),
  { kind: 'domain', value: 'rural-hospital.org', includeSubdomains: true }, { kind: 'domain', value: 'community-bank.com', includeSubdomains: true },
  { kind: 'repository', value: 'https://github.com/rh/portal' }, { kind: 'repository', value: 'https://github.com/cb/app' },
];
const NETWORK_KINDS = SCAN_KINDS.filter((k) => k !== 'source-code');
const ZONES = ['Z', '-05:00', '+05:30', 'America/Chicago'];

const arbRequestInput = fc.record({
  targets: fc.subarray(POOL, { minLength: 1, maxLength: 4 }),
  kinds: fc.subarray([...NETWORK_KINDS], { minLength: 1, maxLength: 2 }),
  operator: fc.constantFrom('op-a', 'op-b', 'op-c'),
  // Quarter hours, so equal starts and ends are common.
  start: fc.integer({ min: 0, max: 4 * 48 }),
  length: fc.integer({ min: 1, max: 4 * 24 }),
  zone: fc.constantFrom(...ZONES),
});
const arbRequests = fc.array(arbRequestInput, { maxLength: 9 }).map((inputs) => inputs.map((r, i) => {
  const scope: ScanKind[] = [
    ...(r.targets.some((t) => t.kind !== 'repository') ? r.kinds : []),
    ...(r.targets.some((t) => t.kind === 'repository') ? ['source-code' as const] : []),
  ];
  const time = (q: number) => formatZonedTime({ at: new Date(now.getTime() + HOUR + q * 15 * 60_000), zone: r.zone });
  return validateScanRequest({ targets: r.targets, scope, window: { start: time(r.start), end: time(r.start + Math.max(r.length, 1)) } }, `req-${i}`, { organization: r.operator, subject: 's' }, now);
}));
const arbNow = fc.integer({ min: 0, max: 4 * 30 }).map((q) => new Date(now.getTime() + q * 15 * 60_000));

const ms = (j: ScanJob) => [j.window.start.at.getTime(), j.window.end.at.getTime()] as const;

describe('the plan (properties)', () => {
  it('does not depend on the order or repetition of the requests', () => {
    fc.assert(fc.property(arbRequests, arbNow, fc.integer(), (requests, planNow, seed) => {
      const plan = planScanJobs(requests, planNow);
      const shuffled = [...requests].map((r, i) => ({ r, k: Math.sin(seed + i) })).sort((a, b) => a.k - b.k).map((x) => x.r);
      expect(planScanJobs(shuffled, planNow)).toEqual(plan);
      expect(planScanJobs([...requests, ...shuffled], planNow)).toEqual(plan);
      // The store hands back copies with the keys in another order: the same requests.
      const copies = requests.map((r) => JSON.parse(JSON.stringify(r), (k, v: unknown) => (k === 'at' || k === 'filedAt' ? new Date(v as string) : v)) as ScanRequest);
      expect(planScanJobs(copies.reverse(), planNow)).toEqual(plan);
    }), { numRuns: 150 });
  });

  it('serves every request once per kind or says why not, never outside a request\'s window or kinds', () => {
    fc.assert(fc.property(arbRequests, arbNow, (requests, planNow) => {
      const plan = planScanJobs(requests, planNow);
      for (const r of requests) for (const kind of r.scope) {
        const serving = plan.jobs.filter((j) => j.kind === kind && j.serves.some((s) => s.requestId === r.id));
        const unscheduled = plan.unscheduled.filter((u) => u.kind === kind && u.requestId === r.id);
        expect(serving.length + unscheduled.length).toBe(1);
      }
      for (const job of plan.jobs) {
        const [start, end] = ms(job);
        expect(end - start).toBeGreaterThanOrEqual(15 * 60_000);
        expect(job.targets).toEqual(unionTargets(job.serves.flatMap((s) => s.targets)));
        for (const s of job.serves) {
          const r = requests.find((x) => x.id === s.requestId)!;
          expect(r.scope).toContain(job.kind);
          expect(start).toBeGreaterThanOrEqual(r.window.start.at.getTime());
          expect(end).toBeLessThanOrEqual(r.window.end.at.getTime());
          expect(s.targets.every((t) => kindApplies(job.kind, t) && r.targets.includes(t))).toBe(true);
          expect(s.targets).toEqual(r.targets.filter((t) => kindApplies(job.kind, t)));
        }
      }
    }), { numRuns: 150 });
  });

  it('never runs two jobs of one kind on shared targets at the same time', () => {
    fc.assert(fc.property(arbRequests, arbNow, (requests, planNow) => {
      const { jobs } = planScanJobs(requests, planNow);
      for (let i = 0; i < jobs.length; i++) for (let k = i + 1; k < jobs.length; k++) {
        const a = jobs[i]!, b = jobs[k]!;
        if (a.kind !== b.kind || !a.targets.some((x) => b.targets.some((y) => targetsOverlap(x, y)))) continue;
        const [s1, e1] = ms(a), [s2, e2] = ms(b);
        expect(e1 <= s2 || e2 <= s1).toBe(true);
      }
    }), { numRuns: 150 });
  });

  it('merges completely when every window is the same: one job per group of overlapping targets', () => {
    fc.assert(fc.property(arbRequests, (requests) => {
      const same = requests.map((r) => ({ ...r, window: requests[0]!.window }));
      const { jobs, unscheduled } = planScanJobs(same, now);
      expect(unscheduled).toEqual([]);
      for (let i = 0; i < jobs.length; i++) for (let k = i + 1; k < jobs.length; k++) {
        const a = jobs[i]!, b = jobs[k]!;
        if (a.kind === b.kind) expect(a.targets.some((x) => b.targets.some((y) => targetsOverlap(x, y)))).toBe(false);
      }
    }), { numRuns: 150 });
  });

  it('every target of a job is covered by a request it serves', () => {
    fc.assert(fc.property(arbRequests, (requests) => {
      for (const job of planScanJobs(requests, now).jobs) {
        for (const t of job.targets) {
          if (t.kind === 'host') expect(job.serves.some((s) => targetsCover(s.targets, { kind: 'host', host: t.host }))).toBe(true);
          else expect(job.serves.some((s) => s.targets.some((x) => targetsOverlap(x, t)))).toBe(true);
        }
      }
    }), { numRuns: 100 });
  });
});
