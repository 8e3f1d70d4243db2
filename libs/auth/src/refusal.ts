/**
 * Why a bearer token was refused, and who it claimed to be: what the audit trail records of a failed
 * authentication (NIST SP 800-53 AU-2: failed logons). The claims are read without verification, so
 * they are what the caller asserted, not who it is; each is kept only when it has the shape of what
 * it claims (a known role, a clearance, a subject-token organisation), else replaced by its size, so
 * a hostile token can neither bloat the trail nor smuggle text into it. The token itself, or any part
 * of it, is never kept.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { isSubjectToken, UnauthenticatedError } from '@rampart/errors';
import { isClearance, isRole, type Clearance, type Role } from './roles';

export const REFUSAL_REASONS = [
  'missing',
  'malformed',
  'no-kid',
  'algorithm',
  'type',
  'expired',
  'not-yet-valid',
  'unknown-kid',
  'signature',
  'claims',
  'keys-unavailable',
  'other',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** An UNAUTHENTICATED answer that says, for the audit trail, which rule the token broke. */
export class TokenRefusedError extends UnauthenticatedError {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Past the verifier's bound of signature checks in flight: the token was not judged. The caller is
 * answered RESOURCE_EXHAUSTED and may retry; nothing is recorded as refused.
 */
export class VerificationsExhaustedError extends Error {
  constructor() {
    super('too many token verifications in progress; retry with backoff');
    this.name = 'VerificationsExhaustedError';
  }
}

/** What an unverified token asserted; absent fields were absent (or not shaped like what they claim). */
export interface ClaimedIdentity {
  subject?: string;
  organization?: string;
  roles?: Role[];
  clearance?: Clearance;
  issuer?: string;
  keyId?: string;
  algorithm?: string;
  tokenType?: string;
}

/** Subjects are e-mail addresses, UUIDs, workload names; anything else is shown by its size. */
const CLAIM_SHAPE = /^[A-Za-z0-9_.:@+/=-]{1,128}$/;
const MAX_ROLES = 20;

function notShown(value: unknown): string {
  const size = typeof value === 'string' ? value.length : (JSON.stringify(value) ?? '').length;
  return `<not shown: ${size} characters>`;
}

function shaped(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'string' && CLAIM_SHAPE.test(value) ? value : notShown(value);
}

/** Who `token` claims to be, read without verifying it; never throws. */
export function claimedIdentity(token: string | undefined): ClaimedIdentity {
  if (!token) return {};
  const out: ClaimedIdentity = {};
  try {
    const header = decodeProtectedHeader(token);
    const keyId = shaped(header.kid);
    const algorithm = shaped(header.alg);
    const tokenType = shaped(header.typ);
    if (keyId) out.keyId = keyId;
    if (algorithm) out.algorithm = algorithm;
    if (tokenType) out.tokenType = tokenType;
  } catch {
    return out;
  }
  try {
    const payload = decodeJwt(token) as Record<string, unknown>;
    const subject = shaped(payload.sub);
    const issuer = shaped(payload.iss);
    if (subject) out.subject = subject;
    if (issuer) out.issuer = issuer;
    if (isSubjectToken(payload.org)) out.organization = payload.org;
    else if (payload.org !== undefined && payload.org !== '') out.organization = notShown(payload.org);
    if (Array.isArray(payload.roles)) out.roles = payload.roles.filter(isRole).slice(0, MAX_ROLES);
    if (isClearance(payload.clearance)) out.clearance = payload.clearance;
  } catch {
    // A header and no readable claims: what the header said is all there is.
  }
  return out;
}

/** Why `error` refused a token: its own reason, or the kind of failure it is. */
export function refusalReasonOf(error: unknown): RefusalReason {
  if (error instanceof TokenRefusedError) return error.reason;
  if (error instanceof Error && 'kind' in error && error.kind === 'unavailable') return 'keys-unavailable';
  return 'other';
}
