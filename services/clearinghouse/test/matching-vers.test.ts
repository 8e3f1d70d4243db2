/**
 * package-url's version range specifier (VERSION-RANGE-SPEC): parsing, validity and the containment
 * procedure, on the spec's own examples; and a CSAF `product_version_range` read through it, whose
 * constraints the spec leaves unordered.
 */
import { rangesFromVers } from '../src/domain/formats';
import { affects, containedIn, parseVers } from '../src/domain/matching';

describe('vers', () => {
  it('parses as the spec says: spaces dropped, `=` implied, percent-decoding, `*` alone', () => {
    expect(parseVers('vers:npm/ >=1.0.0 | <2.0.0 ')).toEqual({ scheme: 'npm', star: false, constraints: [{ comparator: '>=', version: '1.0.0' }, { comparator: '<', version: '2.0.0' }] });
    expect(parseVers('vers:pypi/1.0%7C1|2.0')).toEqual({ scheme: 'pypi', star: false, constraints: [{ comparator: '=', version: '1.0|1' }, { comparator: '=', version: '2.0' }] });
    expect(parseVers('vers:deb/*')).toEqual({ scheme: 'deb', star: true, constraints: [] });
    for (const bad of ['npm/>=1.0.0', 'vers:/1.0', 'vers:NPM/1.0', 'vers:npm/', 'vers:npm/1.*', 'vers:npm/>=', `vers:npm/${'1|'.repeat(300)}`]) {
      expect({ bad, parsed: 'problem' in parseVers(bad) }).toEqual({ bad, parsed: true });
    }
  });

  it.each([
    // The spec's examples, with versions in and out of each.
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.2.3', 'in'],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '1.2.4', 'out'],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '4.9.9', 'in'],
    ['vers:npm/1.2.3|>=2.0.0|<5.0.0', '5.0.0', 'out'],
    // PEP 440 spells a release candidate rc, c, pre or preview: equal versions, so listed.
    ['vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1', '2.0rc1', 'in'],
    ['vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1', '2.0c1', 'in'],
    ['vers:pypi/0.0.0|0.0.1|0.0.2|0.0.3|1.0|2.0pre1', '2.0a1', 'out'],
    ['vers:tomee/>=1.0.0-beta1|<=1.7.5|>=7.0.0-M1|<=7.0.7|>=7.1.0|<=7.1.2|>=8.0.0-M1|<=8.0.1', '7.0.5', 'unknown'],
    ['vers:gem/>=2.2.0|!=2.2.1|<2.3.0', '2.2.1', 'out'],
    ['vers:gem/>=2.2.0|!=2.2.1|<2.3.0', '2.2.2', 'in'],
    ['vers:maven/<1.0.0|>=2.0.0', '3.0', 'in'],
    ['vers:maven/<1.0.0|>=2.0.0', '1.5', 'out'],
    ['vers:maven/>=2.0.0|<1.0.0', '0.9', 'in'], // unordered as written: sorted first
    ['vers:deb/*', '1:2.3-4', 'in'],
    ['vers:none/*', '1.0', 'out'],
    ['vers:generic/1.0|1.1', '1.1', 'in'],
    ['vers:generic/>=1.0', '1.1', 'unknown'], // generic's order is not settled by the spec
    ['vers:npm/>=1.0.0|>=2.0.0', '1.5.0', 'unknown'], // comparators do not alternate: invalid
    ['vers:npm/1.0.0|1.0.0', '1.0.0', 'unknown'], // a version twice: invalid
    ['vers:npm/>=1.0.0|<2.0.0', 'not-a-version', 'unknown'],
  ])('%s contains %s: %s', (range, version, result) => {
    expect(containedIn(range, version).result).toBe(result);
  });

  it('a CSAF range reads through the spec: constraints sorted in the scheme order, `=` listed, `!=` listed as excluded', () => {
    expect(rangesFromVers('vers:maven/>=2.0.0|<1.0.0')).toEqual({ ranges: [{ fixed: '1.0.0' }, { introduced: '2.0.0' }], versions: [] });
    expect(rangesFromVers('vers:npm/<=2.0.4|>=2.0.0|<1.2.3|>=1.0.0')).toEqual({ ranges: [{ introduced: '1.0.0', fixed: '1.2.3' }, { introduced: '2.0.0', lastAffected: '2.0.4' }], versions: [] });
    expect(rangesFromVers('vers:gem/>=2.2.0|!=2.2.1|<2.3.0')).toEqual({ ranges: [{ introduced: '2.2.0', fixed: '2.3.0' }], versions: [], excluded: ['2.2.1'] });
  });
});

describe('a CSAF vers range decides a component', () => {
  it('the excluded version and an exclusive lower bound are not affected; the rest of the range is', () => {

    const fromVers = rangesFromVers('vers:gem/>1.0.0|<1.5.0|>=2.2.0|!=2.2.1|<2.3.0');
    const pkg = { purl: 'pkg:gem/rack', ...fromVers };
    const verdict = (v: string) => affects(pkg, `pkg:gem/rack@${v}`).verdict;
    expect(['1.0.0', '1.0.1', '1.5.0', '2.2.0', '2.2.1', '2.2.2', '2.3.0'].map(verdict)).toEqual(['not-affected', 'affected', 'not-affected', 'affected', 'not-affected', 'affected', 'not-affected']);
  });
});
