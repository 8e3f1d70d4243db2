/**
 * The service's signing keys (CREDENTIAL_KEYS_FILE): one current key signs credentials and
 * access-log checkpoints; every key in the file verifies what it signed while it was active, and
 * GetVerificationKeys publishes the public halves with those intervals. Rotating: add the new key,
 * sign with it (CREDENTIAL_SIGNING_KID) and mark the old one `retiredAt`; the old key's live
 * credentials stay valid until they expire (a day at most), its checkpoints stay verifiable for good
 * (keep its public half in the file; its private half may go).
 */
import { CompactSign, importJWK, SignJWT, type CryptoKey } from 'jose';
import { CHECKPOINT_TYPE, CREDENTIAL_ALGORITHM, CREDENTIAL_TYPE, credentialPayload, KeySet, verifyCheckpoint, type CheckpointStatement, type CredentialClaims, type PublishedKey } from '@rampart/access-verifier';
import { retiredWithPrivateHalf, signingKeyNotYetActive, type SigningJwk } from './config';
import { canonicalJson } from './domain/canonical';

export { CHECKPOINT_TYPE, type CheckpointStatement };

export class Signer {
  private constructor(
    readonly issuer: string,
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    /** What GetVerificationKeys publishes: every key's public half and the interval it signed in. */
    readonly publishedKeys: readonly PublishedKey[],
    readonly keys: KeySet,
    private readonly clockToleranceSeconds: number,
  ) {}

  /** `clockToleranceSeconds`: AUTH_CLOCK_TOLERANCE_S, for checkpoint checks and the signing key's activeFrom. */
  static async load(jwks: readonly SigningJwk[], signingKid: string | undefined, issuer: string, clockToleranceSeconds = 5, now = new Date()): Promise<Signer> {
    const signing = signingKid ? jwks.find((k) => k.kid === signingKid) : jwks.find((k) => k.d && !k.retiredAt);
    if (!signing?.d) throw new Error(`no signing key: ${signingKid ? `key ${signingKid} is not a private key in the set` : 'every key is retired or public only'}`);
    if (signing.retiredAt) throw new Error(`signing key ${signing.kid} is retired`);
    const early = signingKeyNotYetActive(signing, clockToleranceSeconds, now);
    if (early) throw new Error(early);
    const retired = jwks.find((k) => k.retiredAt && k.d);
    if (retired) throw new Error(retiredWithPrivateHalf(retired.kid));
    const privateKey = (await importJWK(signing as never, CREDENTIAL_ALGORITHM)) as CryptoKey;
    const publishedKeys: PublishedKey[] = jwks.map((k) => ({
      jwk: { kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: CREDENTIAL_ALGORITHM, use: 'sig' },
      ...(k.activeFrom ? { activeFrom: new Date(k.activeFrom) } : {}),
      ...(k.retiredAt ? { retiredAt: new Date(k.retiredAt) } : {}),
    }));
    return new Signer(issuer, signing.kid, privateKey, publishedKeys, KeySet.from(publishedKeys), clockToleranceSeconds);
  }

  /** The kid new credentials and checkpoints are signed with. */
  get signingKid(): string {
    return this.kid;
  }

  signCredential(claims: CredentialClaims): Promise<string> {
    return new SignJWT(credentialPayload(claims, this.issuer)).setProtectedHeader({ alg: CREDENTIAL_ALGORITHM, kid: this.kid, typ: CREDENTIAL_TYPE }).sign(this.privateKey);
  }

  /** A compact JWS over the statement's canonical JSON. */
  signCheckpoint(statement: CheckpointStatement): Promise<string> {
    return new CompactSign(Buffer.from(canonicalJson(statement), 'utf8')).setProtectedHeader({ alg: CREDENTIAL_ALGORITHM, kid: this.kid, typ: CHECKPOINT_TYPE }).sign(this.privateKey);
  }

  /** The statement a checkpoint signs, or undefined when it does not verify with a key active when it was signed. */
  verifyCheckpoint(jws: string): Promise<CheckpointStatement | undefined> {
    return Promise.resolve(verifyCheckpoint(jws, this.keys, this.clockToleranceSeconds));
  }
}
