/** Signing keys and token minting for development, tests and the CLI. Production tokens come from the identity provider. */
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JSONWebKeySet, type JWK } from 'jose';
import type { Role, Clearance } from './roles';

export interface SigningKey {
  /** Private JWK with `kid` and `alg`. */
  privateJwk: JWK;
  /** The matching public key set to give services. */
  publicJwks: JSONWebKeySet;
}

export async function generateSigningKey(kid: string, alg = 'EdDSA'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateJwk, publicJwks: { keys: [publicJwk] } };
}

export interface TokenClaims {
  subject: string;
  organization: string;
  roles: readonly Role[];
  clearance: Clearance;
  agency?: string;
}

export interface MintOptions {
  issuer: string;
  audience: string;
  /** jose time span, e.g. '1h'; or seconds since the epoch. */
  expiresIn?: string | number;
}

export async function mintToken(privateJwk: JWK, claims: TokenClaims, options: MintOptions): Promise<string> {
  if (!privateJwk.kid || !privateJwk.alg) throw new Error('signing key needs kid and alg');
  const key = await importJWK(privateJwk, privateJwk.alg);
  return new SignJWT({
    org: claims.organization,
    roles: [...claims.roles],
    clearance: claims.clearance,
    ...(claims.agency ? { agency: claims.agency } : {}),
  })
    .setProtectedHeader({ alg: privateJwk.alg, kid: privateJwk.kid, typ: 'JWT' })
    .setSubject(claims.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(key);
}
