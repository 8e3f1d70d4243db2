/**
 * Each ecosystem's version order on the cases its specification calls out: pre-releases, epochs,
 * `~`, post and dev releases, qualifiers, four-part and pseudo-versions.
 */
import { compareDebianVersions, compareMavenVersions, compareNugetVersions, versionOrderFor } from '../src/domain/matching';

/** Each list is in ascending order; neighbours joined by '=' compare equal. */
function expectAscending(compare: (a: string, b: string) => number, chain: string[]): void {
  for (let i = 0; i + 1 < chain.length; i++) {
    const [a, b] = [chain[i]!, chain[i + 1]!];
    if (b.startsWith('=')) {
      expect({ a, b, c: Math.sign(compare(a, b.slice(1))) }).toEqual({ a, b, c: 0 });
      chain[i + 1] = b.slice(1);
    } else {
      expect({ a, b, c: Math.sign(compare(a, b)) }).toEqual({ a, b, c: -1 });
      expect({ a, b, c: Math.sign(compare(b, a)) }).toEqual({ a, b, c: 1 });
    }
  }
}

const orderOf = (type: string) => {
  const order = versionOrderFor(type);
  if (!order) throw new Error(`no order for ${type}`);
  return order;
};

describe('version orders', () => {
  it('npm and crates.io: SemVer 2.0 with pre-releases before their release', () => {
    for (const t of ['npm', 'cargo']) expectAscending((a, b) => orderOf(t).compare(a, b), ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '=1.0.0+build.7', '1.0.1', '1.10.0', '2.0.0']);
    expect(orderOf('npm').valid('1.0')).toBe(false);
  });

  it('Go: v-prefixed SemVer, pseudo-versions before the release they precede, +incompatible ignored', () => {
    expectAscending((a, b) => orderOf('golang').compare(a, b), ['v0.0.0-20190101000000-abcdefabcdef', 'v0.1.0', 'v1.2.3-0.20200101000000-abcdefabcdef', 'v1.2.3', 'v2.0.0+incompatible', '=v2.0.0', 'v2.0.1']);
  });

  it('PyPI: PEP 440 (epochs, dev, pre, post, local)', () => {
    expectAscending((a, b) => orderOf('pypi').compare(a, b), ['1.0.dev1', '1.0a1', '1.0a2.dev1', '1.0a2', '1.0b1', '1.0rc1', '1.0', '=1.0.0', '1.0+local.1', '1.0.post1', '1.1', '1!0.1']);
    expect(orderOf('pypi').valid('not a version')).toBe(false);
  });

  it('RubyGems: a letter makes a pre-release', () => {
    expectAscending((a, b) => orderOf('gem').compare(a, b), ['1.0.0.a', '1.0.0.b1', '1.0.0.pre', '1.0.0.rc1', '1.0.0', '=1.0', '1.0.1', '1.10']);
  });

  it('Maven: ComparableVersion (qualifiers, shorthand, trailing zeros)', () => {
    expectAscending(compareMavenVersions, ['1.0-alpha1', '=1.0-a1', '1.0-beta1', '1.0-milestone1', '1.0-rc1', '=1.0-cr1', '1.0-SNAPSHOT', '1.0', '=1.0.0', '=1-ga', '=1.0-final', '1.0-sp1', '1.0.1', '1.1', '1.10']);
    expectAscending(compareMavenVersions, ['1-foo2', '1-foo10']);
    expect(Math.sign(compareMavenVersions('1', '1.1'))).toBe(-1);
  });

  /** Every case of Maven's own ComparableVersionTest (apache/maven @ 5bc542fce94e, maven-artifact). */
  describe('Maven: the cases of ComparableVersionTest', () => {
    const pairs = (list: string[]): [string, string][] => list.flatMap((a, i) => list.slice(i + 1).map((b): [string, string] => [a, b]));
    const VERSIONS_QUALIFIER = ['1-alpha2snapshot', '1-alpha2', '1-alpha-123', '1-beta-2', '1-beta123', '1-m2', '1-m11', '1-rc', '1-cr2', '1-rc123', '1-SNAPSHOT', '1', '1-sp', '1-sp2', '1-sp123', '1-abc', '1-def', '1-pom-1', '1-1-snapshot', '1-1', '1-2', '1-123'];
    const VERSIONS_NUMBER = ['2.0', '2-1', '2.0.a', '2.0.0.a', '2.0.2', '2.0.123', '2.1.0', '2.1-a', '2.1b', '2.1-c', '2.1-1', '2.1.0.1', '2.2', '2.123', '11.a2', '11.a11', '11.b2', '11.b11', '11.m2', '11.m11', '11', '11.a', '11b', '11c', '11m'];
    const ORDERED: [string, string][] = [
      ...pairs(VERSIONS_QUALIFIER),
      ...pairs(VERSIONS_NUMBER),
      // testVersionComparing
      ['1', '2'], ['1.5', '2'], ['1', '2.5'], ['1.0', '1.1'], ['1.1', '1.2'], ['1.0.0', '1.1'], ['1.0.1', '1.1'], ['1.1', '1.2.0'],
      ['1.0-alpha-1', '1.0'], ['1.0-alpha-1', '1.0-alpha-2'], ['1.0-alpha-1', '1.0-beta-1'], ['1.0-beta-1', '1.0-SNAPSHOT'], ['1.0-SNAPSHOT', '1.0'],
      ['1.0-alpha-1-SNAPSHOT', '1.0-alpha-1'], ['1.0', '1.0-1'], ['1.0-1', '1.0-2'], ['1.0.0', '1.0-1'], ['2.0-1', '2.0.1'], ['2.0.1-klm', '2.0.1-lmn'],
      ['2.0.1', '2.0.1-xyz'], ['2.0.1', '2.0.1-123'], ['2.0.1-xyz', '2.0.1-123'],
      // MNG-5568 (transitivity), MNG-6572 (numbers beyond 64 bits), MNG-6964 (lists starting with 0)
      ['6.1.0rc3', '6.1.0'], ['6.1.0rc3', '6.1H.5-beta'], ['6.1.0', '6.1H.5-beta'],
      ...pairs(['20190126.230843', '1234567890.12345', '123456789012345.1H.5-beta', '12345678901234567890.1H.5-beta']),
      ['1-0.alpha', '1'], ['1-0.beta', '1'], ['1-0.alpha', '1-0.beta'],
      ['12345678901234567890', '12345678901234567891'],
    ];
    const EQUAL: [string, string][] = [
      ['1', '1'], ['1', '1.0'], ['1', '1.0.0'], ['1.0', '1.0.0'], ['1', '1-0'], ['1', '1.0-0'], ['1.0', '1.0-0'],
      ['1a', '1-a'], ['1a', '1.0-a'], ['1a', '1.0.0-a'], ['1.0a', '1-a'], ['1.0.0a', '1-a'], ['1x', '1-x'], ['1x', '1.0-x'], ['1x', '1.0.0-x'], ['1.0x', '1-x'], ['1.0.0x', '1-x'],
      ['1ga', '1'], ['1release', '1'], ['1final', '1'], ['1cr', '1rc'], ['1a1', '1-alpha-1'], ['1b2', '1-beta-2'], ['1m3', '1-milestone-3'],
      ['1X', '1x'], ['1A', '1a'], ['1B', '1b'], ['1M', '1m'], ['1Ga', '1'], ['1GA', '1'], ['1RELEASE', '1'], ['1RELeaSE', '1'], ['1Final', '1'], ['1FinaL', '1'], ['1FINAL', '1'],
      ['1Cr', '1Rc'], ['1cR', '1rC'], ['1m3', '1Milestone3'], ['1m3', '1MileStone3'], ['1m3', '1MILESTONE3'],
      ['1-abcdefghijklmnopqrstuvwxyz', '1-ABCDEFGHIJKLMNOPQRSTUVWXYZ'],
      ...pairs(Array.from({ length: 19 }, (_, i) => '0'.repeat(i) + '1')),
      ...pairs(Array.from({ length: 19 }, (_, i) => '0'.repeat(i + 1))),
    ];
    it.each(ORDERED)('%s < %s', (a, b) => {
      expect([Math.sign(compareMavenVersions(a, b)), Math.sign(compareMavenVersions(b, a))]).toEqual([-1, 1]);
    });
    it.each(EQUAL)('%s == %s', (a, b) => {
      expect([compareMavenVersions(a, b), compareMavenVersions(b, a)]).toEqual([0, 0]);
    });
  });

  it('NuGet: SemVer 2.0 with a fourth part, missing parts 0, case-insensitive labels', () => {
    expectAscending(compareNugetVersions, ['1.0.0-Alpha', '=1.0.0-alpha', '1.0.0-beta', '1.0', '=1.0.0.0', '1.0.0.1', '1.0.1', '2.0.0']);
  });

  it('Debian: epoch, upstream, revision, and ~ before anything', () => {
    expectAscending(compareDebianVersions, ['1.0~rc1-1', '1.0-1', '=1.0-01', '1.0-1ubuntu1', '1.0-2', '1.0+dfsg-1', '1.0.1-1', '1.1~~-1', '1.1~-1', '1.1-1', '1:0.9-1', '2:0.1']);
    expect(() => compareDebianVersions('not:a:version', '1.0')).toThrow();
  });

  it('knows no order for other ecosystems rather than guessing', () => {
    expect(versionOrderFor('generic')).toBeUndefined();
    expect(versionOrderFor('github')).toBeUndefined();
  });

  it('refuses huge versions before parsing them', () => {
    for (const t of ['npm', 'pypi', 'gem', 'maven', 'nuget', 'deb', 'golang', 'cargo']) expect(orderOf(t).valid('1.'.repeat(200) + '1')).toBe(false);
  });
});
