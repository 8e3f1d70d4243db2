/**
 * Matching a flaw's affected packages to a component of an operator's inventory. Pure.
 * - `matchKey(purl)`: the purl identity the match index is keyed by (inventory and advisories alike).
 * - `affects(affectedPackage, componentPurlWithVersion)` -> { verdict: affected | not-affected | unknown,
 *   reason, fixedVersions }: OSV ranges and listed versions, in the ecosystem's own order.
 * - `versionOrderFor(purlType)`: npm, cargo, golang (semver), pypi (PEP 440), gem, maven, nuget, deb.
 * - `parseVers`, `containedIn(vers, version)`: package-url's version range specifier, by its procedure.
 * CSAF product trees and `vers:` ranges reach here as canonical ranges (src/domain/formats); GIT ranges
 * as products named `git+<repository>`, answered "unknown" for an analyst.
 */
export * from './affects';
export * from './version-order';
export * from './vers';
export { compareMavenVersions } from './maven-version';
export { compareDebianVersions, parseDebianVersion } from './debian-version';
export { compareNugetVersions, parseNugetVersion } from './nuget-version';
