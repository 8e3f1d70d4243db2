/**
 * The ids a record is known by. Ids are compared after a light normalisation so that the same id
 * spelt by two feeds matches: CVE ids upper case (CVE-2021-1234), GHSA ids with an upper-case
 * prefix and a lower-case body (the spelling GitHub publishes); every other id (PYSEC-, OSV
 * databases' ids, vendor ids, report ids) as given, only trimmed.
 */
import type { FlawRecord } from './flaw-record';
import { FLAW_LIMITS } from './limits';

const CVE_ID = /^CVE-\d{4}-\d{4,}$/i;
const GHSA_ID = /^GHSA(-[0-9a-z]{4}){3}$/i;

export function normaliseId(raw: string): string {
  const id = raw.trim();
  if (CVE_ID.test(id)) return id.toUpperCase();
  if (GHSA_ID.test(id)) return `GHSA${id.slice(4).toLowerCase()}`;
  return id;
}

export function isCveId(id: string): boolean {
  return CVE_ID.test(id);
}

/** The record's own id and its aliases, normalised, unique, sorted. */
export function namesOf(record: Pick<FlawRecord, 'id' | 'aliases'>): string[] {
  const names = new Set<string>([normaliseId(record.id)]);
  for (const alias of record.aliases) {
    const id = normaliseId(alias);
    if (id !== '') names.add(id);
  }
  return [...names].sort();
}

/** Why the rule keeps a record out of every automatic merge; undefined when it takes part. */
export type Exclusion = 'withdrawn' | 'names-two-cves' | 'too-many-aliases';

export function exclusionOf(record: FlawRecord): Exclusion | undefined {
  if (record.withdrawn) return 'withdrawn';
  const names = namesOf(record);
  if (names.filter(isCveId).length > 1) return 'names-two-cves';
  if (names.length - 1 > FLAW_LIMITS.aliasesPerRecord) return 'too-many-aliases';
  return undefined;
}

/**
 * The ids through which a record links to others: all its names when it takes part in merges; only
 * its own id when it is excluded (so a withdrawn or over-broad record neither joins others nor pulls
 * their records into a regroup). The service indexes each record under these ids (`_id` = the id).
 */
export function linksOf(record: FlawRecord): string[] {
  return exclusionOf(record) === undefined ? namesOf(record) : [normaliseId(record.id)];
}
