/**
 * Bearer-token verification: an asymmetric JWT with `iss`, `aud`, `exp` and a `kid` that names a
 * key in the configured key set. Keys rotate by publishing the new key in the set before signing
 * with it. Anything else, `alg: none` and HMAC included, is UNAUTHENTICATED.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthenticatedError } from '@rampart/errors';
import { isClearance, isRole, type Role } from './roles';
import type { Caller } from './caller';
import { keySetFrom } from './keyset';

export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** A key set in memory, or a key lookup (see keySetFrom: a file or a URL). */
  keys: JSONWebKeySet | JWTVerifyGetKey;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = typeof options.keys === 'function' ? options.keys : createLocalJWKSet(options.keys);
  return async (token) => {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch (cause) {
      throw new UnauthenticatedError('bearer token is not a JWT', { cause });
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new UnauthenticatedError('bearer token header has no kid');
    }
    if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) {
      throw new UnauthenticatedError(`bearer token algorithm ${header.alg ?? 'none'} is not accepted`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (cause) {
      throw new UnauthenticatedError(`bearer token rejected: ${describe(cause)}`, { cause });
    }
    return toCaller(payload);
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key in the key set matches its kid';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  return error instanceof Error ? error.message : String(error);
}

function toCaller(payload: JWTPayload): Caller {
  const { sub, org, roles, clearance, agency } = payload as JWTPayload & Record<string, unknown>;
  if (typeof org !== 'string' || org === '') throw new UnauthenticatedError('bearer token has no org claim');
  if (!Array.isArray(roles) || roles.length === 0) throw new UnauthenticatedError('bearer token has no roles claim');
  const known = roles.filter(isRole) as Role[];
  if (known.length !== roles.length) throw new UnauthenticatedError(`bearer token names unknown roles: ${roles.filter((r) => !isRole(r)).join(', ')}`);
  if (!isClearance(clearance)) throw new UnauthenticatedError('bearer token clearance must be UNCLASSIFIED, CUI, SECRET or TOP_SECRET');
  if (agency !== undefined && typeof agency !== 'string') throw new UnauthenticatedError('bearer token agency must be a string');
  return { subject: sub as string, organization: org, roles: known, clearance, ...(agency ? { agency } : {}) };
}

/** The verifier every service builds from its shared configuration variables. */
export function verifierFromConfig(config: { AUTH_ISSUER: string; AUTH_AUDIENCE: string; AUTH_JWKS_FILE?: string | undefined; AUTH_JWKS_URL?: string | undefined }): TokenVerifier {
  return createTokenVerifier({ issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE, keys: keySetFrom({ jwksFile: config.AUTH_JWKS_FILE, jwksUrl: config.AUTH_JWKS_URL }) });
}
