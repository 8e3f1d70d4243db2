/**
 * What an affected operator is told about one flaw: which of its assets and components are
 * affected, how to fix them, how urgent it is and how far it may be shared. One Notification per
 * (operator, flaw); each change the operator must act on is a new revision of it.
 */
import type { TlpLabel } from '../coordination';
import type { PriorityLevel } from '../scoring/priority';

/** One component of one asset that a flaw affects. */
export interface AffectedComponent {
  assetId: string;
  /** The component's purl with its version, as the inventory holds it; empty for one known by a CPE alone. */
  purl: string;
  /** For a component without a purl: its CPE key (`cpe:<part>:<vendor>:<product>`). */
  cpe?: string;
  version: string;
  /** The SBOM's bom-ref, when the component came from one. */
  bomRef?: string;
  /** Versions of this package the flaw's record says are fixed and above this one. */
  fixedVersions: string[];
}

/** A vendor's patch: where to get it and the SHA-256 to check it against. */
export interface PatchLink {
  url: string;
  /** Lower-case hex, 64 characters. */
  sha256: string;
}

export interface Fix {
  patches: PatchLink[];
  workarounds: string[];
}

export type NotificationKind = 'issued' | 'revised' | 'retracted';

/** What matching computed for (operator, flaw) now, before it is compared with what was sent. */
export interface Exposure {
  /** Empty: nothing of the operator's is affected (on a Notification: a retraction). */
  affected: AffectedComponent[];
  fix: Fix;
  /** The scoring's level (src/domain/scoring/priority.ts). */
  priority: PriorityLevel;
  /** Why that priority, in the scoring's words. */
  priorityReasons: string[];
  kevListed: boolean;
  tlp: TlpLabel;
}

/** What the operator is told: the exposure, numbered, with what changed since it was last told. */
export interface Notification extends Exposure {
  operatorId: string;
  vulnerabilityId: string;
  /** 1 for the first; each later one is a revision the operator must read. */
  revision: number;
  kind: NotificationKind;
  /** What changed since the previous revision, for the reader (empty on the first). */
  changes: string[];
  issuedAt: string;
}
