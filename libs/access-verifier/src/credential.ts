/**
 * An early-access credential as it travels: a compact JWS (JWT) signed by the early-access service,
 * header `typ: rampart-access+jwt`, for one developer organisation's model gateway (`aud`
 * `rampart-gateway:<org>`). The service mints it and both verifiers (the service's VerifyCredential
 * and the offline verifier here) read it through this one definition.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';

export const CREDENTIAL_TYPE = 'rampart-access+jwt';
/** Ed25519: small keys, fast verification, no parameters to get wrong. */
export const CREDENTIAL_ALGORITHM = 'EdDSA';
/** The longest a credential may live (EO 14409 early access: short-lived credentials). */
export const MAX_CREDENTIAL_TTL_SECONDS = 24 * 60 * 60;

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

/** A credential that does not verify, and why (said to the gateway, never secret). */
export class CredentialRejectedError extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super(`credential rejected: ${reason}`, options);
    this.name = 'CredentialRejectedError';
  }
}

export interface VerifyOptions {
  issuer: string;
  /** The gateway's own organisation: a credential for another organisation's gateway is refused. */
  organization: string;
  keys: JWTVerifyGetKey;
  /** Allowed clock difference, seconds. */
  clockToleranceSeconds?: number;
  now?: Date;
}

/** Checks signature, type, issuer, audience and lifetime; returns the claims or throws CredentialRejectedError. */
export async function verifyCredentialToken(token: string, options: VerifyOptions): Promise<CredentialClaims> {
  if (typeof token !== 'string' || token.length === 0 || token.length > 8192) throw new CredentialRejectedError('not a credential');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      audience: gatewayAudience(options.organization),
      algorithms: [CREDENTIAL_ALGORITHM],
      typ: CREDENTIAL_TYPE,
      requiredClaims: ['exp', 'nbf', 'iat', 'jti', 'sub'],
      clockTolerance: options.clockToleranceSeconds ?? 5,
      ...(options.now ? { currentDate: options.now } : {}),
    }));
  } catch (cause) {
    throw new CredentialRejectedError(describe(cause), { cause });
  }
  return claimsOf(payload);
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed with an unknown key';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return "issued for another organisation's gateway";
    if (error.claim === 'nbf') return 'not valid yet';
    return `claim ${error.claim} ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not accepted';
  if (error instanceof errors.JOSEError) return 'malformed';
  return 'malformed';
}

function claimsOf(p: JWTPayload): CredentialClaims {
  const text = (name: string): string => {
    const value = (p as Record<string, unknown>)[name];
    if (typeof value !== 'string' || value === '') throw new CredentialRejectedError(`claim ${name} missing`);
    return value;
  };
  const kind = text('principal_kind');
  if (kind !== 'government' && kind !== 'partner') throw new CredentialRejectedError('claim principal_kind invalid');
  const scope = (p as Record<string, unknown>).scope;
  return {
    credentialId: text('jti'),
    organization: text('org'),
    programId: text('program'),
    grantId: text('grant'),
    principal: text('sub'),
    principalOrganization: text('principal_org'),
    principalKind: kind,
    scopes: typeof scope === 'string' && scope !== '' ? scope.split(' ') : [],
    issuedAt: new Date(p.iat! * 1000),
    notBefore: new Date(p.nbf! * 1000),
    expiresAt: new Date(p.exp! * 1000),
  };
}
