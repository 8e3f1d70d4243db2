/**
 * Version range specifiers (`vers:<scheme>/<constraint>|...`, package-url's vers spec,
 * VERSION-RANGE-SPEC): parsed as the spec says (spaces dropped, `|` splits, comparators `>=`, `<=`,
 * `!=`, `<`, `>` or none for `=`, `*` alone, versions percent-decoded), validated (unique versions;
 * `=` followed only by `=`, `>`, `>=`; the range comparators alternating), sorted in the scheme's
 * order, and a version tested with the spec's containment procedure.
 *
 * The scheme picks the order: a purl type known here (npm, pypi, maven, ...), `semver`, `intdot`,
 * `lexicographic`; `all/*` and `none/*`. `generic` (whose order the spec leaves for later) and unknown
 * schemes decide only by string equality; a range needing an order then answers "unknown".
 */
import { SEMVER_ORDER, versionOrderFor, type VersionOrder } from './version-order';

export type VersComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface VersConstraint {
  comparator: VersComparator;
  version: string;
}

export interface Vers {
  scheme: string;
  /** `*`: every version (or none, for the `none` scheme). */
  star: boolean;
  /** In the order written; `containedIn` sorts them. */
  constraints: VersConstraint[];
}

/** In a range: `in`, `out`, or `unknown` when it cannot be decided honestly; with the reason. */
export interface Containment {
  result: 'in' | 'out' | 'unknown';
  reason: string;
}

export const MAX_VERS_CHARS = 4_096;
export const MAX_VERS_CONSTRAINTS = 256;

const COMPARATORS: readonly VersComparator[] = ['>=', '<=', '!=', '<', '>'];

/** The spec's parse, or the reason it fails. Never throws. */
export function parseVers(text: string): Vers | { problem: string } {
  if (typeof text !== 'string' || text.length > MAX_VERS_CHARS) return { problem: `is not a string of at most ${MAX_VERS_CHARS} characters` };
  const compact = text.replace(/[ \t]/g, '');
  const colon = compact.indexOf(':');
  if (colon < 0 || compact.slice(0, colon) !== 'vers') return { problem: 'does not start with vers:' };
  const rest = compact.slice(colon + 1);
  const slash = rest.indexOf('/');
  if (slash <= 0) return { problem: 'names no versioning scheme' };
  const scheme = rest.slice(0, slash);
  if (scheme !== scheme.toLowerCase()) return { problem: `versioning scheme ${scheme} is not lower case` };
  const body = rest.slice(slash + 1);
  if (body === '*') return { scheme, star: true, constraints: [] };
  const parts = body.split('|').filter((p) => p.length > 0);
  if (parts.length === 0) return { problem: 'has no constraint' };
  if (parts.length > MAX_VERS_CONSTRAINTS) return { problem: `has more than ${MAX_VERS_CONSTRAINTS} constraints` };
  const constraints: VersConstraint[] = [];
  for (const part of parts) {
    const comparator = COMPARATORS.find((c) => part.startsWith(c)) ?? '=';
    let version = comparator === '=' ? part : part.slice(comparator.length);
    if (version.includes('*')) return { problem: '* must stand alone' };
    if (version.length === 0) return { problem: `constraint ${part} has no version` };
    if (version.includes('%')) {
      try {
        version = decodeURIComponent(version);
      } catch {
        return { problem: `version ${version} is not percent-encoded correctly` };
      }
    }
    constraints.push({ comparator, version });
  }
  return { scheme, star: false, constraints };
}

const intdot: VersionOrder = {
  name: 'intdot',
  valid: (v) => v.length <= 256 && /^\d+(\.\d+)*$/.test(v),
  compare: (a, b) => {
    const [x, y] = [a.split('.'), b.split('.')];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const [p, q] = [(x[i] ?? '0').replace(/^0+/, ''), (y[i] ?? '0').replace(/^0+/, '')];
      if (p.length !== q.length) return p.length < q.length ? -1 : 1;
      if (p !== q) return p < q ? -1 : 1;
    }
    return 0;
  },
};

const lexicographic: VersionOrder = {
  name: 'lexicographic',
  valid: (v) => v.length <= 256,
  compare: (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')),
};

/** The order of a vers scheme, or undefined (generic and unknown schemes). */
export function versOrderFor(scheme: string): VersionOrder | undefined {
  if (scheme === 'semver') return SEMVER_ORDER;
  if (scheme === 'intdot') return intdot;
  if (scheme === 'lexicographic') return lexicographic;
  return versionOrderFor(scheme);
}

const isLess = (c: VersComparator) => c === '<' || c === '<=';
const isGreater = (c: VersComparator) => c === '>' || c === '>=';

/** The spec's validity rules on a sorted list; the first broken one, or undefined. */
function sortedProblem(sorted: readonly VersConstraint[], equal: (a: string, b: string) => boolean): string | undefined {
  for (let i = 0; i + 1 < sorted.length; i++) if (equal(sorted[i]!.version, sorted[i + 1]!.version)) return `version ${sorted[i + 1]!.version} occurs twice`;
  const noUnequal = sorted.filter((c) => c.comparator !== '!=');
  for (let i = 0; i + 1 < noUnequal.length; i++) {
    if (noUnequal[i]!.comparator === '=' && isLess(noUnequal[i + 1]!.comparator)) return `=${noUnequal[i]!.version} is followed by ${noUnequal[i + 1]!.comparator}${noUnequal[i + 1]!.version}`;
  }
  const bounds = noUnequal.filter((c) => c.comparator !== '=');
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [a, b] = [bounds[i]!, bounds[i + 1]!];
    if (isLess(a.comparator) === isLess(b.comparator)) return `${a.comparator}${a.version} and ${b.comparator}${b.version} do not alternate`;
  }
  return undefined;
}

/** Whether `version` is in the range (a `vers:` string or one parsed), by the spec's procedure. */
export function containedIn(range: string | Vers, version: string): Containment {
  const vers = typeof range === 'string' ? parseVers(range) : range;
  if ('problem' in vers) return { result: 'unknown', reason: `the vers range ${vers.problem}` };
  if (vers.star) return vers.scheme === 'none' ? { result: 'out', reason: 'vers:none/* contains no version' } : { result: 'in', reason: `vers:${vers.scheme}/* contains every version` };
  const order = versOrderFor(vers.scheme);
  if (order && !order.valid(version)) return { result: 'unknown', reason: `${version} is not a ${order.name} version` };
  const invalid = order ? vers.constraints.find((c) => !order.valid(c.version)) : undefined;
  if (invalid) return { result: 'unknown', reason: `${invalid.version} in the vers range is not a ${order!.name} version` };
  const equal = (a: string, b: string) => (order ? order.compare(a, b) === 0 : a === b);
  const equalTo = vers.constraints.find((c) => equal(c.version, version));
  const sorted = order ? [...vers.constraints].sort((a, b) => order.compare(a.version, b.version)) : vers.constraints;
  const problem = order ? sortedProblem(sorted, equal) : undefined;
  if (problem) return { result: 'unknown', reason: `the vers range is invalid: ${problem}` };
  if (equalTo && ['=', '<=', '>='].includes(equalTo.comparator)) return { result: 'in', reason: `${version} equals ${equalTo.comparator}${equalTo.version}` };
  if (equalTo?.comparator === '!=') return { result: 'out', reason: `${version} is excluded by !=${equalTo.version}` };
  const bounds = sorted.filter((c) => c.comparator !== '=' && c.comparator !== '!=');
  if (bounds.length === 0) return { result: 'out', reason: `${version} is none of the versions the range lists` };
  if (!order) return { result: 'unknown', reason: `vers:${vers.scheme} has no version order here: an analyst decides` };
  const below = (a: string, b: string) => order.compare(a, b) < 0;
  const inside = { result: 'in' as const, reason: `${version} is in ${rangeText(vers.scheme, sorted)} (${order.name})` };
  // One bound alone: the spec's pairwise walk has no pair; it is the half line the bound names.
  if (bounds.length === 1) return (isLess(bounds[0]!.comparator) ? below(version, bounds[0]!.version) : below(bounds[0]!.version, version)) ? inside : outside(version, vers.scheme, sorted);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [current, next] = [bounds[i]!, bounds[i + 1]!];
    if (i === 0 && isLess(current.comparator) && below(version, current.version)) return inside;
    if (i + 2 === bounds.length && isGreater(next.comparator) && below(next.version, version)) return inside;
    if (isGreater(current.comparator) && isLess(next.comparator) && below(current.version, version) && below(version, next.version)) return inside;
  }
  return outside(version, vers.scheme, sorted);
}

function rangeText(scheme: string, constraints: readonly VersConstraint[]): string {
  return `vers:${scheme}/${constraints.map((c) => (c.comparator === '=' ? c.version : `${c.comparator}${c.version}`)).join('|')}`;
}

function outside(version: string, scheme: string, constraints: readonly VersConstraint[]): Containment {
  return { result: 'out', reason: `${version} is outside ${rangeText(scheme, constraints)}` };
}
