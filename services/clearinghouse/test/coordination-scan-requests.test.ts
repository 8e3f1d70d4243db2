/**
 * Filing a scan request: targets of every kind normalised, dangerous and overbroad ones refused,
 * scope and window checked, every violation named at once.
 */
import { ValidationError } from '@rampart/errors';
import { validateScanRequest, type ScanRequestInput } from '../src/domain/coordination/scan-request';
import { parseScanTarget, targetsCover, targetsOverlap, unionTargets, type ScanTarget } from '../src/domain/coordination/scan-targets';
import { normalizeDnsName } from '../src/domain/coordination/names';

const now = new Date('2026-06-01T12:00:00Z');
const operator = { organization: 'rural-hospital', subject: 'it@rural-hospital' };
const window = { start: '2026-06-02T01:00:00-05:00[America/Chicago]', end: '2026-06-02T05:00:00-05:00[America/Chicago]' };

function violations(input: ScanRequestInput): { field: string; description: string }[] {
  try {
    validateScanRequest(input, 'req-1', operator, now);
  } catch (e) {
    if (e instanceof ValidationError) return [...e.violations];
    throw e;
  }
  throw new Error('expected a ValidationError');
}

function target(kind: string, value: string, includeSubdomains?: boolean): ScanTarget | string {
  const out: { field: string; description: string }[] = [];
  const t = parseScanTarget(out, 't', { kind, value, ...(includeSubdomains === undefined ? {} : { includeSubdomains }) });
  return t ?? out.map((v) => v.description).join('; ');
}

describe('targets', () => {
  it.each<[string, string, boolean | undefined, ScanTarget]>([
    ['host', '20.1.2.3', undefined, { kind: 'host', host: '20.1.2.3' }],
    ['host', '[2600:1F18::0001]', undefined, { kind: 'host', host: '2600:1f18::1' }],
    ['host', 'Portal.Rural-Hospital.ORG.', undefined, { kind: 'host', host: 'portal.rural-hospital.org' }],
    ['host', 'bücher-klinik.de', undefined, { kind: 'host', host: 'xn--bcher-klinik-dlb.de' }],
    ['cidr', '20.1.0.0/16', undefined, { kind: 'cidr', cidr: '20.1.0.0/16' }],
    ['cidr', '2600:1F18:0::/48', undefined, { kind: 'cidr', cidr: '2600:1f18::/48' }],
    ['cidr', '20.1.2.3/32', undefined, { kind: 'host', host: '20.1.2.3' }],
    ['domain', 'rural-hospital.org', true, { kind: 'domain', domain: 'rural-hospital.org' }],
    ['domain', '*.rural-hospital.org', true, { kind: 'domain', domain: 'rural-hospital.org' }],
    ['domain', 'rural-hospital.org', false, { kind: 'host', host: 'rural-hospital.org' }],
    ['repository', 'https://GitHub.com/rural-hospital/portal.git/', undefined, { kind: 'repository', url: 'https://github.com/rural-hospital/portal' }],
    ['repository', 'https://git.rural-hospital.org:8443/it/portal', undefined, { kind: 'repository', url: 'https://git.rural-hospital.org:8443/it/portal' }],
  ])('%s %s (subdomains %s) is kept as %j', (kind, value, sub, expected) => {
    expect(target(kind, value, sub)).toEqual(expected);
  });

  it.each<[string, string, boolean | undefined, RegExp]>([
    ['cidr', '20.0.0.0/8', undefined, /too broad: at most \/16/],
    ['cidr', '2600::/32', undefined, /too broad: at most \/48/],
    ['cidr', '10.0.0.0/16', undefined, /private-use/],
    ['cidr', '20.1.2.3/16', undefined, /host bits set/],
    ['host', '127.0.0.1', undefined, /loopback/],
    ['host', '169.254.169.254', undefined, /link-local/],
    ['host', '::ffff:10.0.0.1', undefined, /not IPv6 global unicast/],
    ['host', 'localhost', undefined, /at least two labels|special-use/],
    ['host', 'intranet', undefined, /at least two labels/],
    ['host', 'printer.local', undefined, /special-use/],
    ['host', 'www.example.com', undefined, /special-use or reserved/],
    ['host', 'rural-hospital.org:443', undefined, /without port, path or scheme/],
    ['host', 'https://rural-hospital.org', undefined, /without port, path or scheme/],
    ['host', 'bad_label.org', undefined, /letters, digits or inner hyphens/],
    ['host', '-bad.org', undefined, /letters, digits or inner hyphens/],
    ['host', '1.2.3.999', undefined, /all-numeric label/],
    ['domain', 'co.uk', true, /public suffix/],
    ['domain', 'org', true, /at least two labels/],
    ['domain', 'rural-hospital.test', true, /special-use/],
    ['repository', 'http://github.com/a/b', undefined, /https URL/],
    ['repository', 'https://user:token@github.com/a/b', undefined, /credentials/],
    ['repository', 'https://github.com/', undefined, /not a whole host/],
    ['repository', 'https://github.com/a/b?x=1', undefined, /query or fragment/],
    ['repository', 'git@github.com:a/b.git', undefined, /https URL/],
    ['repository', 'https://10.0.0.5/a/b', undefined, /IP address/],
    ['vhost', 'a.org', undefined, /must be one of host, cidr, domain, repository/],
  ])('%s %s is refused: %s', (kind, value, sub, reason) => {
    expect(target(kind, value, sub)).toMatch(reason);
  });

  it('overlap and coverage follow the kinds: names by domain, addresses by prefix, files by repository', () => {
    const t = (k: string, v: string, s?: boolean) => target(k, v, s) as ScanTarget;
    expect(targetsOverlap(t('cidr', '20.1.0.0/16'), t('host', '20.1.255.255'))).toBe(true);
    expect(targetsOverlap(t('cidr', '20.1.0.0/16'), t('host', '20.2.0.0'))).toBe(false);
    expect(targetsOverlap(t('domain', 'rural-hospital.org', true), t('host', 'a.b.rural-hospital.org'))).toBe(true);
    expect(targetsOverlap(t('domain', 'rural-hospital.org', true), t('host', 'evilrural-hospital.org'))).toBe(false);
    expect(targetsOverlap(t('host', 'rural-hospital.org'), t('host', 'www.rural-hospital.org'))).toBe(false);
    expect(targetsOverlap(t('repository', 'https://github.com/a/b'), t('repository', 'https://github.com/a/bc'))).toBe(false);
    expect(targetsOverlap(t('repository', 'https://github.com/a/b'), t('host', 'github.com'))).toBe(false);
    const targets = [t('domain', 'rural-hospital.org', true), t('cidr', '20.1.0.0/16'), t('repository', 'https://github.com/rh/portal')];
    expect(targetsCover(targets, { kind: 'host', host: 'VPN.Rural-Hospital.org.' })).toBe(true);
    expect(targetsCover(targets, { kind: 'host', host: 'rural-hospital.org.evil.net' })).toBe(false);
    expect(targetsCover(targets, { kind: 'host', host: '20.1.9.9' })).toBe(true);
    expect(targetsCover(targets, { kind: 'host', host: '20.2.0.1' })).toBe(false);
    expect(targetsCover(targets, { kind: 'repository', url: 'https://github.com/rh/portal/blob/abc/src/x.py' })).toBe(true);
    expect(targetsCover(targets, { kind: 'repository', url: 'https://github.com/rh/portal-fork/blob/abc/src/x.py' })).toBe(false);
    expect(targetsCover(targets, { kind: 'repository', url: 'https://github.com/rh/portal/../other/x.py' })).toBe(false);
  });

  it('the union is canonical: aggregated, deduplicated, covered names dropped, sorted', () => {
    const t = (k: string, v: string, s?: boolean) => target(k, v, s) as ScanTarget;
    const union = unionTargets([
      t('repository', 'https://github.com/rh/portal'), t('host', 'www.rural-hospital.org'), t('cidr', '20.1.1.0/24'), t('host', '20.1.0.7'),
      t('domain', 'rural-hospital.org', true), t('cidr', '20.1.0.0/24'), t('host', 'rural-hospital.org'), t('host', '2600:1f18::1'), t('repository', 'https://github.com/rh/portal'),
      t('host', 'clinic.net'),
    ]);
    expect(union).toEqual([
      { kind: 'cidr', cidr: '20.1.0.0/23' }, { kind: 'host', host: '2600:1f18::1' }, { kind: 'host', host: 'clinic.net' },
      { kind: 'domain', domain: 'rural-hospital.org' }, { kind: 'repository', url: 'https://github.com/rh/portal' },
    ]);
    expect(unionTargets(union)).toEqual(union);
  });

  it('IDN names normalise once and for all', () => {
    expect(normalizeDnsName('BÜCHER.example.de')).toEqual({ name: 'xn--bcher-kva.example.de' });
  });
});

describe('a scan request', () => {
  it('is kept with canonical targets, its scope in order, and its window with zones', () => {
    const r = validateScanRequest({
      targets: [{ kind: 'cidr', value: '20.1.0.0/24' }, { kind: 'cidr', value: '20.1.1.0/24' }, { kind: 'repository', value: 'https://github.com/rh/portal' }],
      scope: ['source-code', 'vulnerability', 'vulnerability'],
      window,
    }, 'req-1', operator, now);
    expect(r).toEqual({
      id: 'req-1', operator: 'rural-hospital', requestedBy: 'it@rural-hospital',
      targets: [{ kind: 'cidr', cidr: '20.1.0.0/23' }, { kind: 'repository', url: 'https://github.com/rh/portal' }],
      scope: ['vulnerability', 'source-code'],
      window: { start: { at: new Date('2026-06-02T06:00:00Z'), zone: 'America/Chicago' }, end: { at: new Date('2026-06-02T10:00:00Z'), zone: 'America/Chicago' } },
      filedAt: now,
    });
  });

  it('names every violation at once', () => {
    expect(violations({
      targets: [{ kind: 'cidr', value: '20.0.0.0/8' }, { kind: 'host', value: '192.168.1.10' }, { kind: 'repository', value: 'https://github.com/rh/portal' }, { kind: 'nope', value: 'x' }],
      scope: ['vulnerability', 'exploitation'],
      window: { start: '2026-06-02T01:00:00', end: '2026-06-02T05:00:00-05:00' },
    })).toEqual([
      { field: 'targets[0].value', description: expect.stringMatching(/too broad/) },
      { field: 'targets[1].value', description: expect.stringMatching(/private-use/) },
      { field: 'targets[3].kind', description: expect.stringMatching(/must be one of/) },
      { field: 'scope[1]', description: expect.stringMatching(/must be one of passive, discovery, vulnerability, authenticated, source-code/) },
      { field: 'targets[2]', description: expect.stringMatching(/only a source-code test applies/) },
      { field: 'window.start', description: expect.stringMatching(/time zone offset/) },
    ]);
  });

  it.each<[ScanRequestInput, { field: string; description: RegExp }]>([
    [{ targets: [], scope: ['passive'], window }, { field: 'targets', description: /at least one target/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: [], window }, { field: 'scope', description: /at least one kind/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: ['passive', 'source-code'], window }, { field: 'scope', description: /source-code but no repository/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3', includeSubdomains: true }], scope: ['passive'], window }, { field: 'targets[0].include_subdomains', description: /domains only/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: ['passive'], window: { start: window.start, end: '2026-06-02T01:10:00-05:00' } }, { field: 'window.end', description: /at least 15 minutes after the start/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: ['passive'], window: { start: window.start, end: '2026-07-15T00:00:00Z' } }, { field: 'window.end', description: /at most 30 days/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: ['passive'], window: { start: '2026-05-01T00:00:00Z', end: '2026-05-02T00:00:00Z' } }, { field: 'window.end', description: /at least 15 minutes after now/ }],
    [{ targets: [{ kind: 'host', value: '20.1.2.3' }], scope: ['passive'], window: { start: '2027-07-01T00:00:00Z', end: '2027-07-02T00:00:00Z' } }, { field: 'window.start', description: /within a year/ }],
    [{ targets: ['20.1.0.0/16', '20.2.0.0/16', '20.3.0.0/16', '20.4.0.0/16', '20.5.0.0/16'].map((value) => ({ kind: 'cidr', value })), scope: ['discovery'], window }, { field: 'targets', description: /IPv4 addresses: at most 262144/ }],
    [{ targets: Array.from({ length: 101 }, (_, i) => ({ kind: 'host', value: `h${i}.rural-hospital.org` })), scope: ['passive'], window }, { field: 'targets', description: /at most 100 targets/ }],
  ])('refuses %#', (input, expected) => {
    expect(violations(input)).toEqual([{ field: expected.field, description: expect.stringMatching(expected.description) }]);
  });

  it('survives hostile input without crashing', () => {
    const big = 'a'.repeat(1_000_000);
    expect(violations({ targets: [{ kind: 'host', value: big }, { kind: 'repository', value: big }, undefined, {}], scope: [undefined, big], window: { start: big, end: '\u0000' } }).length).toBeGreaterThan(5);
  });
});
