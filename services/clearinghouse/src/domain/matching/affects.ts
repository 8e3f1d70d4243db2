/**
 * Is a component (a purl with its version) affected by a flaw's affected package? Ranges are
 * OSV's: from `introduced` (inclusive; "0" or absent: from the first version) to `fixed` (exclusive)
 * or `lastAffected` (inclusive); explicit `versions` are affected whatever the ranges say. The
 * answer is "unknown", with the reason, whenever it cannot be decided honestly: no order for the
 * ecosystem, a version the order does not parse, a range in commits (GIT: needs the repository's
 * history). A range's OSV type picks its order: SEMVER is SemVer 2.0 in every ecosystem, ECOSYSTEM
 * (or none given) the ecosystem's own. The fixed versions above the component's are returned for
 * the notification: what the operator can move to.
 */
import type { AffectedPackage, AffectedRange } from '../formats/advisory-record';
import { parsePurl, purlIdentity } from '../formats/purl';
import { CPE_VERSION_ORDER, SEMVER_ORDER, versionOrderFor, type VersionOrder } from './version-order';

export type Verdict = 'affected' | 'not-affected' | 'unknown';

export interface MatchResult {
  verdict: Verdict;
  reason: string;
  /** Fixed versions of the package above the component's, lowest first (empty when none or unknown). */
  fixedVersions: string[];
}

/** The key the match index is kept under: the purl's identity (type, namespace, name; canonical). */
export function matchKey(purl: string): string | undefined {
  return purlIdentity(purl);
}

const unknown = (reason: string): MatchResult => ({ verdict: 'unknown', reason, fixedVersions: [] });

function inRange(order: VersionOrder, version: string, r: AffectedRange): boolean | undefined {
  const from = r.introduced === undefined || r.introduced === '0' ? undefined : r.introduced;
  for (const bound of [from, r.fixed, r.lastAffected]) if (bound !== undefined && !order.valid(bound)) return undefined;
  if (from !== undefined && order.compare(version, from) < 0) return false;
  if (r.fixed !== undefined) return order.compare(version, r.fixed) < 0;
  if (r.lastAffected !== undefined) return order.compare(version, r.lastAffected) <= 0;
  return true; // introduced and never fixed
}

/** The order a range is in: SEMVER ranges are SemVer 2.0 in any ecosystem; others the ecosystem's. */
function orderOf(r: AffectedRange, ecosystem: VersionOrder | undefined): VersionOrder | undefined {
  return r.type === 'SEMVER' ? SEMVER_ORDER : ecosystem;
}

/** Whether `component` (a purl with a version) is affected by `pkg` (one affected package of a flaw). */
export function affects(pkg: AffectedPackage, component: string): MatchResult {
  const parsed = parsePurl(component);
  if (!parsed) return unknown('the component is not a package URL');
  if (pkg.purl === undefined) return unknown(pkg.product?.startsWith('git+') ? `the range is in commits of ${pkg.product.slice(4)}: it needs the repository's history, for an analyst` : 'the flaw names a product, not a package');
  if (matchKey(component) !== pkg.purl) return { verdict: 'not-affected', reason: 'another package', fixedVersions: [] };
  const version = parsed.version;
  if (!version) return unknown('the component names no version');
  return judge(pkg, version, versionOrderFor(parsed.type), `no version order is known here for ${parsed.type} packages`);
}

/**
 * Whether a component known only by a CPE (its key `cpe:<part>:<vendor>:<product>` and version) is
 * affected by `pkg`. Vendors' own versions have no ecosystem: they are compared in dpkg's order
 * (digit runs as numbers, letters between them: 1.1.1k < 1.1.1l < 1.1.2), SEMVER ranges as SemVer.
 */
export function affectsByCpe(pkg: AffectedPackage, key: string, version: string | undefined): MatchResult {
  if (!pkg.cpes?.includes(key)) return { verdict: 'not-affected', reason: 'another product', fixedVersions: [] };
  if (!version) return unknown('the component names no version');
  return judge(pkg, version, CPE_VERSION_ORDER, 'the CPE version is not one the order reads');
}

/** `version` of the package `pkg` names, in `ecosystem`'s order (undefined: none known, `noOrder` says so). */
function judge(pkg: AffectedPackage, version: string, ecosystem: VersionOrder | undefined, noOrder: string): MatchResult {
  // Listed versions need no order: an exact match is affected in any ecosystem.
  if (pkg.versions.includes(version)) return { verdict: 'affected', reason: `version ${version} is listed as affected`, fixedVersions: fixedAbove(ecosystem, version, pkg.ranges) };
  const excluded = pkg.excluded?.find((e) => e === version || (ecosystem?.valid(e) && ecosystem.valid(version) && ecosystem.compare(e, version) === 0));
  if (excluded !== undefined) return { verdict: 'not-affected', reason: `version ${version} is excluded from the ranges`, fixedVersions: [] };
  if (pkg.ranges.length === 0) return { verdict: 'not-affected', reason: `version ${version} is not among the ${pkg.versions.length} listed`, fixedVersions: [] };
  // Every range is looked at: one that contains the version decides; one that cannot be read makes
  // "not affected" unsafe, so the answer is then "unknown" with the first reason.
  let undecided: string | undefined;
  for (const r of pkg.ranges) {
    const order = orderOf(r, ecosystem);
    if (r.type === 'GIT') undecided ??= `a GIT range is in commits: it needs the repository's history, for an analyst`;
    else if (!order) undecided ??= noOrder;
    else if (!order.valid(version)) undecided ??= `${version} is not a ${order.name} version`;
    else {
      const hit = inRange(order, version, r);
      if (hit === undefined) undecided ??= `a range bound is not a ${order.name} version`;
      else if (hit) return { verdict: 'affected', reason: `${version} is in ${describe(r)} (${order.name})`, fixedVersions: fixedAbove(ecosystem, version, pkg.ranges) };
    }
  }
  if (undecided !== undefined) return unknown(undecided);
  return { verdict: 'not-affected', reason: `${version} is outside every range`, fixedVersions: [] };
}

/** Fixed versions above the component's (each compared in its range's order), lowest first. */
function fixedAbove(ecosystem: VersionOrder | undefined, version: string, ranges: readonly AffectedRange[]): string[] {
  const above = ranges.flatMap((r) => {
    const order = orderOf(r, ecosystem);
    if (r.fixed === undefined || !order || !order.valid(r.fixed) || !order.valid(version)) return [];
    return order.compare(r.fixed, version) > 0 ? [{ fixed: r.fixed, order }] : [];
  });
  const distinct = [...new Map(above.map((a) => [a.fixed, a])).values()];
  // Sorted in the ecosystem's order when every fixed version has one, else as the record gives them.
  const order = ecosystem && distinct.every((d) => ecosystem.valid(d.fixed)) ? ecosystem : undefined;
  return (order ? distinct.sort((a, b) => order.compare(a.fixed, b.fixed)) : distinct).map((d) => d.fixed);
}

function describe(r: AffectedRange): string {
  const from = r.introduced === undefined || r.introduced === '0' ? 'the first version' : r.introduced;
  return r.fixed !== undefined ? `[${from}, ${r.fixed})` : r.lastAffected !== undefined ? `[${from}, ${r.lastAffected}]` : `[${from}, ...)`;
}
