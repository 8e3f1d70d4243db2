/**
 * The pieces under the validators: ajv errors to pointers, linear-time patterns with ECMA-262's
 * meaning, `uniqueItems` by canonical key, limits, capping, and the helpers the canonical forms use.
 */
import type { ErrorObject } from 'ajv';
import { canonicalPurlText, canonicalTimestamp, checkShape, DEFAULT_LIMITS, limitsWith, purlForPackage, purlIdentity, purlProblem, purlVersion, rangesFromEvents, rangesFromVers } from '../src/domain/formats';
import { prohibitedCategoryProblems } from '../src/domain/formats/csaf/category';
import { testIdOf, withHistoryInOrder } from '../src/domain/formats/csaf/rules';
import { compileLinear, ecmaToRe2Semantics } from '../src/domain/formats/linear-regexp';
import { capProblems, pointer, verdict } from '../src/domain/formats/problems';
import { createAjv, problemOf } from '../src/domain/formats/schema-engine';
import { canonicalKey } from '../src/domain/formats/unique-items';

function ajvError(keyword: string, instancePath: string, params: Record<string, unknown>, message = 'm'): ErrorObject {
  return { keyword, instancePath, schemaPath: '#', params, message };
}

describe('ajv errors as problems', () => {
  it('points at a missing or extra property itself, escaped as RFC 6901 says', () => {
    expect(problemOf(ajvError('required', '/a~1b', { missingProperty: 'x/y~z' }))).toEqual({ pointer: '/a~1b/x~1y~0z', message: 'is required', rule: 'schema' });
    expect(problemOf(ajvError('additionalProperties', '', { additionalProperty: '~' }))).toEqual({ pointer: '/~0', message: 'is not an allowed property here', rule: 'schema' });
    expect(problemOf(ajvError('enum', '/s', { allowedValues: ['a', 'b'] })).message).toBe('must be one of the allowed values: "a", "b"');
    expect(pointer('a/b', 0, '~')).toBe('/a~1b/0/~0');
  });

  it('applies each pattern of a schema, not the first compiled (ajv caches patterns by their text)', () => {
    const validate = createAjv('2020-12').compile({ type: 'object', properties: { a: { type: 'string', pattern: '^a+$' }, b: { type: 'string', pattern: '^b+$' }, $anchor: { type: 'string' } } });
    expect(validate({ a: 'aaa', b: 'bbb' })).toBe(true);
    expect(validate({ a: 'bbb', b: 'aaa' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(['/a', '/b']);
  });
});

describe('linear-time patterns', () => {
  it('read `.`, `\\s` and `\\S` as ECMA-262 does', () => {
    const cases: [pattern: string, input: string][] = [
      ['^[\\S](.*[\\S])?$', 'a\u00a0'],
      ['^[\\S](.*[\\S])?$', '\u00a0a'],
      ['^[\\S](.*[\\S])?$', 'a\rb'],
      ['^[\\S](.*[\\S])?$', 'a\u2028b'],
      ['^[\\S](.*[\\S])?$', 'a b'],
      ['^[^\\s\\-_\\.](.*[^\\s\\-_\\.])?$', '\ufeffx'],
      ['^[^\\s\\-_\\.](.*[^\\s\\-_\\.])?$', 'x y'],
      ['^a.c$', 'a\nc'],
      ['^a\\sc$', 'a\u3000c'],
      ['^[^\\]]+$', 'a]'],
      ['[^/]+/.+', 'text/plain'],
      ['^\\u0041$', 'A'],
    ];
    for (const [p, input] of cases) expect({ p, input, re2: compileLinear(p).test(input) }).toEqual({ p, input, re2: new RegExp(p, 'u').test(input) });
    expect(ecmaToRe2Semantics('a.b')).not.toContain('a.b');
  });

  it('stay linear where V8 backtracks quadratically', () => {
    const start = performance.now();
    expect(compileLinear('[^/]+/.+').test('a'.repeat(1_000_000))).toBe(false);
    expect(compileLinear('[0-9]+(\\.[0-9]+){3}').test('0'.repeat(1_000_000))).toBe(false);
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});

describe('uniqueItems', () => {
  it('compares as JSON Schema does: objects by content whatever the key order', () => {
    expect(canonicalKey({ a: 1, b: [1, { c: 'x' }] })).toBe(canonicalKey({ b: [1, { c: 'x' }], a: 1 }));
    expect(canonicalKey([1, '1'])).not.toBe(canonicalKey(['1', 1]));
    expect(canonicalKey(['a', ':x'])).not.toBe(canonicalKey(['a:x']));
    expect(canonicalKey({ 'a,"b"': 1 })).not.toBe(canonicalKey({ a: 1, b: 1 }));
    const validate = createAjv('draft-07').compile({ type: 'array', uniqueItems: true });
    expect(validate([{ a: 1, b: 2 }, { b: 2, a: 1 }])).toBe(false);
    expect(validate([{ a: 1 }, { a: '1' }, 1, '1', null, [null]])).toBe(true);
  });
});

describe('limits', () => {
  it('name each excess by its escaped pointer and count them all', () => {
    const limits = limitsWith({ maxStringChars: 3, maxProblems: 2 });
    const shape = checkShape({ 'a/b': 'long', c: ['long', 'long'], ok: 'abc' }, limits);
    expect(shape.total).toBe(3);
    expect(shape.problems.map((p) => p.pointer)).toEqual(['/a~1b', '/c/0']);
  });

  it('cap a list at the limit with one entry saying how many more, after removing repeats', () => {
    const many = Array.from({ length: 5 }, (_, i) => ({ pointer: `/${i}`, message: 'x' }));
    expect(capProblems(many, 2).at(-1)).toEqual({ pointer: '', message: 'and 3 more problems', rule: 'limits' });
    const v = verdict({}, [...many, ...many], [], 2);
    expect(v.errorCount).toBe(5);
    expect(v.errors).toHaveLength(3);
    expect(DEFAULT_LIMITS.maxProblems).toBe(1_000);
  });
});

describe('purl helpers', () => {
  it('give identities without version, qualifiers or subpath, in canonical form', () => {
    expect(purlIdentity('pkg:pypi/Django_Rest@1.0?x=1#sub')).toBe('pkg:pypi/django-rest');
    expect(purlVersion('pkg:npm/%40angular/core@16.0.0')).toBe('16.0.0');
    expect(canonicalPurlText('pkg:PYPI/Foo')).toBe('pkg:pypi/foo');
    expect(purlIdentity('not a purl')).toBeUndefined();
    expect(purlIdentity(`pkg:npm/${'a'.repeat(10_000)}`)).toBeUndefined();
    expect(purlProblem('pkg:npm')).toMatch(/name/);
  });

  it('map OSV ecosystems to purl types', () => {
    expect(purlForPackage('PyPI', 'Jinja2')).toBe('pkg:pypi/jinja2');
    expect(purlForPackage('Maven', 'org.apache.logging.log4j:log4j-core')).toBe('pkg:maven/org.apache.logging.log4j/log4j-core');
    expect(purlForPackage('npm', '@babel/core')).toBe('pkg:npm/%40babel/core');
    expect(purlForPackage('Go', 'golang.org/x/net')).toBe('pkg:golang/golang.org/x/net');
    expect(purlForPackage('crates.io', 'tokio')).toBe('pkg:cargo/tokio');
    expect(purlForPackage('Debian:12', 'openssl')).toBe('pkg:deb/debian/openssl');
    expect(purlForPackage('Nonesuch', 'x')).toBeUndefined();
  });
});

describe('ranges and timestamps', () => {
  it('read OSV events and vers ranges', () => {
    expect(rangesFromEvents([{ introduced: '0' }, { fixed: '1.0' }, { introduced: '2.0' }])).toEqual([{ introduced: '0', fixed: '1.0' }, { introduced: '2.0' }]);
    expect(rangesFromVers('vers:npm/>=1.0.0|<1.2.3|>=2.0.0|<=2.0.4')).toEqual({ ranges: [{ introduced: '1.0.0', fixed: '1.2.3' }, { introduced: '2.0.0', lastAffected: '2.0.4' }], versions: [] });
    expect(rangesFromVers('vers:generic/1.0|1.1')).toEqual({ ranges: [], versions: ['1.0', '1.1'] });
    expect(rangesFromVers('prior to 4.2')).toEqual({ ranges: [], versions: [] });
  });

  it('give a zone-less timestamp Z and leave others', () => {
    expect(canonicalTimestamp('2024-01-01T10:00:00')).toBe('2024-01-01T10:00:00Z');
    expect(canonicalTimestamp('2024-01-01T10:00:00+02:00')).toBe('2024-01-01T10:00:00+02:00');
    expect(canonicalTimestamp('2024-01-01')).toBe('2024-01-01');
  });
});

describe('CSAF rule adjustments', () => {
  it('name tests by their id', () => {
    expect(testIdOf('mandatoryTest_6_1_27_10')).toBe('6.1.27.10');
    expect(testIdOf('informativeTest_6_3_1')).toBe('6.3.1');
  });

  it('order the revision history by date, then number, touching nothing else', () => {
    const doc = { document: { title: 't', tracking: { id: 'x', revision_history: [{ date: '2021-07-22T10:00:00.000Z', number: '2' }, { date: '2021-07-22T10:00:00.000Z', number: '1' }, { date: '2021-07-21T10:00:00.000Z', number: '10' }] } } };
    const ordered = withHistoryInOrder(doc) as typeof doc;
    expect(ordered.document.tracking.revision_history.map((r) => r.number)).toEqual(['10', '1', '2']);
    expect(doc.document.tracking.revision_history.map((r) => r.number)).toEqual(['2', '1', '10']);
    expect(withHistoryInOrder(null)).toBeNull();
  });

  it('6.1.26: refuse categories too close to another profile, as the standard examples do', () => {
    for (const bad of ['Security_Incident_Response', 'csaf_BASE', 'Csaf_VeX', 'csafsecurityadvisory', 'security-advisory', 'V E X']) {
      expect(prohibitedCategoryProblems({ document: { category: bad } })).toEqual([expect.objectContaining({ pointer: '/document/category', rule: '6.1.26' })]);
    }
    for (const good of ['csaf_base', 'csaf_vex', 'OASIS CSAF TC Security Incident Response', 'vendor_bulletin']) {
      expect(prohibitedCategoryProblems({ document: { category: good } })).toEqual([]);
    }
  });
});
