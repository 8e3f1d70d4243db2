/**
 * Version order good enough to say whether two affected ranges LIKELY overlap, across ecosystems
 * (PEP 440, semver, Maven, dotted vendor versions): numeric parts compare as numbers, others as
 * text, and a pre-release suffix (a, b, rc, alpha, beta, dev, pre, preview) sorts before the release
 * it precedes. Only fingerprints use it, and they only suggest: an analyst merges.
 */
import type { AffectedPackage, AffectedRange } from './flaw-record';

type Token = number | string;

const PRE_RELEASE = new Set(['a', 'alpha', 'b', 'beta', 'c', 'rc', 'pre', 'preview', 'dev']);

function tokens(version: string): Token[] {
  return (version.trim().toLowerCase().replace(/^v/, '').match(/\d+|[a-z]+/g) ?? []).map((t) => (/^\d+$/.test(t) ? Number(t) : t));
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [tokens(a), tokens(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const [p, q] = [x[i], y[i]];
    if (p === undefined || q === undefined) {
      // One ran out: "1.0" = "1.0.0"; "1.0rc1" < "1.0" < "1.0.1", "1.0.post1".
      const rest = (p === undefined ? y : x).slice(i);
      if (rest.every((t) => t === 0)) return 0;
      const first = rest.find((t) => t !== 0) as Token;
      const longerIsGreater = !(typeof first === 'string' && PRE_RELEASE.has(first));
      return (p === undefined ? -1 : 1) * (longerIsGreater ? 1 : -1);
    }
    if (p === q) continue;
    if (typeof p === 'number' && typeof q === 'number') return p < q ? -1 : 1;
    // A number outranks any word at the same place: "1.0.1" > "1.0rc1", "1.0.post1".
    if (typeof p === 'number') return 1;
    if (typeof q === 'number') return -1;
    const [preP, preQ] = [PRE_RELEASE.has(p), PRE_RELEASE.has(q)];
    if (preP !== preQ) return preP ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

/** An interval of versions; an absent bound is open. */
export interface VersionSpan {
  from?: string;
  to?: { version: string; inclusive: boolean };
}

export function spanOf(range: AffectedRange): VersionSpan {
  const from = range.introduced === undefined || range.introduced === '0' ? undefined : range.introduced;
  const to = range.fixed !== undefined ? { version: range.fixed, inclusive: false } : range.lastAffected !== undefined ? { version: range.lastAffected, inclusive: true } : undefined;
  return { ...(from !== undefined ? { from } : {}), ...(to ? { to } : {}) };
}

const contains = (s: VersionSpan, v: string): boolean =>
  (s.from === undefined || compareVersions(v, s.from) >= 0) && (s.to === undefined || (s.to.inclusive ? compareVersions(v, s.to.version) <= 0 : compareVersions(v, s.to.version) < 0));

/** The versions both spans hold, or undefined when none. */
export function intersect(a: VersionSpan, b: VersionSpan): VersionSpan | undefined {
  const from = a.from === undefined ? b.from : b.from === undefined ? a.from : compareVersions(a.from, b.from) >= 0 ? a.from : b.from;
  const to = !a.to ? b.to : !b.to ? a.to : compareVersions(a.to.version, b.to.version) < 0 || (compareVersions(a.to.version, b.to.version) === 0 && !a.to.inclusive) ? a.to : b.to;
  if (from !== undefined && to !== undefined) {
    const c = compareVersions(from, to.version);
    if (c > 0 || (c === 0 && !to.inclusive)) return undefined;
  }
  return { ...(from !== undefined ? { from } : {}), ...(to ? { to } : {}) };
}

export function renderSpan(s: VersionSpan): string {
  const parts = [s.from !== undefined ? `>=${s.from}` : '', s.to ? `${s.to.inclusive ? '<=' : '<'}${s.to.version}` : ''].filter((p) => p !== '');
  return parts.length > 0 ? parts.join(', ') : 'all versions';
}

/** A version's comparison key: "1.0" and "1.0.0" and "v1.0" are one key. */
function versionKey(version: string): string {
  const t = tokens(version);
  while (t.length > 0 && t[t.length - 1] === 0) t.pop();
  return t.join('.');
}

/**
 * What two affected entries of the same package have in common, in words ("<4.6.3", "4.6.2"),
 * or undefined when nothing. An entry that states no range and no version affects, as far as
 * anyone said, every version. Linear in the versions listed (feeds list hundreds).
 */
export function commonVersions(a: AffectedPackage, b: AffectedPackage, versionOfPurlA?: string, versionOfPurlB?: string): string | undefined {
  const versionsA = [...a.versions, ...(versionOfPurlA !== undefined ? [versionOfPurlA] : [])];
  const versionsB = [...b.versions, ...(versionOfPurlB !== undefined ? [versionOfPurlB] : [])];
  const spansA = a.ranges.map(spanOf);
  const spansB = b.ranges.map(spanOf);
  const unknownA = spansA.length === 0 && versionsA.length === 0;
  const unknownB = spansB.length === 0 && versionsB.length === 0;
  if (unknownA && unknownB) return 'all versions (neither states a range)';
  if (unknownA || unknownB) return 'all versions (one states no range)';
  for (const sa of spansA) {
    for (const sb of spansB) {
      const both = intersect(sa, sb);
      if (both) return renderSpan(both);
    }
  }
  const keysB = new Set(versionsB.map(versionKey));
  const shared = versionsA.filter((v) => keysB.has(versionKey(v)) || spansB.some((s) => contains(s, v)));
  const sharedKeys = new Set(shared.map(versionKey));
  shared.push(...versionsB.filter((w) => !sharedKeys.has(versionKey(w)) && spansA.some((s) => contains(s, w))));
  if (shared.length === 0) return undefined;
  return [...new Set(shared)].sort(compareVersions).slice(0, 3).join(', ');
}

