/**
 * The service's signing keys (CREDENTIAL_KEYS_FILE): one signs credentials and access-log
 * checkpoints, every key in the file verifies, and GetVerificationKeys publishes the public halves.
 * Rotating means adding a key and signing with it while the old one still verifies: live
 * credentials stay valid until they expire (a day at most).
 */
import { CompactSign, compactVerify, createLocalJWKSet, importJWK, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { CREDENTIAL_ALGORITHM, CREDENTIAL_TYPE, credentialPayload, type CredentialClaims } from '@rampart/access-verifier';
import type { SigningJwk } from './config';
import { canonicalJson } from './domain/canonical';

export const CHECKPOINT_TYPE = 'rampart-checkpoint+jws';

/** What a checkpoint signs. */
export interface CheckpointStatement {
  programId: string;
  sequence: number;
  hash: string;
  signedAt: string;
}

export class Signer {
  private constructor(
    readonly issuer: string,
    private readonly kid: string,
    private readonly privateKey: CryptoKey,
    readonly publicJwks: JSONWebKeySet,
    readonly keys: JWTVerifyGetKey,
  ) {}

  static async load(jwks: readonly SigningJwk[], signingKid: string | undefined, issuer: string): Promise<Signer> {
    const signing = jwks.find((k) => k.kid === (signingKid ?? jwks[0]!.kid))!;
    const privateKey = (await importJWK(signing as JWK, CREDENTIAL_ALGORITHM)) as CryptoKey;
    const publicJwks: JSONWebKeySet = { keys: jwks.map(({ d: _d, ...pub }) => ({ ...pub, use: 'sig' })) };
    return new Signer(issuer, signing.kid, privateKey, publicJwks, createLocalJWKSet(publicJwks));
  }

  signCredential(claims: CredentialClaims): Promise<string> {
    return new SignJWT(credentialPayload(claims, this.issuer)).setProtectedHeader({ alg: CREDENTIAL_ALGORITHM, kid: this.kid, typ: CREDENTIAL_TYPE }).sign(this.privateKey);
  }

  /** A compact JWS over the statement's canonical JSON. */
  signCheckpoint(statement: CheckpointStatement): Promise<string> {
    return new CompactSign(Buffer.from(canonicalJson(statement), 'utf8')).setProtectedHeader({ alg: CREDENTIAL_ALGORITHM, kid: this.kid, typ: CHECKPOINT_TYPE }).sign(this.privateKey);
  }

  /** The statement a checkpoint signs, or undefined when its signature does not verify with any of the keys. */
  async verifyCheckpoint(jws: string): Promise<CheckpointStatement | undefined> {
    try {
      const { payload, protectedHeader } = await compactVerify(jws, this.keys, { algorithms: [CREDENTIAL_ALGORITHM] });
      if (protectedHeader.typ !== CHECKPOINT_TYPE) return undefined;
      return JSON.parse(Buffer.from(payload).toString('utf8')) as CheckpointStatement;
    } catch {
      return undefined;
    }
  }
}
