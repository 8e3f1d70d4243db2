/**
 * Tokens a verifier has already verified, so that a client sending the same bearer token on every
 * call pays for its signature once (the signature check was the largest single cost of a call in
 * intake's profile). Only a byte-identical token can hit: the key is the whole compact JWS,
 * signature included. A hit still re-checks everything that can change after verification: the
 * clock (`exp`, `nbf`, with the verifier's tolerance) and the key (the key set must hand out the
 * very same key object for the token's header, so a key removed, replaced or re-read means a full
 * verification again). Bounded: past `maxEntries`, the least recently used entry goes, so the
 * tokens of clients that keep calling stay while a stream of one-off tokens passes through.
 */
import type { Caller } from './caller';

export interface VerifiedToken {
  caller: Caller;
  /** The key object the signature was verified with. */
  key: unknown;
  /** Seconds since the epoch. */
  expiresAt: number;
  notBefore?: number;
}

export const DEFAULT_VERIFIED_TOKENS = 10_000;

export class VerifiedTokens {
  private readonly entries = new Map<string, VerifiedToken>();

  constructor(private readonly maxEntries = DEFAULT_VERIFIED_TOKENS) {}

  /** The entry, if the token is still inside its lifetime at `nowS` give or take `toleranceS`. */
  get(token: string, nowS: number, toleranceS: number): VerifiedToken | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    // The same comparisons jose makes, so a hit never outlives what a full verification accepts.
    if (entry.expiresAt <= nowS - toleranceS || (entry.notBefore !== undefined && entry.notBefore > nowS + toleranceS)) {
      this.entries.delete(token);
      return undefined;
    }
    // A Map iterates in insertion order: moving a hit to the end makes the first entry the least recently used.
    this.entries.delete(token);
    this.entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: VerifiedToken): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(token);
    while (this.entries.size >= this.maxEntries) {
      const leastRecent = this.entries.keys().next();
      if (leastRecent.done) break;
      this.entries.delete(leastRecent.value);
    }
    this.entries.set(token, entry);
  }

  forget(token: string): void {
    this.entries.delete(token);
  }

  get size(): number {
    return this.entries.size;
  }
}
