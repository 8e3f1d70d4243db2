/**
 * The access log: every use a gateway reports, hash-chained per program. Record n holds the hash of
 * record n-1; its own hash is the SHA-256 of the RFC 8785 canonical JSON of the program id, its
 * sequence, that previous hash and the use. Signed checkpoints fix the head at intervals, so a
 * deleted tail is detectable by anyone who kept one, the developer included.
 */
import { canonicalHash } from './canonical';

export const GENESIS_HASH = '0'.repeat(64);

/** One use as the gateway reported it, times as ISO 8601 text (hashed exactly as stored). */
export interface AccessUse {
  principal: string;
  principalOrganization: string;
  credentialId: string;
  grantId: string;
  operation: string;
  volume: number;
  occurredAt: string;
  recordedAt: string;
  reportedBy: string;
}

export interface AccessRecord {
  programId: string;
  sequence: number;
  previousHash: string;
  use: AccessUse;
  hash: string;
}

export interface ChainHead {
  sequence: number;
  hash: string;
}

export function recordHash(programId: string, sequence: number, previousHash: string, use: AccessUse): string {
  return canonicalHash({ programId, sequence, previousHash, use });
}

/** The record that follows `head` (none: the first). */
export function chainRecord(programId: string, head: ChainHead | undefined, use: AccessUse): AccessRecord {
  const sequence = (head?.sequence ?? 0) + 1;
  const previousHash = head?.hash ?? GENESIS_HASH;
  return { programId, sequence, previousHash, use, hash: recordHash(programId, sequence, previousHash, use) };
}

export interface BrokenLink {
  sequence: number;
  reason: string;
}

/** A checkpoint whose signature was already checked: record `sequence` had hash `hash`. */
export interface TrustedCheckpoint {
  sequence: number;
  hash: string;
}

/**
 * Verifies a chain record by record, in sequence order, and names the first broken link. Feed it
 * what is stored at each sequence from 1 (undefined where nothing is), then `finish`.
 */
export class ChainVerifier {
  private previous: ChainHead = { sequence: 0, hash: GENESIS_HASH };
  private broken?: BrokenLink;
  private readonly checkpoints: Map<number, string>;

  constructor(
    private readonly programId: string,
    checkpoints: readonly TrustedCheckpoint[] = [],
  ) {
    this.checkpoints = new Map(checkpoints.map((c) => [c.sequence, c.hash]));
  }

  /** The first broken link so far. */
  get firstBroken(): BrokenLink | undefined {
    return this.broken;
  }

  get head(): ChainHead {
    return this.previous;
  }

  /** Checks the record stored at `sequence`; returns the first broken link once there is one. */
  next(sequence: number, stored: AccessRecord | undefined): BrokenLink | undefined {
    if (this.broken) return this.broken;
    const fail = (reason: string) => (this.broken = { sequence, reason });
    if (sequence !== this.previous.sequence + 1) throw new RangeError(`records must be fed in order: expected ${this.previous.sequence + 1}, got ${sequence}`);
    if (!stored) return fail(`record ${sequence} is missing`);
    if (stored.programId !== this.programId || stored.sequence !== sequence) return fail(`record ${sequence} holds record ${stored.sequence} of program ${stored.programId}: moved or reordered`);
    if (recordHash(stored.programId, stored.sequence, stored.previousHash, stored.use) !== stored.hash) return fail(`record ${sequence} does not match its hash: its content was changed`);
    if (stored.previousHash !== this.previous.hash) return fail(`record ${sequence} does not follow record ${sequence - 1}: the previous hash differs`);
    const signed = this.checkpoints.get(sequence);
    if (signed !== undefined && signed !== stored.hash) return fail(`record ${sequence} differs from the signed checkpoint at ${sequence}: the chain was rewritten`);
    this.previous = { sequence, hash: stored.hash };
    return undefined;
  }

  /** After the last stored record: a signed checkpoint beyond it means the tail was deleted. */
  finish(): BrokenLink | undefined {
    if (this.broken) return this.broken;
    const beyond = [...this.checkpoints.keys()].filter((s) => s > this.previous.sequence).sort((a, b) => a - b)[0];
    if (beyond !== undefined) {
      this.broken = { sequence: this.previous.sequence + 1, reason: `record ${this.previous.sequence + 1} is missing: a signed checkpoint covers records up to ${beyond}, so the tail was deleted` };
    }
    return this.broken;
  }
}
