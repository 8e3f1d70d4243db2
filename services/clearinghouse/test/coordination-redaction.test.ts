/**
 * Redaction by embargo party, TLP label and clearance marking, asserted on the serialized output
 * (JSON, as responses and events leave): every detail of the flaw is a sentinel string that cannot
 * occur by accident, and no non-party reader's bytes hold any of them.
 */
import fc from 'fast-check';
import { CLEARANCES, ROLES, clearanceAtLeast, type Clearance, type Marking, type Role } from '@rampart/auth';
import { startEmbargo, extendEmbargo, type Embargo } from '../src/domain/coordination/embargo';
import { EMBARGO_DETAIL_FIELDS, redactFlaw, streamReader, flawTlp, type FlawAudience, type Reader } from '../src/domain/coordination/redaction';
import { TLP_LABELS, type TlpLabel } from '../src/domain/coordination/tlp';

const now = new Date('2026-06-01T12:00:00Z');
const analyst = { subject: 'ana@treasury' };

/** Strings that appear nowhere but in the field they were put in. */
const S = {
  title: 'SENTINEL-title-8f3a',
  description: 'SENTINEL-description-1c9e',
  proof: 'SENTINEL-proof-77b0',
  purl: 'pkg:pypi/sentinel-package-4d2e@1.2.3',
  range: 'SENTINEL-range-<2.0.1',
  cwe: 'CWE-SENTINEL-9131',
  location: 'SENTINEL-src/auth/session.py:42',
  fingerprint: 'SENTINEL-fp-0aa1',
  alias: 'GHSA-sent-inel-q9x2',
  cve: 'CVE-2026-99991',
  vector: 'CVSS:4.0/AV:N/SENTINEL-vector',
  reporterOrg: 'reporterxq7',
  vendorOrg: 'vendorzq7',
  operatorOrg: 'operatorwq7',
  credit: 'SENTINEL-credit-researcher',
  extensionReason: 'SENTINEL-extension-reason-firmware-signing',
  analystSubject: 'SENTINEL-analyst@treasury',
};
const SECRETS = Object.values(S);

function flawRecord() {
  return {
    id: 'flaw-0001',
    status: 'validated',
    tlp: 'AMBER',
    priorityLevel: 'critical',
    title: S.title,
    description: S.description,
    proof: { steps: [S.proof], attachments: [] },
    affected: [{ purl: S.purl, ranges: [S.range] }],
    cwe: [S.cwe],
    locations: [S.location],
    fingerprints: [S.fingerprint],
    aliases: [S.alias, S.cve],
    cveId: S.cve,
    scores: [{ vector: S.vector, baseScore: 9.3 }],
    priority: { level: 'critical', reasons: [S.description] },
    reporters: [{ organization: S.reporterOrg, credit: S.credit }],
    // A field nobody classified yet: a detail by default.
    someFutureField: { nested: [S.fingerprint] },
  };
}

function embargo(): Embargo {
  const e = startEmbargo('flaw-0001', [S.reporterOrg], { endsAt: '2026-07-01T17:00:00-04:00[America/New_York]', vendors: [S.vendorOrg], operators: [S.operatorOrg] }, { subject: S.analystSubject }, now);
  return extendEmbargo(e, { endsAt: '2026-07-10T17:00:00-04:00[America/New_York]', reason: S.extensionReason }, analyst, now);
}

const audience = (over: Partial<FlawAudience> = {}): FlawAudience => ({ sources: [{ organization: S.reporterOrg, tlp: 'AMBER' }], embargo: embargo(), marking: 'UNCLASSIFIED', ...over });
const leaked = (json: string) => SECRETS.filter((s) => json.includes(s));
const reader = (organization: string, roles: Role[], clearance: Clearance = 'TOP_SECRET'): Reader => ({ organization, roles, clearance });

/** Every kind of reader that is not a party: each role from an outside organisation, auditors, streams at every ceiling. */
const NON_PARTIES: [string, Reader][] = [
  ...ROLES.filter((r) => r !== 'clearinghouse-analyst').map((role): [string, Reader] => [`${role} of another organisation`, reader('outsider-org', [role])]),
  ['an auditor (not a party)', reader('oig', ['auditor'])],
  ['an operator not named', reader('other-hospital', ['operator'])],
  ['a vendor not named', reader('other-vendor', ['vendor'])],
  ['a reporter of another flaw', reader('other-ai-lab', ['reporter'])],
  ['a caller with every role but the analyst\'s', reader('outsider-org', ROLES.filter((r) => r !== 'clearinghouse-analyst'))],
  ...CLEARANCES.map((c): [string, Reader] => [`the event stream at ${c}`, streamReader(c)]),
];

describe('an embargoed flaw', () => {
  it.each(NON_PARTIES)('%s receives none of its details (serialized)', (_name, r) => {
    const out = redactFlaw(flawRecord(), audience(), r, now);
    const json = JSON.stringify(out);
    expect(leaked(json)).toEqual([]);
    expect(out.withheldBecause).toBe('embargo');
    expect(out.value).toEqual({ id: 'flaw-0001', status: 'validated', tlp: 'AMBER', priorityLevel: 'critical', embargo: { status: 'active', endsAt: '2026-07-10T17:00:00-04:00[America/New_York]' } });
    expect(out.redactedFields).toEqual([
      'affected', 'aliases', 'cveId', 'cwe', 'description', ...EMBARGO_DETAIL_FIELDS, 'fingerprints', 'locations', 'priority', 'proof', 'reporters', 'scores', 'someFutureField', 'title',
    ].sort());
  });

  it.each<[string, Reader]>([
    ['the reporter', reader(S.reporterOrg, ['reporter'], 'UNCLASSIFIED')],
    ['the vendor', reader(S.vendorOrg, ['vendor'], 'UNCLASSIFIED')],
    ['a named operator', reader(S.operatorOrg, ['operator'], 'UNCLASSIFIED')],
    ['the clearinghouse', reader('treasury', ['clearinghouse-analyst'], 'UNCLASSIFIED')],
  ])('%s (a party) receives every detail', (_name, r) => {
    const out = redactFlaw(flawRecord(), audience(), r, now);
    expect(leaked(JSON.stringify(out))).toEqual(SECRETS);
    expect(out.withheldBecause).toBeUndefined();
    expect(out.redactedFields).toEqual([]);
    expect(out.value.embargo).toMatchObject({ status: 'active', parties: expect.arrayContaining([{ kind: 'vendor', organization: S.vendorOrg }]) });
  });

  it('a party below the details\' marking receives only the summary, withheld for clearance', () => {
    const out = redactFlaw(flawRecord(), audience({ marking: 'CUI' }), reader(S.vendorOrg, ['vendor'], 'UNCLASSIFIED'), now);
    expect(leaked(JSON.stringify(out))).toEqual([]);
    expect(out.withheldBecause).toBe('clearance');
  });

  it('a party the reporter\'s label excludes is still refused: AMBER+STRICT keeps it from the vendor', () => {
    const out = redactFlaw(flawRecord(), audience({ sources: [{ organization: S.reporterOrg, tlp: 'AMBER+STRICT' }] }), reader(S.vendorOrg, ['vendor']), now);
    expect(leaked(JSON.stringify(out))).toEqual([]);
    expect(out.withheldBecause).toBe('tlp');
  });

  it('once the embargo ends, the label decides: AMBER reaches the parties (need to know), not outsiders', () => {
    const after = new Date('2026-07-11T00:00:00Z');
    const outsider = redactFlaw(flawRecord(), audience(), reader('other-hospital', ['operator']), after);
    expect(outsider.withheldBecause).toBe('tlp');
    expect(outsider.value.embargo).toEqual({ status: 'ended', endsAt: '2026-07-10T17:00:00-04:00[America/New_York]' });
    expect(leaked(JSON.stringify(outsider))).toEqual([]);
    const auditor = redactFlaw(flawRecord(), audience(), reader('oig', ['auditor']), after);
    expect(auditor.withheldBecause).toBeUndefined();
    const vendor = redactFlaw(flawRecord(), audience(), reader(S.vendorOrg, ['vendor']), after);
    expect(leaked(JSON.stringify(vendor))).toEqual(SECRETS);
  });

  it('once it ends on a CLEAR flaw, everyone reads', () => {
    const clear = audience({ sources: [{ organization: S.reporterOrg, tlp: 'CLEAR' }] });
    expect(redactFlaw(flawRecord(), clear, streamReader('UNCLASSIFIED'), new Date('2026-07-11T00:00:00Z')).withheldBecause).toBeUndefined();
  });

  it('a flaw merged from two reports is read only by those both labels allow', () => {
    const merged = audience({ embargo: undefined, sources: [{ organization: S.reporterOrg, tlp: 'AMBER+STRICT' }, { organization: 'second-lab', tlp: 'GREEN' }] });
    expect(flawTlp(merged)).toBe('AMBER+STRICT');
    expect(redactFlaw(flawRecord(), merged, reader('second-lab', ['reporter']), now).withheldBecause).toBe('tlp');
    expect(redactFlaw(flawRecord(), merged, reader(S.reporterOrg, ['reporter']), now).withheldBecause).toBeUndefined();
  });

  it('a summary field holding an object is withheld, not shown', () => {
    const f = { ...flawRecord(), status: { secret: S.description } };
    const out = redactFlaw(f, audience(), streamReader('TOP_SECRET'), now);
    expect(leaked(JSON.stringify(out))).toEqual([]);
    expect(out.redactedFields).toContain('status');
  });
});

describe('redaction never leaks details to a reader who may not read them (property)', () => {
  const ORGS = [S.reporterOrg, 'second-lab', S.vendorOrg, S.operatorOrg, 'outsider-org', 'treasury'];
  const arbReader = fc.record({
    organization: fc.constantFrom(...ORGS, ''),
    roles: fc.subarray([...ROLES]),
    clearance: fc.constantFrom(...CLEARANCES),
  });
  const arbAudience = fc.record({
    sources: fc.array(fc.record({ organization: fc.constantFrom(...ORGS), tlp: fc.constantFrom(...TLP_LABELS) }), { maxLength: 3 }),
    recipients: fc.subarray(ORGS),
    vendors: fc.subarray(ORGS),
    operators: fc.subarray(ORGS),
    embargoed: fc.boolean(),
    marking: fc.constantFrom(...CLEARANCES),
    hoursLater: fc.integer({ min: 0, max: 24 * 60 }),
  });

  /** The rule, written out independently of the code under test. */
  function entitled(a: { sources: { organization: string; tlp: TlpLabel }[]; recipients: string[]; vendors: string[]; operators: string[]; embargoed: boolean; marking: Marking }, r: Reader, embargoActive: boolean): boolean {
    const analyst = r.roles.includes('clearinghouse-analyst');
    const parties = a.embargoed ? [...a.sources.map((s) => s.organization), ...a.vendors, ...a.operators] : [];
    const party = analyst || (r.organization !== '' && parties.includes(r.organization));
    if (a.embargoed && embargoActive && !party) return false;
    const needToKnow = [...a.recipients, ...parties];
    const sources = a.sources.length > 0 ? a.sources : [{ organization: '', tlp: 'AMBER' as const }];
    const own = (s: { organization: string }) => r.organization !== '' && s.organization === r.organization;
    const allowed = sources.every((s) => {
      switch (s.tlp) {
        case 'CLEAR': case 'GREEN': return true;
        case 'AMBER': return own(s) || analyst || r.roles.includes('auditor') || (r.organization !== '' && needToKnow.includes(r.organization));
        case 'AMBER+STRICT': return own(s) || analyst || r.roles.includes('auditor');
        case 'RED': return own(s) || analyst;
      }
    });
    return allowed && clearanceAtLeast(r.clearance, a.marking);
  }

  it('holds for every audience, reader and time', () => {
    fc.assert(fc.property(arbAudience, arbReader, (a, r) => {
      const e = a.embargoed
        ? startEmbargo('flaw-0001', a.sources.map((s) => s.organization), { endsAt: '2026-06-30T12:00:00Z', vendors: a.vendors, operators: a.operators }, { subject: S.analystSubject }, now)
        : undefined;
      const at = new Date(now.getTime() + a.hoursLater * 3600_000);
      const out = redactFlaw(flawRecord(), { sources: a.sources, recipients: a.recipients, marking: a.marking, ...(e ? { embargo: e } : {}) }, r, at);
      const json = JSON.stringify(out);
      const active = at.getTime() < new Date('2026-06-30T12:00:00Z').getTime();
      if (entitled(a, r, active)) {
        expect(out.withheldBecause).toBeUndefined();
        // The check can see: an entitled reader gets every sentinel of the record.
        expect(json).toContain(S.proof);
      } else {
        expect(out.withheldBecause).toBeDefined();
        expect(leaked(json)).toEqual([]);
      }
    }), { numRuns: 2000 });
  });
});
