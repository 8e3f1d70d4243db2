/**
 * Bearer-token verification: an asymmetric JWT typed `JWT` or `at+jwt` (RFC 9068), with `iss`,
 * `aud`, `exp` and a `kid` that names a key in the configured key set; `exp` and `nbf` allow a small
 * clock skew. Keys rotate by publishing the new key in the set before signing with it. Anything else,
 * `alg: none` and HMAC included, is UNAUTHENTICATED. Callers learn what was wrong with their token,
 * never what went wrong on our side (that is logged).
 *
 * Refusing costs an attacker nothing and a signature check costs us a thread-pool job, so the checks
 * in flight are bounded (`maxVerifications`): past it a token is not verified at all
 * (VerificationsExhaustedError, RESOURCE_EXHAUSTED). Remembered tokens need no check and pass
 * whatever the load, so a flood of forged tokens does not lock out clients that keep their token.
 */
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, type ProtectedHeaderParameters } from 'jose';
import { UnavailableError } from '@rampart/errors';
import { isClearance, isRole } from './roles';
import type { Caller } from './caller';
import { keySetFrom, type KeySetLogger } from './keyset';
import { TokenRefusedError, VerificationsExhaustedError, type RefusalReason } from './refusal';
import { isSubjectToken, SUBJECT_TOKEN_RULE } from './subjects';
import { DEFAULT_VERIFIED_TOKENS, VerifiedTokens } from './verified-tokens';

export const ALLOWED_ALGORITHMS = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'];

/** Media types of access tokens, compared without case and without `application/` (RFC 7515 4.1.9). */
export const ACCEPTED_TOKEN_TYPES = ['jwt', 'at+jwt'];

export const DEFAULT_CLOCK_TOLERANCE_S = 30;
/**
 * Signature checks in flight per verifier (one per service process). Each is a job for libuv's
 * thread pool (4 threads, well under a millisecond each): 128 is a few milliseconds of queue.
 */
export const DEFAULT_MAX_VERIFICATIONS = 128;
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
  /** Verified tokens remembered (see VerifiedTokens); default 10,000, 0 turns the cache off. */
  cachedTokens?: number;
  /** Signature checks (key lookup included) in flight at once; default 128. Past it: VerificationsExhaustedError. */
  maxVerifications?: number;
  /** The clock, in ms since the epoch; tests move it. */
  now?: () => number;
}

export type TokenVerifier = (token: string) => Promise<Caller>;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const keySet = typeof options.keys === 'function' ? options.keys : createLocalJWKSet(options.keys);
  const clockTolerance = options.clockToleranceS ?? DEFAULT_CLOCK_TOLERANCE_S;
  if (!Number.isInteger(clockTolerance) || clockTolerance < 0 || clockTolerance > MAX_CLOCK_TOLERANCE_S) {
    throw new Error(`clock tolerance must be a whole number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_S}`);
  }
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const verified = new VerifiedTokens(options.cachedTokens ?? DEFAULT_VERIFIED_TOKENS);
  const maxVerifications = options.maxVerifications ?? DEFAULT_MAX_VERIFICATIONS;
  if (!Number.isInteger(maxVerifications) || maxVerifications < 1) throw new Error('maxVerifications must be a whole number of at least 1');
  let verifying = 0;
  /** Checks under way, by token: a burst of calls with one token costs one signature check. */
  const checking = new Map<string, Promise<Caller>>();
  return async (token) => {
    const known = verified.get(token, Math.floor(now() / 1000), clockTolerance);
    if (known && (await sameKey(keySet, token, known.key))) return copyOf(known.caller);
    let pending = checking.get(token);
    if (!pending) {
      pending = check(token, known !== undefined).finally(() => checking.delete(token));
      checking.set(token, pending);
    }
    return copyOf(await pending);
  };

  async function check(token: string, known: boolean): Promise<Caller> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch (cause) {
      throw new TokenRefusedError('malformed', 'bearer token is not a JWT', { cause });
    }
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new TokenRefusedError('no-kid', 'bearer token header has no kid');
    }
    if (!header.alg || !ALLOWED_ALGORITHMS.includes(header.alg)) {
      throw new TokenRefusedError('algorithm', `bearer token algorithm ${String(header.alg ?? 'none').slice(0, 40)} is not accepted`);
    }
    // Explicit typing (RFC 8725 3.11): an ID token, logout token or other JWT signed by the same
    // issuer is not an access token.
    if (!ACCEPTED_TOKEN_TYPES.includes(mediaType(header.typ))) {
      throw new TokenRefusedError('type', 'bearer token header typ must be JWT or at+jwt');
    }
    // A token verified before (its key object changed: a key-set reload or rotation) is checked
    // again whatever the bound, so every client does not fail at once after each reload; only a
    // byte-identical token that once verified gets past it, and once at a time (`checking`).
    if (!known && verifying >= maxVerifications) throw new VerificationsExhaustedError();
    verifying++;
    let payload: JWTPayload;
    let key: unknown;
    try {
      const result = await jwtVerify(token, keySet, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        requiredClaims: ['exp', 'sub'],
        clockTolerance,
        currentDate: new Date(now()),
      });
      ({ payload, key } = result);
    } catch (cause) {
      verified.forget(token);
      throw rejection(cause, logger);
    } finally {
      verifying--;
    }
    const caller = toCaller(payload);
    verified.set(token, { caller, key, expiresAt: payload.exp!, ...(payload.nbf !== undefined ? { notBefore: payload.nbf } : {}) });
    return caller;
  }
}

/** Whether the key set still hands out, for this token, the key its signature was verified with. */
async function sameKey(keySet: JWTVerifyGetKey, token: string, key: unknown): Promise<boolean> {
  const [protectedHeader = '', payload = '', signature = ''] = token.split('.', 3);
  try {
    return (await keySet(decodeProtectedHeader(token) as Parameters<JWTVerifyGetKey>[0], { protected: protectedHeader, payload, signature })) === key;
  } catch {
    return false; // the full verification says why
  }
}

/** Callers are handed their own copy: nothing a handler does to one reaches the cache. */
function copyOf(caller: Caller): Caller {
  return { ...caller, roles: [...caller.roles] };
}

function mediaType(typ: unknown): string {
  if (typeof typ !== 'string') return '';
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** What the caller is told: what is wrong with the token, or a generic reason when the fault is ours. */
function rejection(error: unknown, logger: KeySetLogger | undefined): Error {
  const refused = (why: RefusalReason, text: string) => new TokenRefusedError(why, `bearer token rejected: ${text}`, { cause: error });
  if (error instanceof errors.JWTExpired) return refused('expired', 'expired');
  if (error instanceof errors.JWKSNoMatchingKey) return refused('unknown-kid', 'no key in the key set matches its kid');
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused('signature', 'signature does not verify');
  if (error instanceof errors.JWTClaimValidationFailed) return refused(error.claim === 'nbf' ? 'not-yet-valid' : 'claims', `claim ${error.claim} ${error.reason}`);
  if (error instanceof errors.JOSEAlgNotAllowed) return refused('algorithm', 'algorithm not accepted');
  // The key source failed (a remote key set timed out or answered garbage): ours to fix, the caller may retry.
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    (logger ?? console).warn({ err: error }, 'verification keys unavailable');
    return new UnavailableError('verification keys are unavailable, retry later', { cause: error });
  }
  // Other jose errors describe the token itself (malformed JWS, claims not an object).
  if (error instanceof errors.JOSEError) return refused('malformed', error.message);
  (logger ?? console).warn({ err: error }, 'bearer token verification failed unexpectedly');
  return refused('other', 'could not be verified');
}

const MAX_SUBJECT_LENGTH = 256;

function toCaller(payload: JWTPayload): Caller {
  const { sub, org, roles, clearance, agency } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) throw new TokenRefusedError('claims', `bearer token claim sub must be 1 to ${MAX_SUBJECT_LENGTH} characters`);
  if (org === undefined || org === '') throw new TokenRefusedError('claims', 'bearer token has no org claim');
  // The org becomes a NATS subject token (rampart.developer.<org>...): only ids that are one already.
  if (!isSubjectToken(org)) throw new TokenRefusedError('claims', `bearer token claim org must be ${SUBJECT_TOKEN_RULE}`);
  if (!Array.isArray(roles) || roles.length === 0) throw new TokenRefusedError('claims', 'bearer token has no roles claim');
  const known = roles.filter(isRole);
  if (known.length !== roles.length) throw new TokenRefusedError('claims', `bearer token names unknown roles: ${roles.filter((r) => !isRole(r)).map(String).join(', ').slice(0, 200)}`);
  if (!isClearance(clearance)) throw new TokenRefusedError('claims', 'bearer token clearance must be UNCLASSIFIED, CUI, SECRET or TOP_SECRET');
  if (agency !== undefined && typeof agency !== 'string') throw new TokenRefusedError('claims', 'bearer token agency must be a string');
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
