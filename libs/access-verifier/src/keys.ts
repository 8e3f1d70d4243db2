/**
 * The early-access service's verification keys: Ed25519 public keys by `kid`, each with the interval
 * it signed in. A current key has no retirement; a retired key stopped signing at `retiredAt` and
 * still verifies what it signed before then: credentials until they expire (a day at most), signed
 * access-log checkpoints for good. A key the service no longer publishes verifies nothing.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { CREDENTIAL_ALGORITHM } from './algorithm';

/** A key as GetVerificationKeys publishes it. */
export interface PublishedKey {
  /** The public JWK (OKP, Ed25519, with `kid`). */
  jwk: JWK;
  /** When it began signing; absent: no lower bound. */
  activeFrom?: Date;
  /** When it stopped signing; absent: current. */
  retiredAt?: Date;
}

export interface VerificationKey {
  kid: string;
  alg: typeof CREDENTIAL_ALGORITHM;
  /** Imported once: verification then costs no parsing. */
  key: KeyObject;
  activeFrom?: Date;
  retiredAt?: Date;
}

/** What verification asks of a key set. */
export interface CredentialKeys {
  get(kid: string): VerificationKey | undefined;
}

/** Whether the key was signing at `at` (seconds of clock tolerance either side). */
export function signedWhileActive(key: VerificationKey, at: Date, toleranceSeconds: number): boolean {
  const t = at.getTime();
  if (!Number.isFinite(t)) return false;
  const slack = toleranceSeconds * 1000;
  if (key.activeFrom && t < key.activeFrom.getTime() - slack) return false;
  if (key.retiredAt && t > key.retiredAt.getTime() + slack) return false;
  return true;
}

export class KeySet implements CredentialKeys {
  private constructor(private readonly byKid: ReadonlyMap<string, VerificationKey>) {}

  /** The usable keys of a published set; one that is not an Ed25519 public key with a kid is left out (it verifies nothing). */
  static from(published: readonly PublishedKey[], onRejected?: (kid: string, why: string) => void): KeySet {
    const byKid = new Map<string, VerificationKey>();
    const duplicated = new Set<string>();
    for (const p of published) {
      const { jwk } = p;
      const kid = typeof jwk.kid === 'string' ? jwk.kid : '';
      const why = kid === '' ? 'no kid'
        : jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' ? 'not an Ed25519 key'
          : jwk.alg !== undefined && jwk.alg !== CREDENTIAL_ALGORITHM ? `alg ${String(jwk.alg)} is not ${CREDENTIAL_ALGORITHM}`
            : byKid.has(kid) || duplicated.has(kid) ? 'kid appears twice'
              : invalidDate(p.activeFrom) || invalidDate(p.retiredAt) ? 'invalid validity interval' : undefined;
      if (why) {
        onRejected?.(kid, why);
        if (why === 'kid appears twice') {
          byKid.delete(kid); // ambiguous: none of them verifies
          duplicated.add(kid);
        }
        continue;
      }
      let key: KeyObject;
      try {
        // Only the public members: a private `d` is never imported on the verifying side.
        key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x! }, format: 'jwk' });
      } catch {
        onRejected?.(kid, 'not an Ed25519 key');
        continue;
      }
      byKid.set(kid, { kid, alg: CREDENTIAL_ALGORITHM, key, ...(p.activeFrom ? { activeFrom: p.activeFrom } : {}), ...(p.retiredAt ? { retiredAt: p.retiredAt } : {}) });
    }
    return new KeySet(byKid);
  }

  get(kid: string): VerificationKey | undefined {
    return this.byKid.get(kid);
  }

  get kids(): string[] {
    return [...this.byKid.keys()];
  }
}

function invalidDate(d: Date | undefined): boolean {
  return d !== undefined && !(d instanceof Date && Number.isFinite(d.getTime()));
}
