/**
 * The one place where errors become gRPC statuses. Validation failures carry google.rpc.BadRequest
 * field violations in `grpc-status-details-bin`, the richer error model clients can decode.
 */
import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { MongoClientClosedError, MongoNetworkError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { VerificationsExhaustedError } from '@rampart/auth';
import { RampartError, ValidationError, type ErrorKind } from '@rampart/errors';
import { rpcErrorDetails, rpcStatus } from '@rampart/proto';
import type { Logger } from '@rampart/telemetry';

const CODES: Record<ErrorKind, status> = {
  validation: status.INVALID_ARGUMENT,
  unauthenticated: status.UNAUTHENTICATED,
  'permission-denied': status.PERMISSION_DENIED,
  'not-found': status.NOT_FOUND,
  conflict: status.ABORTED,
  'already-exists': status.ALREADY_EXISTS,
  'failed-precondition': status.FAILED_PRECONDITION,
  unavailable: status.UNAVAILABLE,
};

export class DeadlineExceededError extends Error {
  constructor() {
    super('deadline exceeded');
    this.name = 'DeadlineExceededError';
  }
}

/** The client cancelled the call (or went away): nothing more is sent to it. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled by the client');
    this.name = 'CancelledError';
  }
}

export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

export function toStatus(error: unknown, logger: Logger): Partial<StatusObject> {
  if (error instanceof ValidationError) return badRequest(error);
  if (error instanceof RampartError) return { code: CODES[error.kind], details: error.message };
  if (error instanceof DeadlineExceededError) return { code: status.DEADLINE_EXCEEDED, details: error.message };
  if (error instanceof CancelledError) return { code: status.CANCELLED, details: error.message };
  if (error instanceof VerificationsExhaustedError) return { code: status.RESOURCE_EXHAUSTED, details: error.message };
  if (isDatabaseUnavailable(error)) {
    logger.error({ err: error }, 'database unavailable');
    return { code: status.UNAVAILABLE, details: 'database unavailable, retry later' };
  }
  // Anything else is our bug: log it whole, tell the client nothing internal.
  logger.error({ err: error }, 'unhandled error in RPC');
  return { code: status.INTERNAL, details: 'internal error' };
}

/**
 * The database did not answer in time or cannot be reached: no server to select, a connection lost
 * or timed out (socketTimeoutMS: MongoNetworkTimeoutError, a MongoNetworkError, as is a cleared
 * pool), no pooled connection free in time (the driver does not export that error's class), an
 * operation timeout, or the client closing at shutdown. The caller may retry; the text is ours.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  return (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoOperationTimeoutError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoClientClosedError ||
    (error instanceof Error && error.name === 'MongoWaitQueueTimeoutError')
  );
}

function badRequest(error: ValidationError): Partial<StatusObject> {
  const details = rpcErrorDetails.BadRequest.encode({
    fieldViolations: error.violations.map((v) => ({ field: v.field, description: v.description, reason: '', localizedMessage: undefined })),
  }).finish();
  const encoded = rpcStatus.Status.encode({
    code: status.INVALID_ARGUMENT,
    message: error.message,
    details: [{ typeUrl: BAD_REQUEST_TYPE, value: Buffer.from(details) }],
  }).finish();
  const metadata = new Metadata();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(encoded));
  return { code: status.INVALID_ARGUMENT, details: error.message, metadata };
}

/** Client side: the field violations in an error's status details, if any. */
export function fieldViolationsOf(metadata: Metadata | undefined): { field: string; description: string }[] {
  const raw = metadata?.get(STATUS_DETAILS_KEY)[0];
  if (!raw || typeof raw === 'string') return [];
  const decoded = rpcStatus.Status.decode(raw);
  return decoded.details
    .filter((any) => any.typeUrl === BAD_REQUEST_TYPE)
    .flatMap((any) => rpcErrorDetails.BadRequest.decode(any.value).fieldViolations)
    .map((v) => ({ field: v.field, description: v.description }));
}
