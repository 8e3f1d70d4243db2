/**
 * Typed errors every service throws from its domain and adapters. Each maps to one gRPC status
 * code in one place (`@rampart/grpc-kit`'s status mapping); domain code never imports gRPC.
 */

/** One rejected field: the path as the client spelled it (snake_case proto names) and why. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

export abstract class RampartError extends Error {
  abstract readonly kind: ErrorKind;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'permission-denied'
  | 'not-found'
  | 'conflict'
  | 'already-exists'
  | 'failed-precondition'
  | 'unavailable';

/** Bad input: every violation names its field. Maps to INVALID_ARGUMENT with google.rpc.BadRequest. */
export class ValidationError extends RampartError {
  readonly kind = 'validation';
  constructor(
    readonly violations: readonly FieldViolation[],
    options?: { cause?: unknown },
  ) {
    super(violations.map((v) => `${v.field}: ${v.description}`).join('; '), options);
  }

  /** Throws when `violations` is non-empty; lets validators collect everything before failing. */
  static throwIfAny(violations: readonly FieldViolation[]): void {
    if (violations.length > 0) throw new ValidationError(violations);
  }
}

export class UnauthenticatedError extends RampartError {
  readonly kind = 'unauthenticated';
}

export class PermissionDeniedError extends RampartError {
  readonly kind = 'permission-denied';
}

export class NotFoundError extends RampartError {
  readonly kind = 'not-found';
}

/** Optimistic concurrency: the caller's revision is stale. Maps to ABORTED (retry after re-reading). */
export class ConflictError extends RampartError {
  readonly kind = 'conflict';
}

export class AlreadyExistsError extends RampartError {
  readonly kind = 'already-exists';
}

/** The request is valid but the entity's state does not allow it (e.g. amending a withdrawn submission). */
export class FailedPreconditionError extends RampartError {
  readonly kind = 'failed-precondition';
}

/** A dependency is down; the caller may retry. */
export class UnavailableError extends RampartError {
  readonly kind = 'unavailable';
}
export * from './fields';
