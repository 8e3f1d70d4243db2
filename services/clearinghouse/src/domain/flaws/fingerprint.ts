/**
 * Likely duplicates before any shared id exists. A record's fingerprint is where the flaw is (each
 * affected package's identity: purl type/namespace/name, no version; or, for a scanner's finding,
 * the file and line it points at) with what is affected (the version range) and what kind of flaw it
 * is (CWE, the scanner's rule). Two records are LIKELY one flaw when:
 *
 * - high: same package, overlapping affected versions and a CWE in common; or the same scanner
 *   fingerprint; or the same file, line and rule;
 * - medium: the same file and rule on another line, or the same file and line under another rule.
 *
 * A package match needs the CWE: without it nothing tells flaws of one package apart. On the PyPA
 * advisories (which carry no CWE) "same package, overlapping range" would pair 126,955 advisories
 * of distinct flaws, and even "same package, exactly the same affected versions" 18,953 (TensorFlow
 * fixes dozens of flaws in each release).
 *
 * The result is a suggestion with its reason for an analyst, who may join the records
 * (decisions.ts); nothing here merges anything.
 *
 * The service keeps one bucket per fingerprint key (`_id` = the key, listing the records that have
 * it); the keys are made so that every match above shares a bucket, and a bucket holds only records
 * that can match (not, say, every advisory of django). On an arrival it reads the buckets of
 * `fingerprintKeys(record)` and the records they list, by `_id`, and passes those to
 * `likelyDuplicates`.
 */
import { PackageURL } from 'packageurl-js';
import type { AffectedPackage, FindingLocation, FlawRecord } from './flaw-record';
import { normaliseId } from './ids';
import { FLAW_LIMITS } from './limits';
import { commonVersions } from './versions';

export interface PackageIdentity {
  /** pkg:type/namespace/name, canonical (packageurl-js), without version, qualifiers or subpath. */
  identity: string;
  version?: string;
}

export function packageIdentity(purl: string): PackageIdentity | undefined {
  try {
    const p = PackageURL.fromString(purl.trim());
    const identity = new PackageURL(p.type, p.namespace, p.name, undefined, undefined, undefined).toString();
    return { identity, ...(p.version ? { version: p.version } : {}) };
  } catch {
    return undefined; // not a purl: that entry has no package fingerprint
  }
}

/** A repository-relative path, so "./src/a.py" and "src/a.py" are one file. */
export function locationKey(uri: string): string {
  return uri.trim().replace(/^file:\/\//, '').replace(/^(\.\/|\/)+/, '');
}

export function normaliseCwe(raw: string): string {
  const t = raw.trim().toUpperCase();
  return /^\d+$/.test(t) ? `CWE-${t}` : t;
}

interface Identified {
  entry: AffectedPackage;
  identity: string;
  version?: string;
}

function identified(record: FlawRecord): Identified[] {
  return record.affected.flatMap((entry) => {
    const p = entry.purl !== undefined ? packageIdentity(entry.purl) : undefined;
    return p ? [{ entry, ...p }] : [];
  });
}

/**
 * The fingerprint buckets of a record, sorted, at most FLAW_LIMITS.fingerprintKeys:
 * `<purl identity>#<CWE>` per package and CWE; `loc:<file>#<rule>`, `loc:<file>:<line>` and
 * `sarif:<fingerprint>` per location.
 */
export function fingerprintKeys(record: FlawRecord): string[] {
  const keys = new Set<string>();
  const cwes = [...new Set(record.cwes.map(normaliseCwe))];
  for (const p of identified(record)) {
    for (const cwe of cwes) keys.add(`${p.identity}#${cwe}`);
  }
  for (const l of record.locations ?? []) {
    const file = locationKey(l.uri);
    if (l.ruleId !== undefined) keys.add(`loc:${file}#${l.ruleId}`);
    if (l.startLine !== undefined) keys.add(`loc:${file}:${l.startLine}`);
    if (l.fingerprint !== undefined) keys.add(`sarif:${l.fingerprint}`);
  }
  return [...keys].sort().slice(0, FLAW_LIMITS.fingerprintKeys);
}

export type Likelihood = 'high' | 'medium';

export interface LikelyDuplicate {
  record: string;
  candidate: string;
  likelihood: Likelihood;
  /** e.g. "same package pkg:pypi/lxml, overlapping range <4.6.3, same CWE-79" */
  reason: string;
}

interface Match {
  likelihood: Likelihood;
  reason: string;
}

function packageMatches(a: FlawRecord, b: FlawRecord): Match[] {
  const cwesOfB = new Set(b.cwes.map(normaliseCwe));
  const sharedCwes = [...new Set(a.cwes.map(normaliseCwe))].filter((c) => cwesOfB.has(c)).sort();
  if (sharedCwes.length === 0) return []; // another kind of flaw, or nothing to tell them apart by
  const found: Match[] = [];
  const bs = identified(b);
  for (const x of identified(a)) {
    for (const y of bs.filter((p) => p.identity === x.identity)) {
      const common = commonVersions(x.entry, y.entry, x.version, y.version);
      if (common !== undefined) found.push({ likelihood: 'high', reason: `same package ${x.identity}, overlapping range ${common}, same ${sharedCwes.join(', ')}` });
    }
  }
  return found;
}

function locationMatches(a: readonly FindingLocation[], b: readonly FindingLocation[]): Match[] {
  const found: Match[] = [];
  for (const x of a) {
    for (const y of b) {
      if (x.fingerprint !== undefined && x.fingerprint === y.fingerprint) {
        found.push({ likelihood: 'high', reason: `same scanner fingerprint ${x.fingerprint}` });
        continue;
      }
      if (locationKey(x.uri) !== locationKey(y.uri)) continue;
      const where = `${locationKey(x.uri)}${x.startLine !== undefined ? `:${x.startLine}` : ''}`;
      const sameRule = x.ruleId !== undefined && x.ruleId === y.ruleId;
      const sameLine = x.startLine !== undefined && x.startLine === y.startLine;
      if (sameRule) found.push({ likelihood: sameLine ? 'high' : 'medium', reason: `same ${sameLine ? 'location' : 'file'} ${where}, same rule ${x.ruleId}` });
      else if (sameLine) found.push({ likelihood: 'medium', reason: `same location ${where}, another rule` });
    }
  }
  return found;
}

function compare(record: FlawRecord, candidate: FlawRecord): LikelyDuplicate | undefined {
  const matches = [...packageMatches(record, candidate), ...locationMatches(record.locations ?? [], candidate.locations ?? [])];
  if (matches.length === 0) return undefined;
  const likelihood: Likelihood = matches.some((m) => m.likelihood === 'high') ? 'high' : 'medium';
  const reasons = [...new Set(matches.filter((m) => m.likelihood === likelihood).map((m) => m.reason))].sort();
  return { record: normaliseId(record.id), candidate: normaliseId(candidate.id), likelihood, reason: reasons.join('; ') };
}

/**
 * The candidates `record` is LIKELY a duplicate of, strongest first, each with its reason.
 * Withdrawn candidates, the record itself and `sameFlaw` (records already one flaw with it) are skipped.
 */
export function likelyDuplicates(record: FlawRecord, candidates: readonly FlawRecord[], sameFlaw: ReadonlySet<string> = new Set()): LikelyDuplicate[] {
  const self = normaliseId(record.id);
  const seen = new Set<string>();
  const found: LikelyDuplicate[] = [];
  for (const c of candidates) {
    const id = normaliseId(c.id);
    if (id === self || c.withdrawn || sameFlaw.has(id) || seen.has(id)) continue;
    seen.add(id);
    const match = compare(record, c);
    if (match) found.push(match);
  }
  return found.sort((a, b) => (a.likelihood === b.likelihood ? (a.candidate < b.candidate ? -1 : 1) : a.likelihood === 'high' ? -1 : 1));
}
