/**
 * An early-access credential as it travels: a compact JWS (JWT) signed by the early-access service,
 * header `typ: rampart-access+jwt`, `alg: EdDSA`, `kid` of one of the service's keys, for one
 * developer organisation's model gateway (`aud` `rampart-gateway:<org>`). The service mints it and
 * both verifiers (the service's VerifyCredential and the offline verifier here) check it through
 * this one definition: algorithm pinned to the key's, type, known and then-active key, signature,
 * issuer, audience, organisation, lifetime (with clock tolerance, at most a day) and claim types.
 */
import type { JWTPayload } from 'jose';
import { CREDENTIAL_ALGORITHM, CREDENTIAL_TYPE, MAX_CREDENTIAL_TTL_SECONDS } from './algorithm';
import { decodeJsonObject, readCompactJws, verifyEd25519 } from './jws';
import { signedWhileActive, type CredentialKeys } from './keys';

export type PrincipalKind = 'government' | 'partner';

/** What a verified credential says. */
export interface CredentialClaims {
  credentialId: string;
  /** The developer organisation whose gateway accepts it. */
  organization: string;
  programId: string;
  grantId: string;
  principal: string;
  principalOrganization: string;
  principalKind: PrincipalKind;
  scopes: string[];
  issuedAt: Date;
  notBefore: Date;
  expiresAt: Date;
}

export function gatewayAudience(organization: string): string {
  return `rampart-gateway:${organization}`;
}

/** The JWT payload of a credential (registered claims plus Rampart's). */
export function credentialPayload(c: CredentialClaims, issuer: string): JWTPayload {
  return {
    iss: issuer,
    aud: gatewayAudience(c.organization),
    sub: c.principal,
    jti: c.credentialId,
    iat: Math.floor(c.issuedAt.getTime() / 1000),
    nbf: Math.floor(c.notBefore.getTime() / 1000),
    exp: Math.floor(c.expiresAt.getTime() / 1000),
    org: c.organization,
    program: c.programId,
    grant: c.grantId,
    principal_org: c.principalOrganization,
    principal_kind: c.principalKind,
    scope: c.scopes.join(' '),
  };
}

/**
 * Why a credential is refused, for the gateway's logs and metrics (never secret). The last two come
 * from the offline verifier: `revoked`, and `revocations-stale` when it cannot confirm it has every
 * revocation (its NATS connection lost) and so fails closed.
 */
export type RejectionCode =
  | 'malformed' | 'algorithm' | 'type' | 'unknown-key' | 'retired-key' | 'signature'
  | 'issuer' | 'audience' | 'expired' | 'not-yet-valid' | 'lifetime' | 'claims'
  | 'revoked' | 'revocations-stale';

export type CredentialCheck =
  | { valid: true; claims: CredentialClaims }
  | { valid: false; code: RejectionCode; reason: string };

/** A credential that does not verify, and why (said to the gateway, never secret). */
export class CredentialRejectedError extends Error {
  constructor(readonly reason: string, readonly code: RejectionCode = 'malformed', options?: { cause?: unknown }) {
    super(`credential rejected: ${reason}`, options);
    this.name = 'CredentialRejectedError';
  }
}

export interface VerifyOptions {
  issuer: string;
  /** The gateway's own organisation: a credential for another organisation's gateway is refused. */
  organization: string;
  keys: CredentialKeys;
  /** Allowed clock difference, seconds (default 5). */
  clockToleranceSeconds?: number;
  now?: Date;
}

const refuse = (code: RejectionCode, reason: string): CredentialCheck => ({ valid: false, code, reason });

/**
 * Checks a credential synchronously; never throws, whatever the input. The signature is checked
 * before any claim is read, so a forged token learns nothing about what else would have failed.
 */
export function checkCredential(token: unknown, options: VerifyOptions): CredentialCheck {
  const jws = readCompactJws(token);
  if (jws === 'malformed') return refuse('malformed', typeof token === 'string' && token.length > 0 && token.length <= 8192 ? 'malformed' : 'not a credential');
  if (jws === 'header') return refuse('malformed', 'malformed');
  const { header } = jws;
  const key = options.keys.get(header.kid);
  // Pinned: the one algorithm, which is also the key's; `none` and HMAC never reach a key.
  if (header.alg !== CREDENTIAL_ALGORITHM || (key && header.alg !== key.alg)) return refuse('algorithm', 'algorithm not accepted');
  if (header.typ !== CREDENTIAL_TYPE) return refuse('type', `header typ is not ${CREDENTIAL_TYPE}`);
  if (!key) return refuse('unknown-key', 'signed with an unknown key');
  if (!verifyEd25519(jws, key.key)) return refuse('signature', 'signature does not verify');

  const p = decodeJsonObject(jws.payloadSegment);
  if (!p) return refuse('malformed', 'malformed');
  const tolerance = options.clockToleranceSeconds ?? 5;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (p.iss !== options.issuer) return refuse('issuer', 'claim iss unexpected');
  const audience = gatewayAudience(options.organization);
  const aud = p.aud;
  if (!(aud === audience || (Array.isArray(aud) && aud.includes(audience))) || p.org !== options.organization) return refuse('audience', "issued for another organisation's gateway");
  const { exp, nbf, iat } = p;
  if (!isTime(exp) || !isTime(nbf) || !isTime(iat)) return refuse('claims', 'claims exp, nbf and iat must be times');
  if (exp <= now - tolerance) return refuse('expired', 'expired');
  if (nbf > now + tolerance || iat > now + tolerance) return refuse('not-yet-valid', 'not valid yet');
  if (exp - iat > MAX_CREDENTIAL_TTL_SECONDS) return refuse('lifetime', 'lifetime longer than a day');
  // A retired key verifies only what it signed while active; a credential lives a day at most, so a
  // key retired longer ago verifies no credential at all.
  if (!signedWhileActive(key, new Date(iat * 1000), tolerance)) return refuse('retired-key', 'signed outside its key\'s active interval');
  return claimsOf(p);
}

/** checkCredential for callers that prefer an exception: returns the claims or throws CredentialRejectedError. */
export function verifyCredentialToken(token: string, options: VerifyOptions): Promise<CredentialClaims> {
  const result = checkCredential(token, options);
  return result.valid ? Promise.resolve(result.claims) : Promise.reject(new CredentialRejectedError(result.reason, result.code));
}

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 1e11;
}

function claimsOf(p: Record<string, unknown>): CredentialCheck {
  const missing: string[] = [];
  const text = (name: string): string => {
    const value = p[name];
    if (typeof value !== 'string' || value === '') {
      missing.push(name);
      return '';
    }
    return value;
  };
  const claims = {
    credentialId: text('jti'),
    organization: text('org'),
    programId: text('program'),
    grantId: text('grant'),
    principal: text('sub'),
    principalOrganization: text('principal_org'),
    principalKind: text('principal_kind'),
  };
  if (missing.length > 0) return refuse('claims', `claim ${missing[0]} missing`);
  if (claims.principalKind !== 'government' && claims.principalKind !== 'partner') return refuse('claims', 'claim principal_kind invalid');
  const scope = p.scope;
  if (scope !== undefined && typeof scope !== 'string') return refuse('claims', 'claim scope invalid');
  return {
    valid: true,
    claims: {
      ...claims,
      principalKind: claims.principalKind,
      scopes: typeof scope === 'string' && scope !== '' ? scope.split(' ') : [],
      issuedAt: new Date((p.iat as number) * 1000),
      notBefore: new Date((p.nbf as number) * 1000),
      expiresAt: new Date((p.exp as number) * 1000),
    },
  };
}
