/**
 * Is a component (a purl with its version) affected by a flaw's affected package? Ranges are
 * OSV's: from `introduced` (inclusive; "0" or absent: from the first version) to `fixed` (exclusive)
 * or `lastAffected` (inclusive); explicit `versions` are affected whatever the ranges say. The
 * answer is "unknown", with the reason, whenever it cannot be decided honestly: no order for the
 * ecosystem, a version the order does not parse, a range in commits (GIT: needs the repository's
 * history). The fixed versions above the component's are returned for the notification.
 */
import type { AffectedPackage, AffectedRange } from '../formats/advisory-record';
import { parsePurl, purlIdentity } from '../formats/purl';
import { versionOrderFor, type VersionOrder } from './version-order';

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

/** Whether `component` (a purl with a version) is affected by `pkg` (one affected package of a flaw). */
export function affects(pkg: AffectedPackage, component: string): MatchResult {
  const parsed = parsePurl(component);
  if (!parsed) return unknown('the component is not a package URL');
  if (pkg.purl === undefined) return unknown(pkg.product?.startsWith('git+') ? `the range is in commits of ${pkg.product.slice(4)}: it needs the repository's history, for an analyst` : 'the flaw names a product, not a package');
  if (matchKey(component) !== pkg.purl) return { verdict: 'not-affected', reason: 'another package', fixedVersions: [] };
  const version = parsed.version;
  if (!version) return unknown('the component names no version');
  const order = versionOrderFor(parsed.type);
  // Listed versions need no order: an exact match is affected in any ecosystem.
  if (pkg.versions.includes(version)) return { verdict: 'affected', reason: `version ${version} is listed as affected`, fixedVersions: order ? fixedAbove(order, version, pkg.ranges) : [] };
  if (pkg.ranges.length === 0) return { verdict: 'not-affected', reason: `version ${version} is not among the ${pkg.versions.length} listed`, fixedVersions: [] };
  if (!order) return unknown(`no version order is known here for ${parsed.type} packages`);
  if (!order.valid(version)) return unknown(`${version} is not a ${order.name} version`);
  let undecided = false;
  for (const r of pkg.ranges) {
    const hit = inRange(order, version, r);
    if (hit === undefined) undecided = true;
    else if (hit) return { verdict: 'affected', reason: `${version} is in ${describe(r)} (${order.name})`, fixedVersions: fixedAbove(order, version, pkg.ranges) };
  }
  if (undecided) return unknown(`a range bound is not a ${order.name} version`);
  return { verdict: 'not-affected', reason: `${version} is outside every range (${order.name})`, fixedVersions: [] };
}

function fixedAbove(order: VersionOrder, version: string, ranges: readonly AffectedRange[]): string[] {
  const fixed = [...new Set(ranges.flatMap((r) => (r.fixed !== undefined && order.valid(r.fixed) && order.compare(r.fixed, version) > 0 ? [r.fixed] : [])))];
  return fixed.sort((a, b) => order.compare(a, b));
}

function describe(r: AffectedRange): string {
  const from = r.introduced === undefined || r.introduced === '0' ? 'the first version' : r.introduced;
  return r.fixed !== undefined ? `[${from}, ${r.fixed})` : r.lastAffected !== undefined ? `[${from}, ${r.lastAffected}]` : `[${from}, ...)`;
}
