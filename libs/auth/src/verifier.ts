/**
 * Bearer-token verification: an asymmetric JWT typed `JWT` or `at+jwt` (RFC 9068), with `iss`,
 * `aud`, `exp` and a `kid` that names a key in the configured key set; `exp` and `nbf` allow a small
 * clock skew. Keys rotate by publishing the new key in the set before signing with it. Anything else,
 * `alg: none` and HMAC included, is UNAUTHENTICATED. Callers learn what was wrong with their token,
 * never what went wrong on our side (that is logged).
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type ProtectedHeaderParameters } from 'jose';
import { UnauthenticatedError, UnavailableError } from '@rampart/errors';
import { isClearance, isRole } from './roles';
import type { Caller } from './caller';
import { keySetFrom, type KeySetLogger } from './keyset';
import { isSubjectToken, SUBJECT_TOKEN_RULE } from './subjects';

export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];

/** Media types of access tokens, compared without case and without `application/` (RFC 7515 4.1.9). */
export const ACCEPTED_TOKEN_TYPES = ['jwt', 'at+jwt'];

export const DEFAULT_CLOCK_TOLERANCE_S = 30;
/** More skew than this is a broken clock, not drift. */
export const MAX_CLOCK_TOLERANCE_S = 300;

export interface VerifierOptions {
  issuer: string;
  audience: string;
  /** A key set in memory, or a key lookup (see keySetFrom: a file or a URL). */
  keys: JSONWebKeySet | JWTVerifyGetKey;
  /** Seconds of clock skew allowed on `exp` and `nbf`; default 30, at most 300. */
  clockToleranceS?: number;
  /** Where failures on our side are logged; pino's logger fits. */
  logger?: KeySetLogger;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = typeof options.keys === 'function' ? options.keys : createLocalJWKSet(options.keys);
  const clockTolerance = options.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S;
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > MAX_CLOCK_TOLERANCE_S) {
    throw new Error(`clock tolerance must be a whole number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_S}`);
  }
  const logger = options.logger;
  return async (token) => {
    let header: ProtectedHeaderParameters;
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
    // Explicit typing (RFC 8725 3.11): an ID token, logout token or other JWT signed by the same
    // issuer is not an access token.
    if (!ACCEPTED_TOKEN_TYPES.includes(mediaType(header.typ))) {
      throw new UnauthenticatedError('bearer token header typ must be JWT or at+jwt');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance,
      }));
    } catch (cause) {
      throw rejection(cause, logger);
    }
    return toCaller(payload);
  };
}

function mediaType(typ: unknown): string {
  if (typeof typ !== 'string') return '';
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** What the caller is told: what is wrong with the token, or a generic reason when the fault is ours. */
function rejection(error: unknown, logger: KeySetLogger | undefined): Error {
  const refused = (reason: string) => new UnauthenticatedError(`bearer token rejected: ${reason}`, { cause: error });
  if (error instanceof errors.JWTExpired) return refused('expired');
  if (error instanceof errors.JWKSNoMatchingKey) return refused('no key in the key set matches its kid');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('signature does not verify');
  if (error instanceof errors.JWTClaimValidationFailed) return refused(`claim ${error.claim} ${error.reason}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('algorithm not accepted');
  // The key source failed (a remote key set timed out or answered garbage): ours to fix, the caller may retry.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    (logger ?? console).warn({ err: error }, 'verification keys unavailable');
    return new UnavailableError('verification keys are unavailable, retry later', { cause: error });
  }
  // Other jose errors describe the token itself (malformed JWS, claims not an object).
  if (error instanceof errors.JOSEError) return refused(error.message);
  (logger ?? console).warn({ err: error }, 'bearer token verification failed unexpectedly');
  return refused('could not be verified');
}

const MAX_SUBJECT_LENGTH = 256;

function toCaller(payload: JWTPayload): Caller {
  const { sub, org, roles, clearance, agency } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) throw new UnauthenticatedError(`bearer token claim sub must be 1 to ${MAX_SUBJECT_LENGTH} characters`);
  if (org === undefined || org === '') throw new UnauthenticatedError('bearer token has no org claim');
  // The org becomes a NATS subject token (rampart.developer.<org>...): only ids that are one already.
  if (!isSubjectToken(org)) throw new UnauthenticatedError(`bearer token claim org must be ${SUBJECT_TOKEN_RULE}`);
  if (!Array.isArray(roles) || roles.length === 0) throw new UnauthenticatedError('bearer token has no roles claim');
  const known = roles.filter(isRole);
  if (known.length !== roles.length) throw new UnauthenticatedError(`bearer token names unknown roles: ${roles.filter((r) => !isRole(r)).map(String).join(', ').slice(0, 200)}`);
  if (!isClearance(clearance)) throw new UnauthenticatedError('bearer token clearance must be UNCLASSIFIED, CUI, SECRET or TOP_SECRET');
  if (agency !== undefined && typeof agency !== 'string') throw new UnauthenticatedError('bearer token agency must be a string');
  return { subject: sub, organization: org, roles: known, clearance, ...(agency ? { agency } : {}) };
}

/** The shared configuration variables the verifier reads. */
export interface VerifierConfig {
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_JWKS_FILE?: string | undefined;
  AUTH_JWKS_URL?: string | undefined;
  AUTH_CLOCK_TOLERANCE_S?: number | undefined;
}

/** The verifier every service builds from its shared configuration variables; pass the service's logger. */
export function verifierFromConfig(config: VerifierConfig, logger?: KeySetLogger): TokenVerifier {
  return createTokenVerifier({
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    keys: keySetFrom({ jwksFile: config.AUTH_JWKS_FILE, jwksUrl: config.AUTH_JWKS_URL }, logger),
    ...(config.AUTH_CLOCK_TOLERANCE_S !== undefined ? { clockToleranceS: config.AUTH_CLOCK_TOLERANCE_S } : {}),
    ...(logger ? { logger } : {}),
  });
}
