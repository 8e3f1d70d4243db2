/**
 * Bounds of the flaw rules. The first two are OSV's own alias-group guards (osv.dev
 * `alias_computation.py`: ALIAS_GROUP_VULN_LIMIT = 32, VULN_ALIASES_LIMIT = 5), kept at OSV's values
 * because the records we import are mostly OSV's and groups of that size are what its feeds produce:
 * no flaw of the 2,661 PyPA advisories is known by more than 6 ids. A larger group is far more likely a
 * bad alias (a typo, a record aliasing a whole family of flaws) than one flaw, and a bounded group
 * keeps a regroup (which loads the group's records by `_id`) cheap.
 */
export const FLAW_LIMITS = {
  /** A flaw is known by at most this many distinct ids (its records' own ids and their aliases). */
  groupIds: 32,
  /** A record naming more aliases than this is not merged by the rule: it stays alone, flagged. */
  aliasesPerRecord: 5,
  /**
   * A component walk that reaches more records than this stops (ComponentWalk.overflow): the
   * service then leaves the new record alone and flags it instead of loading more. Only a pathological
   * chain of records reaches it (the PyPA corpus's largest component has 4 records).
   */
  componentRecords: 512,
  /** At most this many fingerprint buckets per record (one per affected package and CWE, up to three per finding location). */
  fingerprintKeys: 32,
} as const;
