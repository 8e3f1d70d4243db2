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

export function canRead(caller: Caller, marking: Marking): boolean {
  return clearanceAtLeast(caller.clearance, marking);
}

export function requireClearance(caller: Caller, marking: Marking): void {
  if (!canRead(caller, marking)) {
    throw new PermissionDeniedError(`requires clearance ${marking} or higher`);
  }
}
