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

/** How many violations one response carries; a request with a million bad elements gets these and a count. */
export const MAX_VIOLATIONS = 100;
/** Longest field path and description sent back (a client's own input may be echoed in them). */
const MAX_FIELD_CHARS = 200;
const MAX_DESCRIPTION_CHARS = 500;

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Bad input: every violation names its field. Maps to INVALID_ARGUMENT with google.rpc.BadRequest.
 * Holds the first MAX_VIOLATIONS violations and, when there were more, one last violation of the
 * request as a whole (field '') saying how many: the response stays small whatever the request.
 */
export class ValidationError extends RampartError {
  readonly kind = 'validation';
  readonly violations: readonly FieldViolation[];
  /** How many violations were found, including those not kept. */
  readonly total: number;

  constructor(violations: readonly FieldViolation[], options?: { cause?: unknown }) {
    const kept = violations.slice(0, MAX_VIOLATIONS).map((v) => ({ field: bounded(v.field, MAX_FIELD_CHARS), description: bounded(v.description, MAX_DESCRIPTION_CHARS) }));
    const more = violations.length - kept.length;
    const summary = more > 0 ? [{ field: '', description: `and ${more} more violations` }] : [];
    super([...kept.map((v) => `${v.field}: ${v.description}`), ...summary.map((v) => v.description)].join('; '), options);
    this.violations = [...kept, ...summary];
    this.total = violations.length;
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
export * from './subject-token';
export * from './zoned-time';
