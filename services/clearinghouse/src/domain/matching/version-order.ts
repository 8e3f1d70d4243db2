/**
 * Each ecosystem's own version order, chosen by purl type. A well-kept library where one exists
 * (semver for npm, cargo and Go; @renovatebot/pep440 for PyPI; @renovatebot/ruby-semver for
 * RubyGems); Maven, NuGet and Debian follow their specifications here (maven-version.ts,
 * nuget-version.ts, debian-version.ts). An ecosystem without an order here is not guessed at:
 * matching says "unknown" for it, and an analyst decides.
 */
import * as pep440 from '@renovatebot/pep440';
import * as rubygems from '@renovatebot/ruby-semver';
import semver from 'semver';
import { compareDebianVersions, parseDebianVersion } from './debian-version';
import { compareMavenVersions } from './maven-version';
import { compareNugetVersions, parseNugetVersion } from './nuget-version';

export interface VersionOrder {
  /** Which order, for reasons and reports. */
  readonly name: string;
  valid(version: string): boolean;
  /** Negative, zero or positive; only for versions `valid` accepts. */
  compare(a: string, b: string): number;
}

const MAX_VERSION = 256;

const semverOrder = (name: string, clean: (v: string) => string = (v) => v): VersionOrder => ({
  name,
  valid: (v) => v.length <= MAX_VERSION && semver.valid(clean(v), { loose: false }) !== null,
  compare: (a, b) => semver.compare(clean(a), clean(b)),
});

/** Go module versions: `v` semver; `+incompatible` is build metadata; pseudo-versions are semver pre-releases already. */
const goClean = (v: string) => v.replace(/^v/, '').replace(/\+incompatible$/, '');

const ORDERS: Readonly<Record<string, VersionOrder>> = {
  npm: semverOrder('npm (semver)'),
  cargo: semverOrder('crates.io (semver)'),
  golang: semverOrder('Go (semver)', goClean),
  pypi: { name: 'PyPI (PEP 440)', valid: (v) => v.length <= MAX_VERSION && pep440.valid(v) !== null, compare: (a, b) => pep440.compare(a, b) },
  gem: { name: 'RubyGems', valid: (v) => v.length <= MAX_VERSION && rubygems.valid(v) !== null, compare: (a, b) => (rubygems.lt(a, b) ? -1 : rubygems.gt(a, b) ? 1 : 0) },
  maven: { name: 'Maven (ComparableVersion)', valid: (v) => v.length > 0 && v.length <= MAX_VERSION && /^[0-9A-Za-z._+-]+$/.test(v), compare: compareMavenVersions },
  nuget: { name: 'NuGet', valid: (v) => v.length <= MAX_VERSION && parseNugetVersion(v) !== undefined, compare: compareNugetVersions },
  deb: { name: 'Debian (dpkg)', valid: (v) => v.length <= MAX_VERSION && parseDebianVersion(v) !== undefined, compare: compareDebianVersions },
};

/** OSV `SEMVER` ranges are SemVer 2.0 whatever the ecosystem (a leading `v` tolerated, as Go writes it). */
export const SEMVER_ORDER: VersionOrder = semverOrder('SemVer 2.0', goClean);

/** Versions a CPE names (a vendor's own): dpkg's order, which reads digit runs as numbers and letters between them. */
export const CPE_VERSION_ORDER: VersionOrder = { ...ORDERS.deb!, name: 'vendor version (dpkg order)' };

/** The order of a purl type's versions, or undefined when none is known here. */
export function versionOrderFor(purlType: string): VersionOrder | undefined {
  return ORDERS[purlType.toLowerCase()];
}

export const ORDERED_PURL_TYPES = Object.keys(ORDERS).sort();
