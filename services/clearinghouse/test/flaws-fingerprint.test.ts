/**
 * Fingerprints before any id exists: purl identity + range + CWE + location flag LIKELY duplicates
 * with a reason, and never merge anything.
 */
import { FLAW_LIMITS, compareVersions, fingerprintKeys, likelyDuplicates, packageIdentity, regroup } from '../src/domain/flaws';
import { rec } from './flaws-builders';

const lxml = (id: string, extra: Parameters<typeof rec>[2] = {}) =>
  rec(id, [], { source: 'reporter', affected: [{ purl: 'pkg:pypi/lxml', ranges: [{ introduced: '0', fixed: '4.6.3' }], versions: [] }], cwes: ['CWE-79'], ...extra });

describe('package identity', () => {
  it('is type/namespace/name as packageurl-js makes them canonical, without version, qualifiers or subpath', () => {
    expect(packageIdentity('pkg:pypi/Django_REST@3.1?os=linux#sub')).toEqual({ identity: 'pkg:pypi/django-rest', version: '3.1' });
    expect(packageIdentity('pkg:npm/%40angular/core@12.0.0')).toEqual({ identity: 'pkg:npm/%40angular/core', version: '12.0.0' });
    expect(packageIdentity('not a purl')).toBeUndefined();
    expect(packageIdentity('pkg:')).toBeUndefined();
  });
});

describe('version order', () => {
  it.each([
    ['1.0', '1.0.0', 0],
    ['1.0rc1', '1.0', -1],
    ['1.0', '1.0.post1', -1],
    ['1.0.1', '1.0rc1', 1],
    ['4.6.3', '4.10', -1],
    ['v2.0.0-beta.1', '2.0.0', -1],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
    expect(Math.sign(compareVersions(b, a)) || 0).toBe(-sign || 0);
  });
});

describe('likely duplicates', () => {
  it('same package, overlapping range, same CWE: high, with the reason in words', () => {
    const other = lxml('report-2', { affected: [{ purl: 'pkg:pypi/LXML@4.6.2', ranges: [], versions: [] }] });
    expect(likelyDuplicates(lxml('report-1'), [other])).toEqual([
      { record: 'report-1', candidate: 'report-2', likelihood: 'high', reason: 'same package pkg:pypi/lxml, overlapping range 4.6.2, same CWE-79' },
    ]);
    const ranged = lxml('report-3', { affected: [{ purl: 'pkg:pypi/lxml', ranges: [{ introduced: '2.0', fixed: '5.0' }], versions: [] }] });
    expect(likelyDuplicates(lxml('report-1'), [ranged])[0]?.reason).toBe('same package pkg:pypi/lxml, overlapping range >=2.0, <4.6.3, same CWE-79');
    expect(likelyDuplicates(lxml('report-1'), [lxml('report-4')])[0]?.reason).toBe('same package pkg:pypi/lxml, overlapping range <4.6.3, same CWE-79');
  });

  it('nothing without a CWE in common: nothing tells flaws of one package apart', () => {
    expect(likelyDuplicates(lxml('report-1'), [lxml('PYSEC-9', { cwes: [] })])).toEqual([]);
    expect(likelyDuplicates(lxml('PYSEC-9', { cwes: [] }), [lxml('PYSEC-10', { cwes: [] })])).toEqual([]);
  });

  it('nothing for disjoint ranges, another package, or different CWEs', () => {
    const later = lxml('r-late', { affected: [{ purl: 'pkg:pypi/lxml', ranges: [{ introduced: '4.6.3' }], versions: [] }] });
    const otherPackage = lxml('r-pkg', { affected: [{ purl: 'pkg:pypi/lxml-html-clean', ranges: [], versions: [] }] });
    const otherCwe = lxml('r-cwe', { cwes: ['CWE-611'] });
    expect(likelyDuplicates(lxml('report-1'), [later, otherPackage, otherCwe])).toEqual([]);
  });

  it("a scanner's findings: same file and line with the same rule (or the scanner's own fingerprint)", () => {
    const finding = (id: string, line: number, rule: string, fingerprint?: string) =>
      rec(id, [], { source: 'sarif', locations: [{ uri: id.startsWith('a') ? './src/app.py' : 'src/app.py', startLine: line, ruleId: rule, ...(fingerprint ? { fingerprint } : {}) }] });
    expect(likelyDuplicates(finding('a-1', 42, 'py/sql-injection'), [finding('b-1', 42, 'py/sql-injection'), finding('b-2', 43, 'py/sql-injection'), finding('b-3', 99, 'py/xss')])).toEqual([
      { record: 'a-1', candidate: 'b-1', likelihood: 'high', reason: 'same location src/app.py:42, same rule py/sql-injection' },
      { record: 'a-1', candidate: 'b-2', likelihood: 'medium', reason: 'same file src/app.py:42, same rule py/sql-injection' },
    ]);
    expect(likelyDuplicates(finding('a-2', 1, 'r1', 'abc123'), [finding('b-4', 7, 'r2', 'abc123')])[0]).toMatchObject({ likelihood: 'high', reason: 'same scanner fingerprint abc123' });
    expect(likelyDuplicates(finding('a-3', 5, 'r1'), [finding('b-5', 5, 'r2')])[0]).toMatchObject({ likelihood: 'medium', reason: 'same location src/app.py:5, another rule' });
  });

  it('skips itself, withdrawn records and records already one flaw with it', () => {
    expect(likelyDuplicates(lxml('report-1'), [lxml('report-1'), lxml('w', { withdrawn: true }), lxml('same')], new Set(['same']))).toEqual([]);
  });

  it('never merges: records with the same fingerprint and no shared id stay two flaws', () => {
    expect(regroup([lxml('report-1'), lxml('report-2')]).groups).toHaveLength(2);
  });

  it('gives each record its buckets (one per package or file), bounded, and survives bad purls', () => {
    const keys = fingerprintKeys(lxml('report-1', { affected: [{ purl: 'pkg:pypi/lxml@1.0', ranges: [], versions: [] }, { purl: '%%%', ranges: [], versions: [] }, { ranges: [], versions: [] }], locations: [{ uri: './a.py', startLine: 3, ruleId: 'r', fingerprint: 'f' }, { uri: 'b.py' }] }));
    expect(keys).toEqual(['loc:a.py#r', 'loc:a.py:3', 'pkg:pypi/lxml#CWE-79', 'sarif:f']);
    const many = rec('many', [], { cwes: ['CWE-79'], affected: Array.from({ length: 100 }, (_, i) => ({ purl: `pkg:npm/p${i}`, ranges: [], versions: [] })) });
    expect(fingerprintKeys(many)).toHaveLength(FLAW_LIMITS.fingerprintKeys);
  });
});
