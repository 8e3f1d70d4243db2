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
