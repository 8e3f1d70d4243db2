import { PermissionDeniedError } from '@rampart/errors';
import { clearanceAtLeast, type Clearance, type Marking, type Role } from './roles';

/** Who is calling, as the verified token says. */
export interface Caller {
  /** The token's `sub`: a person or a workload. */
  readonly subject: string;
  readonly organization: string;
  readonly roles: readonly Role[];
  readonly clearance: Clearance;
  /** Consultees only: the agency they answer for. */
  readonly agency?: string;
}

export function hasRole(caller: Caller, ...roles: readonly Role[]): boolean {
  return caller.roles.some((r) => roles.includes(r));
}

/** Throws PERMISSION_DENIED unless the caller holds one of `roles`. */
export function requireRole(caller: Caller, ...roles: readonly Role[]): void {
  if (!hasRole(caller, ...roles)) {
    throw new PermissionDeniedError(`requires one of the roles: ${roles.join(', ')}`);
  }
}

export function canRead(caller: Caller, marking: Marking): boolean {
  return clearanceAtLeast(caller.clearance, marking);
}

export function requireClearance(caller: Caller, marking: Marking): void {
  if (!canRead(caller, marking)) {
    throw new PermissionDeniedError(`requires clearance ${marking} or higher`);
  }
}
