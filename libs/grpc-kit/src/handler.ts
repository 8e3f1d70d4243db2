/**
 * Adapts plain async functions to grpc-js handlers: every call is authenticated (bearer JWT), runs
 * under the client's deadline (capped), and has its errors mapped in one place.
 */
import type { handleClientStreamingCall, handleUnaryCall, Metadata, sendUnaryData, ServerReadableStream, ServerUnaryCall } from '@grpc/grpc-js';
import { UnauthenticatedError } from '@rampart/errors';
import type { Caller, TokenVerifier } from '@rampart/auth';
import type { Logger } from '@rampart/telemetry';
import { DeadlineExceededError, toStatus } from './status';

export interface RequestContext {
  caller: Caller;
  /** Aborted when the deadline passes or the client cancels. */
  signal: AbortSignal;
  logger: Logger;
}

export interface HandlerKit {
  verifier: TokenVerifier;
  logger: Logger;
  /** Upper bound on any call's run time, whatever deadline the client sets. */
  maxDeadlineMs?: number;
}

export async function authenticate(metadata: Metadata, verifier: TokenVerifier): Promise<Caller> {
  const header = metadata.get('authorization')[0];
  if (typeof header !== 'string' || header === '') throw new UnauthenticatedError('missing bearer token (authorization metadata)');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new UnauthenticatedError('authorization metadata must be "Bearer <token>"');
  return verifier(match[1]!);
}

type AnyCall = ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>;

async function runCall<Res>(kit: HandlerKit, call: AnyCall, work: (ctx: RequestContext) => Promise<Res>): Promise<Res> {
  const controller = new AbortController();
  const deadline = call.getDeadline();
  const clientMs = deadline instanceof Date ? deadline.getTime() - Date.now() : Number.isFinite(deadline) ? Number(deadline) - Date.now() : Infinity;
  const budget = Math.min(clientMs, kit.maxDeadlineMs ?? 30_000);
  if (budget <= 0) throw new DeadlineExceededError();
  call.on('cancelled', () => controller.abort(new Error('cancelled by client')));
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineExceededError());
      reject(new DeadlineExceededError());
    }, budget);
  });
  try {
    const caller = await authenticate(call.metadata, kit.verifier);
    const logger = kit.logger.child({ caller: caller.subject, org: caller.organization });
    return await Promise.race([work({ caller, signal: controller.signal, logger }), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function reply<Res>(kit: HandlerKit, callback: sendUnaryData<Res>, promise: Promise<Res>): void {
  promise.then(
    (response) => callback(null, response),
    (error: unknown) => callback(toStatus(error, kit.logger)),
  );
}

export function unary<Req, Res>(kit: HandlerKit, handler: (request: Req, ctx: RequestContext) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => reply(kit, callback, runCall(kit, call as AnyCall, (ctx) => handler(call.request, ctx)));
}

/** Client streaming (uploads): the handler consumes the stream as an async iterable. */
export function clientStreaming<Req, Res>(kit: HandlerKit, handler: (requests: AsyncIterable<Req>, ctx: RequestContext) => Promise<Res>): handleClientStreamingCall<Req, Res> {
  return (call, callback) => reply(kit, callback, runCall(kit, call as AnyCall, (ctx) => handler(call as AsyncIterable<Req>, ctx)));
}
