/**
 * One shape for a vulnerability record from any source (an OSV record, a CVE 5.1 record, one
 * vulnerability of a CSAF document, a KEV entry, a reporter's report, a scanner's finding), so
 * that the flaw rules group and score them alike. The record as received is kept beside it, byte
 * for byte, by the service.
 */

export type AdvisorySource = 'osv' | 'cve' | 'csaf' | 'kev' | 'report' | 'sarif';

/** OSV's range types: versions in SemVer 2.0 or in the ecosystem's own order, or commits of a repository. */
export type RangeType = 'SEMVER' | 'ECOSYSTEM' | 'GIT';

/**
 * From `introduced` (inclusive; absent or "0": from the first version) to `fixed` (exclusive) or
 * `lastAffected` (inclusive). `limit` (OSV) bounds where a fix is searched for, it does not end the range.
 */
export interface AffectedRange {
  /** The OSV range type when the source gave one; absent: the ecosystem's own order. */
  type?: RangeType;
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
  limit?: string;
}

export interface AffectedPackage {
  /** The package's identity purl (canonical, without version), when the source names a package. */
  purl?: string;
  /** Otherwise what the source calls the product: "vendor product", a CPE, a Git repository. */
  product?: string;
  ranges: AffectedRange[];
  /** Affected versions listed one by one. */
  versions: string[];
  /** Versions inside a range that are not affected (a `vers` range's `!=`); absent when none. */
  excluded?: string[];
  /**
   * The CPE keys (`cpe:<part>:<vendor>:<product>`) the source names the package by; absent when
   * none. Components without a purl are matched by them, in the range's own order (no ecosystem's).
   */
  cpes?: string[];
}

export type SeverityType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4';

export interface Severity {
  type: SeverityType;
  /** The CVSS vector string, e.g. `CVSS:3.1/AV:N/AC:L/...`; scoring computes the score from it. */
  vector: string;
}

/** From CISA's KEV catalog. A due date before the date added is legal and kept as given. */
export interface KnownExploited {
  /** YYYY-MM-DD */
  dateAdded: string;
  /** YYYY-MM-DD */
  dueDate: string;
  requiredAction: string;
  /** `Known` or `Unknown`. */
  ransomware?: string;
}

/** Where a scanner found a candidate flaw (a SARIF result's primary location). */
export interface FindingLocation {
  /** The artifact's URI as the scanner gave it, relative to its `uriBaseId` if any. */
  uri: string;
  startLine?: number;
  ruleId?: string;
  /** The finding's fingerprint (see sarif/findings.ts). */
  fingerprint?: string;
}

export interface AdvisoryRecord {
  source: AdvisorySource;
  /** The record's own id: PYSEC-..., GHSA-..., CVE-..., a vendor's id, a report id. */
  id: string;
  /** Other ids it says it is known by (CVE, GHSA, PYSEC, OSV, vendor ids), never its own. */
  aliases: string[];
  /** Withdrawn (OSV) or rejected (CVE): stays readable, never merges. */
  withdrawn: boolean;
  /** RFC 3339 with a time zone (a CVE timestamp without one is given `Z`, as the CVE schema says). */
  published?: string;
  modified?: string;
  summary?: string;
  details?: string;
  /** `CWE-79` form, no duplicates. */
  cwes: string[];
  affected: AffectedPackage[];
  severities: Severity[];
  /** URLs, no duplicates, in the source's order. */
  references: string[];
  knownExploited?: KnownExploited;
  /** Scanner findings only. */
  locations?: FindingLocation[];
}
