/**
 * IssueGrant's idempotency key, as intake's SubmitModel has it: chosen by the client, unique within
 * its organisation; a retry with the same key gets the same grant, the same key with a different
 * request is refused.
 */
import type { FieldViolation } from '@rampart/errors';
import { canonicalHash } from './canonical';

export const IDEMPOTENCY_KEY_LIMIT = 128;
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]+$/;

export function idempotencyKeyViolations(key: string | undefined): FieldViolation[] {
  const field = 'idempotency_key';
  if (!key) return [{ field, description: 'is required (any value unique within your organisation, e.g. a UUID): a retry with the same key gets the same grant' }];
  if (key.length > IDEMPOTENCY_KEY_LIMIT) return [{ field, description: `must be at most ${IDEMPOTENCY_KEY_LIMIT} characters` }];
  if (!IDEMPOTENCY_KEY.test(key)) return [{ field, description: 'may hold only letters, digits and . _ : -' }];
  return [];
}

/** What a grant request asks for, as the client sent it (unset times stay unset): a retry must match it. */
export interface GrantRequestBody {
  programId: string;
  principal: string;
  principalOrganization: string;
  principalKind: number;
  scopes: readonly string[];
  purpose: string;
  notBefore?: Date | undefined;
  notAfter?: Date | undefined;
}

export function grantRequestFingerprint(r: GrantRequestBody): string {
  return canonicalHash({
    programId: r.programId, principal: r.principal, principalOrganization: r.principalOrganization, principalKind: r.principalKind,
    scopes: [...r.scopes], purpose: r.purpose, notBefore: r.notBefore?.toISOString() ?? null, notAfter: r.notAfter?.toISOString() ?? null,
  });
}

export function keyReused(grantId: string): FieldViolation {
  return { field: 'idempotency_key', description: `was already used for grant ${grantId} with a different request` };
}
