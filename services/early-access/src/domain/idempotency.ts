/**
 * IssueGrant's idempotency key, as intake's SubmitModel has it: chosen by the client, unique within
 * its organisation; a retry with the same key gets the same grant, the same key with a different
 * request is refused.
 */
import { retryKeyField, type FieldViolation } from '@rampart/errors';
import { canonicalHash } from './canonical';

export function idempotencyKeyViolations(key: string | undefined): FieldViolation[] {
  const out: FieldViolation[] = [];
  retryKeyField(out, 'idempotency_key', key, 'any value unique within your organisation, e.g. a UUID; a retry with the same key gets the same grant');
  return out;
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
