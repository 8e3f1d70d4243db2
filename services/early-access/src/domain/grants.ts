/**
 * Grants and their short-lived credentials. An access officer issues a grant to a government
 * principal (a principal of a government organisation) or, for the partner phase, to a selected
 * partner's principal: scopes, purpose and a time box inside where that principal may use access.
 * A credential goes only to the grant's holder acting in the role of the grant's kind, lives at most
 * 24 hours, never past its grant or the phase it was issued in, and is issued (or renewed) only
 * inside that phase. A grant whose time box a moved window no longer holds is cut: refused from
 * the program's write on, and revoked with it.
 */
import type { Role } from '@rampart/auth';
import { FailedPreconditionError, PermissionDeniedError, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { assertOpen, type AccessProgram } from './program';
import { grantBounds, phaseAt, type AccessWindow, type PrincipalKind } from './window';
import { isOrganizationId, ORGANIZATION_RULE } from './ids';

export type GrantStatus = 'active' | 'revoked' | 'expired';

export interface Grant {
  id: string;
  programId: string;
  /** The developer organisation. */
  organization: string;
  principal: string;
  principalOrganization: string;
  principalKind: PrincipalKind;
  /**
   * A partner grant's selection round of its partner (partners.ts selectionOf) when issued: it is
   * usable only while that round lasts, not again after a removal and a new selection.
   */
  partnerSelection?: number;
  scopes: string[];
  purpose: string;
  notBefore: Date;
  notAfter: Date;
  status: GrantStatus;
  issuedBy: string;
  issuedAt: Date;
  endedBy?: string;
  endedAt?: Date;
  reason?: string;
  /** Credentials of this grant revoked one by one (a grant's own revocation covers all of them). */
  revokedCredentials: { id: string; at: Date }[];
  revision: number;
  updatedAt: Date;
}

export const LIMITS = { principal: 256, purpose: 1_000, scopes: 20, reason: 1_000 } as const;
const SCOPE = /^[a-z][a-z0-9_.:-]{0,63}$/;

export interface GrantRequest {
  principal: string;
  principalOrganization: string;
  principalKind: PrincipalKind | undefined;
  scopes: string[];
  purpose: string;
  notBefore?: Date;
  notAfter?: Date;
}

/** What the service knows of the principal's organisation when a grant is issued. */
export interface PrincipalOrganizationFacts {
  /** One of the government organisations (configured): its principals may hold government grants. */
  governmentOrganization: boolean;
  /** A selected trusted partner of the program now: its principals may hold partner grants. */
  partnerSelected: boolean;
  /** Its selection round now (partners.ts selectionOf), recorded in a partner grant. */
  partnerSelection?: number;
}

/** The roles that may hold each kind of grant's credentials (DESIGN.md: government evaluators; partners' staff). */
export const HOLDER_ROLES: Record<PrincipalKind, readonly Role[]> = { government: ['evaluator'], partner: ['partner'] };

/** A new grant, or why not. */
export function issueGrant(program: AccessProgram, request: GrantRequest, args: PrincipalOrganizationFacts & { id: string; actor: string; now: Date }): Grant {
  assertOpen(program);
  const { now } = args;
  const violations: FieldViolation[] = [];
  const principal = textField(violations, 'principal', request.principal, LIMITS.principal);
  if (!isOrganizationId(request.principalOrganization)) violations.push({ field: 'principal_organization', description: `must be an organisation id (${ORGANIZATION_RULE})` });
  if (!request.principalKind) violations.push({ field: 'principal_kind', description: 'must be government or partner' });
  if (request.scopes.length === 0 || request.scopes.length > LIMITS.scopes) violations.push({ field: 'scopes', description: `must name 1 to ${LIMITS.scopes} scopes` });
  request.scopes.slice(0, LIMITS.scopes).forEach((s, i) => {
    if (!SCOPE.test(s)) violations.push({ field: `scopes[${i}]`, description: 'must be 1-64 of a-z 0-9 _ . : -, starting with a letter' });
  });
  const purpose = textField(violations, 'purpose', request.purpose, LIMITS.purpose);
  ValidationError.throwIfAny(violations);

  const kind = request.principalKind!;
  assertPrincipalFits(program, request.principalOrganization, kind, args);
  const bounds = grantBounds(program.window, kind);
  const notBefore = request.notBefore ?? new Date(Math.max(bounds.from.getTime(), now.getTime()));
  const notAfter = request.notAfter ?? bounds.until;
  const range = `${bounds.from.toISOString()} to ${bounds.until.toISOString()}`;
  if (notBefore.getTime() < bounds.from.getTime() || notBefore.getTime() >= bounds.until.getTime()) {
    violations.push({ field: 'not_before_time', description: `must be inside the ${kind === 'government' ? 'government window and what follows it' : 'partner phase'}: ${range}` });
  }
  if (notAfter.getTime() > bounds.until.getTime()) violations.push({ field: 'not_after_time', description: `must not be after the public release (${bounds.until.toISOString()})` });
  if (notAfter.getTime() <= notBefore.getTime()) violations.push({ field: 'not_after_time', description: 'must be after not_before_time' });
  if (notAfter.getTime() <= now.getTime()) violations.push({ field: 'not_after_time', description: 'must be in the future' });
  ValidationError.throwIfAny(violations);
  return {
    id: args.id,
    programId: program.id,
    organization: program.organization,
    principal,
    principalOrganization: request.principalOrganization,
    principalKind: kind,
    ...(kind === 'partner' && args.partnerSelection !== undefined ? { partnerSelection: args.partnerSelection } : {}),
    scopes: [...new Set(request.scopes)],
    purpose,
    notBefore,
    notAfter,
    status: 'active',
    issuedBy: args.actor,
    issuedAt: now,
    revokedCredentials: [],
    revision: 1,
    updatedAt: now,
  };
}

/** A grant's kind must match its principal's organisation: the developer's own staff hold none. */
function assertPrincipalFits(program: AccessProgram, organization: string, kind: PrincipalKind, facts: PrincipalOrganizationFacts): void {
  const field = 'principal_organization';
  if (organization === program.organization) {
    throw new ValidationError([{ field, description: `${organization} is the developer's own organisation: a ${kind} grant is for ${kind === 'government' ? 'a government principal' : 'a trusted partner organisation'}` }]);
  }
  if (kind === 'government' && !facts.governmentOrganization) {
    throw new ValidationError([{ field, description: `${organization} is not a government organisation: government grants go to government principals only (a selected partner's staff get a partner grant)` }]);
  }
  if (kind === 'partner' && facts.governmentOrganization) {
    throw new ValidationError([{ field: 'principal_kind', description: `must be government: ${organization} is a government organisation, whose principals get government grants` }]);
  }
  if (kind === 'partner' && !facts.partnerSelected) {
    throw new FailedPreconditionError(`${organization} is not a selected trusted partner of program ${program.id}: both sides must approve it first`);
  }
}

/** The holder (already matched by subject and organisation) acts in a role of the grant's kind, or why not. */
export function assertHolderRole(g: Grant, roles: readonly Role[]): void {
  const allowed = HOLDER_ROLES[g.principalKind];
  if (!roles.some((r) => allowed.includes(r))) {
    throw new FailedPreconditionError(`grant ${g.id} is a ${g.principalKind} grant: its credentials go to its principal acting as ${allowed.join(' or ')}, not as ${roles.join(', ') || 'no role'}`);
  }
}

/**
 * An active grant whose time box a moved window no longer holds (it starts before, or ends after,
 * where its principal may now hold a grant). Stateless, so the service refuses its credentials from
 * the program's write on, before the grant's own record catches up.
 */
export function cutByWindow(g: Grant, window: AccessWindow): boolean {
  if (g.status !== 'active') return false;
  const bounds = grantBounds(window, g.principalKind);
  return g.notBefore.getTime() < bounds.from.getTime() || g.notAfter.getTime() > bounds.until.getTime();
}

/** The program's own write revoked the grant (its window cut it): refused whatever the window says now. */
export function revokedByProgram(g: Grant, p: AccessProgram): boolean {
  return p.revokedGrantIds?.includes(g.id) ?? false;
}

/**
 * A partner grant is usable only in the selection round it was issued in (`current`: the
 * partner's round now, undefined when not selected). A government grant does not depend on it.
 */
export function inSelection(g: Grant, current: number | undefined): boolean {
  return g.principalKind !== 'partner' || (current !== undefined && g.partnerSelection === current);
}

/** Ends an active grant; ending an ended one changes nothing (undefined). */
export function endGrant(g: Grant, status: 'revoked' | 'expired', actor: string, reason: string, now: Date): Grant | undefined {
  if (g.status !== 'active') return undefined;
  return { ...g, status, endedBy: actor, endedAt: now, reason, revision: g.revision + 1, updatedAt: now };
}

/** Revokes one credential of a grant; undefined when already revoked. */
export function revokeCredential(g: Grant, credentialId: string, now: Date): Grant | undefined {
  if (g.revokedCredentials.some((c) => c.id === credentialId)) return undefined;
  return { ...g, revokedCredentials: [...g.revokedCredentials, { id: credentialId, at: now }], revision: g.revision + 1, updatedAt: now };
}

/** The grant's status at `now`: an active grant past its time box has expired even before its timer fired. */
export function statusAt(g: Grant, now: Date): GrantStatus {
  return g.status === 'active' && now.getTime() >= g.notAfter.getTime() ? 'expired' : g.status;
}

/** The caller holds this grant (its principal, in its organisation). Anyone else: the grant is not theirs. */
export function isHolder(g: Grant, subject: string, organization: string): boolean {
  return g.principal === subject && g.principalOrganization === organization;
}

/**
 * When a new credential for `grant` expires, or why none may be issued now. Inside the phase the
 * principal may use, inside the grant's time box, after every required agreement is accepted, and
 * (for partners) while the partner is selected. `ttlSeconds` 0 means the longest allowed.
 */
export function credentialExpiry(args: {
  program: AccessProgram;
  grant: Grant;
  missingAgreements: { kind: string; reason: string }[];
  partnerSelected: boolean;
  ttlSeconds: number;
  maxTtlSeconds: number;
  now: Date;
}): Date {
  const { program, grant, now } = args;
  if (args.ttlSeconds < 0 || args.ttlSeconds > args.maxTtlSeconds) {
    throw new ValidationError([{ field: 'ttl_seconds', description: `must be from 0 to ${args.maxTtlSeconds} (0 means the longest allowed)` }]);
  }
  assertOpen(program);
  const status = statusAt(grant, now);
  if (status !== 'active') throw new FailedPreconditionError(`grant ${grant.id} is ${status}`);
  if (cutByWindow(grant, program.window) || revokedByProgram(grant, program)) throw new FailedPreconditionError(`grant ${grant.id} no longer fits the program's window (an amendment moved it): it is revoked; ask the access officer for a new grant`);
  if (now.getTime() < grant.notBefore.getTime()) throw new FailedPreconditionError(`grant ${grant.id} starts at ${grant.notBefore.toISOString()}: no credential before then`);
  const phase = phaseAt(program.window, grant.principalKind, now);
  if (!phase) throw new FailedPreconditionError(`program ${program.id} is outside the ${grant.principalKind === 'government' ? 'government window and partner phase' : 'partner phase'} now: credentials are issued and renewed only inside it`);
  if (grant.principalKind === 'partner' && !args.partnerSelected) throw new PermissionDeniedError(`${grant.principalOrganization} is no longer a selected trusted partner of program ${program.id}`);
  if (args.missingAgreements.length > 0) {
    throw new FailedPreconditionError(`accept the program's agreements before a credential is issued: ${args.missingAgreements.map((m) => m.reason).join('; ')}`);
  }
  const ttlMs = (args.ttlSeconds === 0 ? args.maxTtlSeconds : args.ttlSeconds) * 1000;
  return new Date(Math.min(now.getTime() + ttlMs, grant.notAfter.getTime(), phase.until.getTime()));
}
