/**
 * A vulnerability report as received: what a reporter (an AI company whose models found a flaw, a
 * researcher, a scanner, an operator) says about one flaw, in its canonical form, and where the
 * report stands in coordinated disclosure. The statuses are CERT/CC's Vultron report-management
 * states (received, invalid, valid, accepted, deferred, closed).
 */
import type { ReportScoring } from './report-scoring';

export const REPORT_STATUSES = ['received', 'invalid', 'valid', 'accepted', 'deferred', 'closed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export function isReportStatus(value: string): value is ReportStatus {
  return (REPORT_STATUSES as readonly string[]).includes(value);
}

/** Where a report came from: a reporter's submission now; scanners' SARIF and imported feeds later. */
export type ReportSource = 'reporter' | 'sarif' | 'osv' | 'csaf' | 'cve' | 'kev';

export const DISCOVERY_METHODS = ['human', 'ai_model', 'scanner'] as const;
export type DiscoveryMethod = (typeof DISCOVERY_METHODS)[number];

/** TLP 2.0 labels, as the standard spells them. */
export const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLabel = (typeof TLP_LABELS)[number];
/** A report whose reporter gave no label is AMBER (the default). */
export const DEFAULT_TLP: TlpLabel = 'AMBER';

export type CveState = 'requested' | 'assigned';

/** From `introduced` (inclusive) to `fixed` (exclusive) or `lastAffected` (inclusive); open-ended without either. */
export interface VersionRange {
  introduced: string;
  fixed?: string;
  lastAffected?: string;
}

export interface AffectedProduct {
  /** The canonical package URL (packageurl-js's rendering of what was sent). */
  purl: string;
  ranges: VersionRange[];
  versions: string[];
}

export interface Discovery {
  method: DiscoveryMethod;
  /** The AI model or scanner; absent for a human. */
  toolName?: string;
  toolVersion?: string;
}

export interface RequestedEmbargo {
  endAt: Date;
  /** IANA time zone the reporter reckons the end in. */
  timeZone: string;
}

export interface CveRecordRequest {
  state: CveState;
  cna: string;
  cveId?: string;
}

/** What a reporter says about one flaw, checked and normalised (validation.ts). */
export interface ReportDetails {
  title: string;
  affectedProducts: AffectedProduct[];
  cweIds: string[];
  description: string;
  /** Proof of concept or reproduction steps; absent when none was given. */
  proof?: string;
  discovery: Discovery;
  requestedEmbargo?: RequestedEmbargo;
  tlp: TlpLabel;
  cvssVectors: string[];
  cve?: CveRecordRequest;
}

/** What was received, byte for byte, beside the canonical form. */
export interface ReceivedRecord {
  mediaType: string;
  /** Lowercase hex SHA-256 of `content`. */
  sha256: string;
  sizeBytes: number;
  /** Absent where a read leaves the bytes out (the basic view, listings). */
  content?: Uint8Array;
}

/** One move of a report's status: who, when, why. */
export interface StatusChange {
  from: ReportStatus;
  to: ReportStatus;
  changedBy: string;
  changedAt: Date;
  reasons: string[];
}

export interface VulnerabilityReport {
  id: string;
  /** The reporter's organisation (from its token). */
  organization: string;
  reportedBy: string;
  source: ReportSource;
  details: ReportDetails;
  status: ReportStatus;
  /** 1 on receipt; every change adds one. */
  revision: number;
  createdAt: Date;
  updatedAt: Date;
  /** The latest status change; absent while received. */
  lastChange?: StatusChange;
  received: ReceivedRecord;
  /** Scores and priority (report-scoring.ts): preliminary on receipt, again on validation and when an input changes. */
  scoring?: ReportScoring;
}

/** `rescored`: the priority changed with an input (a KEV listing, exploitation reported), the status did not. */
export type ReportChange = 'received' | 'transitioned' | 'rescored';

/** One entry of a report's history. */
export interface ReportRevision {
  revision: number;
  change: ReportChange;
  status: ReportStatus;
  changedBy: string;
  changedAt: Date;
  statusChange?: StatusChange;
}

/**
 * Reports describe flaws not yet public: controlled unclassified information (the CUI category
 * "Information Systems Vulnerability Information"). The reporter reads its own at any clearance.
 */
export const REPORT_MARKING = 'CUI' as const;
