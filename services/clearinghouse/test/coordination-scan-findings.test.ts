/**
 * Claiming a scan job and admitting its SARIF results only inside the job's scope and window.
 */
import fc from 'fast-check';
import { FailedPreconditionError } from '@rampart/errors';
import { checkFinding, claimScanJob, claimIsLive, DEFAULT_CLAIM_LEASE_MS, RESULT_GRACE_MS, type ClaimedJob } from '../src/domain/coordination/scan-claim';
import { planScanJobs } from '../src/domain/coordination/scan-plan';
import { validateScanRequest, type ScanKind } from '../src/domain/coordination/scan-request';
import { placementOfSarifResult } from '../src/domain/coordination/sarif-placement';
import type { ScanTargetInput } from '../src/domain/coordination/scan-targets';

const now = new Date('2026-06-01T12:00:00Z');
const HOUR = 3600_000;
const at = (h: number) => new Date(now.getTime() + h * HOUR);
const scanner = { organization: 'ai-lab', subject: 'scanner@ai-lab' };

function jobFor(kind: ScanKind, requests: { id: string; operator: string; targets: ScanTargetInput[] }[]): ClaimedJob {
  const filed = requests.map((r) => validateScanRequest({ targets: r.targets, scope: [kind], window: { start: at(1).toISOString(), end: at(5).toISOString() } }, r.id, { organization: r.operator, subject: 's' }, now));
  const { jobs } = planScanJobs(filed, now);
  expect(jobs).toHaveLength(1);
  return claimScanJob(jobs[0]!, scanner, now);
}

const networkJob = () => jobFor('vulnerability', [
  { id: 'hospital', operator: 'rural-hospital', targets: [{ kind: 'cidr', value: '20.1.0.0/24' }, { kind: 'domain', value: 'rural-hospital.org', includeSubdomains: true }] },
  { id: 'bank', operator: 'community-bank', targets: [{ kind: 'cidr', value: '20.1.0.128/25' }, { kind: 'host', value: 'www.community-bank.com' }] },
]);
const repoJob = () => jobFor('source-code', [{ id: 'hospital', operator: 'rural-hospital', targets: [{ kind: 'repository', value: 'https://github.com/rh/portal' }] }]);

describe('claims', () => {
  it('one scanner organisation holds a job; a retry gets the same claim; others are refused without a name', () => {
    const job = networkJob();
    expect(job.claim).toEqual({ organization: 'ai-lab', claimedBy: 'scanner@ai-lab', claimedAt: now, epoch: 0, leaseEndsAt: new Date(now.getTime() + DEFAULT_CLAIM_LEASE_MS) });
    expect(claimScanJob(job, { organization: 'ai-lab', subject: 'other@ai-lab' }, at(2)).claim).toEqual(job.claim);
    expect(() => claimScanJob(job, { organization: 'gov-scanner', subject: 'x' }, at(2))).toThrow(new FailedPreconditionError(`scan job ${job.id} is already claimed by another scanner`));
  });

  it('a claim holds for its lease only: then another organisation claims the next epoch, and the first one\'s retry is refused', () => {
    const lease = 30 * 60_000;
    const { claim: _c, ...open } = networkJob();
    const first = claimScanJob(open, scanner, at(1), lease);
    expect(first.claim).toMatchObject({ organization: 'ai-lab', epoch: 0, leaseEndsAt: new Date(at(1).getTime() + lease) });
    const end = first.claim.leaseEndsAt.getTime();
    expect(claimIsLive(first.claim, new Date(end - 1))).toBe(true);
    expect(claimIsLive(first.claim, new Date(end))).toBe(false);
    // Within the lease: refused; the holder's retry answers the same claim (no renewal).
    expect(() => claimScanJob(first, { organization: 'gov-scanner', subject: 'x' }, new Date(end - 1), lease)).toThrow(/already claimed by another scanner/);
    expect(claimScanJob(first, scanner, new Date(end - 1), lease).claim).toBe(first.claim);
    // From its end: the next epoch, for whoever claims first.
    const second = claimScanJob(first, { organization: 'gov-scanner', subject: 'scanner@gov' }, new Date(end), lease);
    expect(second.claim).toMatchObject({ organization: 'gov-scanner', claimedBy: 'scanner@gov', epoch: 1, claimedAt: new Date(end), leaseEndsAt: new Date(end + lease) });
    expect(() => claimScanJob(second, scanner, new Date(end + 1), lease)).toThrow(/already claimed by another scanner/);
    // The lapsed holder may claim again too: a new epoch, not its old one.
    expect(claimScanJob(first, scanner, new Date(end), lease).claim.epoch).toBe(1);
  });

  it('a lease never outlasts the job\'s window', () => {
    const { claim: _c, ...open } = networkJob();
    expect(claimScanJob(open, scanner, at(4.5), 2 * HOUR).claim.leaseEndsAt).toEqual(open.window.end.at);
  });

  it('a job whose window ended cannot be claimed', () => {
    const { claim: _claim, ...open } = networkJob();
    expect(() => claimScanJob(open, scanner, at(5))).toThrow(/window ended/);
  });
});

describe('admitting results', () => {
  it('admits a result on a requested host inside the window, naming only the requests that hold it', () => {
    expect(checkFinding(networkJob(), { locations: [{ kind: 'host', host: '20.1.0.5' }] }, scanner, at(2))).toEqual({ admitted: true, requestIds: ['hospital'] });
    expect(checkFinding(networkJob(), { locations: [{ kind: 'host', host: '20.1.0.200' }] }, scanner, at(2))).toEqual({ admitted: true, requestIds: ['bank', 'hospital'] });
    expect(checkFinding(networkJob(), { locations: [{ kind: 'host', host: 'vpn.rural-hospital.org' }] }, scanner, at(5.5))).toEqual({ admitted: true, requestIds: ['hospital'] });
  });

  it.each<[string, Parameters<typeof checkFinding>[1], Date, RegExp]>([
    ['a host outside every target', { locations: [{ kind: 'host', host: '20.1.1.5' }] }, at(2), /"20.1.1.5" is outside every target/],
    ['a name that only looks related', { locations: [{ kind: 'host', host: 'rural-hospital.org.attacker.net' }] }, at(2), /outside every target/],
    ['a sibling of a requested host', { locations: [{ kind: 'host', host: 'mail.community-bank.com' }] }, at(2), /outside every target/],
    ['one location in, one out', { locations: [{ kind: 'host', host: '20.1.0.5' }, { kind: 'host', host: '8.8.8.8' }] }, at(2), /"8.8.8.8" is outside/],
    ['no location', { locations: [] }, at(2), /names no location/],
    ['received before the window', { locations: [{ kind: 'host', host: '20.1.0.5' }] }, at(0.5), /before the job's window/],
    ['received long after it', { locations: [{ kind: 'host', host: '20.1.0.5' }] }, new Date(at(5).getTime() + RESULT_GRACE_MS), /more than an hour after/],
    ['scanned outside it', { locations: [{ kind: 'host', host: '20.1.0.5' }], scannedFrom: at(0), scannedUntil: at(2) }, at(2), /its run scanned from/],
    ['a repository file in a network job', { locations: [{ kind: 'repository', url: 'https://github.com/rh/portal/x.py' }] }, at(2), /but this is a vulnerability job/],
  ])('refuses %s', (_name, placement, receivedAt, reason) => {
    const verdict = checkFinding(networkJob(), placement, scanner, receivedAt);
    expect(verdict).toEqual({ admitted: false, reasons: expect.arrayContaining([expect.stringMatching(reason)]) });
  });

  it('refuses results from anyone but the claimer, and on an unclaimed job', () => {
    const job = networkJob();
    expect(checkFinding(job, { locations: [{ kind: 'host', host: '20.1.0.5' }] }, { organization: 'gov-scanner' }, at(2))).toEqual({ admitted: false, reasons: [expect.stringMatching(/claimed by another scanner/)] });
    const { claim: _c, ...unclaimed } = job;
    expect(checkFinding(unclaimed, { locations: [{ kind: 'host', host: '20.1.0.5' }] }, scanner, at(2))).toEqual({ admitted: false, reasons: [expect.stringMatching(/has not been claimed/)] });
  });

  it('places repository results through versionControlProvenance, and refuses what it cannot place', () => {
    const run = {
      versionControlProvenance: [{ repositoryUri: 'https://github.com/rh/portal', revisionId: 'abc', mappedTo: { uriBaseId: 'SRCROOT' } }],
      originalUriBaseIds: { WEB: { uri: 'https://github.com/rh/' } },
      invocations: [{ executionSuccessful: true, startTimeUtc: at(1.5).toISOString(), endTimeUtc: at(2).toISOString() }],
    };
    const inRepo = placementOfSarifResult(run, { locations: [{ physicalLocation: { artifactLocation: { uri: 'src/auth/session.py', uriBaseId: 'SRCROOT' } } }] }, 'source-code');
    expect(inRepo).toEqual({ placement: { locations: [{ kind: 'repository', url: 'https://github.com/rh/portal/src/auth/session.py' }], scannedFrom: at(1.5), scannedUntil: at(2) }, problems: [] });
    expect(checkFinding(repoJob(), inRepo.placement, scanner, at(2))).toEqual({ admitted: true, requestIds: ['hospital'] });

    const escape = placementOfSarifResult(run, { locations: [{ physicalLocation: { artifactLocation: { uri: '../other-repo/x.py', uriBaseId: 'SRCROOT' } } }] }, 'source-code');
    expect(checkFinding(repoJob(), escape.placement, scanner, at(2))).toMatchObject({ admitted: false, reasons: [expect.stringMatching(/other-repo\/x.py" is outside every target/)] });
    const viaBase = placementOfSarifResult(run, { locations: [{ physicalLocation: { artifactLocation: { uri: 'portal-fork/x.py', uriBaseId: 'WEB' } } }] }, 'source-code');
    expect(checkFinding(repoJob(), viaBase.placement, scanner, at(2))).toMatchObject({ admitted: false });
    const unplaced = placementOfSarifResult({ ...run, versionControlProvenance: [] }, { locations: [{ physicalLocation: { artifactLocation: { uri: 'src/x.py' } } }] }, 'source-code');
    expect(unplaced.problems).toEqual([expect.stringMatching(/cannot be placed in a repository/)]);
  });

  it('places network results by their URI\'s host, bare hosts included', () => {
    const result = {
      locations: [
        { physicalLocation: { artifactLocation: { uri: 'https://VPN.rural-hospital.org:8443/login?x=1' } } },
        { physicalLocation: { artifactLocation: { uri: '20.1.0.9:22' } } },
        { physicalLocation: { artifactLocation: { uri: '[2600:1f18::1]:443' } } },
        { physicalLocation: { artifactLocation: { index: 0 } } },
      ],
      webRequest: { target: 'http://user@www.community-bank.com/' },
    };
    const run = { artifacts: [{ location: { uri: 'http://0x14.1.0.7/' } }] };
    expect(placementOfSarifResult(run, result, 'vulnerability')).toEqual({
      placement: { locations: [
        { kind: 'host', host: 'vpn.rural-hospital.org' }, { kind: 'host', host: '20.1.0.9' }, { kind: 'host', host: '2600:1f18::1' },
        { kind: 'host', host: '20.1.0.7' }, { kind: 'host', host: 'www.community-bank.com' },
      ] },
      problems: [],
    });
    expect(placementOfSarifResult({}, { locations: [{ physicalLocation: { artifactLocation: { uri: 'src/x.py' } } }] }, 'discovery').problems).toEqual([expect.stringMatching(/names no host/)]);
  });

  it('survives malformed SARIF without crashing, and admits nothing it cannot place', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), fc.constantFrom<ScanKind>('discovery', 'source-code'), (run, result, kind) => {
      const { placement } = placementOfSarifResult(run, result, kind);
      const verdict = checkFinding(kind === 'source-code' ? repoJob() : networkJob(), placement, scanner, at(2));
      if (placement.locations.length === 0) expect(verdict.admitted).toBe(false);
    }), { numRuns: 300 });
  });
});

describe('a result outside the scope is always refused (property)', () => {
  const job = networkJob();
  const octet = fc.integer({ min: 0, max: 255 });
  const arbHost = fc.oneof(
    fc.tuple(fc.constantFrom(20, 21, 8), fc.constantFrom(1, 2), octet, octet).map((p) => p.join('.')),
    fc.tuple(fc.constantFrom('', 'www.', 'vpn.', 'a.b.', 'x'), fc.constantFrom('rural-hospital.org', 'community-bank.com', 'rural-hospital.org.evil.net', 'evilrural-hospital.org', 'hospital.org')).map(([p, d]) => p + d),
  );
  /** The job's targets, written out independently. */
  function inside(h: string): boolean {
    const ip = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
    if (ip) return ip[1] === '20' && ip[2] === '1' && ip[3] === '0';
    return h === 'rural-hospital.org' || h.endsWith('.rural-hospital.org') || h === 'www.community-bank.com';
  }

  it('holds for any mix of locations, times and submitters', () => {
    fc.assert(fc.property(
      fc.array(arbHost, { maxLength: 4 }), fc.integer({ min: -2 * 60, max: 8 * 60 }), fc.constantFrom('ai-lab', 'other-lab'),
      (hosts, minutes, org) => {
        const receivedAt = new Date(now.getTime() + minutes * 60_000);
        const verdict = checkFinding(job, { locations: hosts.map((host) => ({ kind: 'host', host })) }, { organization: org }, receivedAt);
        const inWindow = receivedAt.getTime() >= at(1).getTime() && receivedAt.getTime() < at(5).getTime() + RESULT_GRACE_MS;
        const expected = hosts.length > 0 && hosts.every(inside) && inWindow && org === 'ai-lab';
        expect(verdict.admitted).toBe(expected);
      },
    ), { numRuns: 1000 });
  });
});
