/**
 * What the flaw rules read of a record. A structural subset of the formats' `AdvisoryRecord` (an
 * imported OSV, CSAF or CVE record, or a reporter's report in canonical form), so either can be
 * passed as it is; the rules never need more than this.
 */
import type { AdvisoryRecord } from '../formats/advisory-record';

/** From `introduced` (inclusive; absent or "0": the first version) to `fixed` (exclusive) or `lastAffected` (inclusive). */
export interface AffectedRange {
  /** OSV's range type when the source gave one (matching orders by it). */
  type?: 'SEMVER' | 'ECOSYSTEM' | 'GIT';
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
}

export interface AffectedPackage {
  /** A package URL; its version, if any, is one affected version. */
  purl?: string;
  ranges: readonly AffectedRange[];
  versions: readonly string[];
  /** Versions inside a range that are not affected. */
  excluded?: readonly string[];
  /** CPE keys the package is known by (components without a purl match by them). */
  cpes?: readonly string[];
}

/** Where a scanner found a candidate flaw (a SARIF result's primary location). */
export interface FindingLocation {
  /** The artifact's URI as the scanner gave it, relative to its repository. */
  uri: string;
  startLine?: number;
  ruleId?: string;
  /** The scanner's own fingerprint of the result (SARIF partialFingerprints), if any. */
  fingerprint?: string;
}

export interface FlawRecord {
  /** Where it came from: 'osv', 'csaf', 'cve', 'reporter', 'sarif', ... */
  source: string;
  /** The record's own id: PYSEC-..., GHSA-..., CVE-..., a vendor's id, or a report id. */
  id: string;
  /** The ids it says it is also known by (CVE, GHSA, PYSEC, OSV, vendor ids). */
  aliases: readonly string[];
  /** A withdrawn (or rejected) advisory: readable, never merged. */
  withdrawn: boolean;
  affected: readonly AffectedPackage[];
  /** CWE ids, e.g. CWE-79. */
  cwes: readonly string[];
  /** SARIF-derived findings only. */
  locations?: readonly FindingLocation[];
}

/** Compile-time proof that the formats' records are flaw records (tsc fails here if they drift apart). */
export type AdvisoryRecordIsFlawRecord = AdvisoryRecord extends FlawRecord ? true : never;
const advisoryRecordIsFlawRecord: AdvisoryRecordIsFlawRecord = true;
void advisoryRecordIsFlawRecord;
