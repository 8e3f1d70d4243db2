/**
 * Adapts plain async functions to grpc-js handlers. Every call is authenticated (bearer JWT), runs
 * under one AbortSignal (the client's deadline, capped, or its cancellation: see CallScope), is
 * answered exactly once with its errors mapped in one place, is timed (`rpc.server.call.duration`)
 * and, once its handler has run, audited. A call already over when it arrives gets no token
 * verification; the verifier bounds its own checks in flight (RESOURCE_EXHAUSTED past them).
 *
 * Nothing here ever leaves a promise without a handler: token verification and the handler's work
 * are only ever awaited through `CallScope.race`, and the handler's own result is settled into an
 * outcome before anything else looks at it.
 */
import type { handleClientStreamingCall, handleUnaryCall, Metadata, sendUnaryData, ServerReadableStream, ServerUnaryCall, StatusObject } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { TokenRefusedError, VerificationsExhaustedError, type Caller, type TokenVerifier } from '@rampart/auth';
import type { Logger } from '@rampart/telemetry';
import { abortable } from './abort';
import { actionOf, actorOf, collectIds, withheldFieldsOf, type AuditSink } from './audit';
import { recordCall, statusName } from './call-metrics';
import { CallScope, type ServerCall } from './call-scope';
import { RefusalAudit } from './refusal-audit';
import { toStatus } from './status';

export interface RequestContext {
  caller: Caller;
  /**
   * Aborted when the deadline passes or the client cancels; the client has then been answered
   * already and nothing the handler returns is sent. Stop work with `signal.throwIfAborted()`
   * between steps, pass it to what accepts one, and iterate streams with `abortable`.
   */
  signal: AbortSignal;
  logger: Logger;
}

export interface HandlerKit {
  verifier: TokenVerifier;
  logger: Logger;
  /** Upper bound on any call's run time, whatever deadline the client sets. */
  maxDeadlineMs?: number;
  /**
   * Handlers allowed to run at once in this process, counting those whose caller already has its
   * answer (a deadline or a cancel answers at once, but the work only stops at its next check).
   * Past it, calls get RESOURCE_EXHAUSTED rather than piling up work. Default 1,000.
   */
  maxRunningHandlers?: number;
  /** Where every call whose handler ran is recorded; required, so no service can go unaudited. */
  audit: AuditSink;
  /** Where refused tokens are recorded, rate-limited; by default one per `audit` sink. */
  refusals?: RefusalAudit;
}

const DEFAULT_MAX_DEADLINE_MS = 30_000;

/** The bearer token in `metadata`; refuses a missing or malformed authorization header. */
export function bearerToken(metadata: Metadata): string {
  const header = metadata.get('authorization')[0];
  if (typeof header !== 'string' || header === '') throw new TokenRefusedError('missing', 'missing bearer token (authorization metadata)');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new TokenRefusedError('malformed', 'authorization metadata must be "Bearer <token>"');
  return match[1]!;
}

export async function authenticate(metadata: Metadata, verifier: TokenVerifier): Promise<Caller> {
  return verifier(bearerToken(metadata));
}

const defaultRefusals = new WeakMap<AuditSink, RefusalAudit>();

function refusalsOf(kit: HandlerKit): RefusalAudit {
  if (kit.refusals) return kit.refusals;
  let refusals = defaultRefusals.get(kit.audit);
  if (!refusals) defaultRefusals.set(kit.audit, (refusals = new RefusalAudit(kit.audit)));
  return refusals;
}

/**
 * Verifies the call's token, unless the call is already over: its answer is sent, and a flood of
 * tiny deadlines must not buy signature checks. A refusal is recorded (rate-limited) whether or not
 * the client is still waiting: a forged token with a tiny deadline is still an attempt. A token the
 * verifier had no room to check was not refused.
 */
function verifyCaller(kit: HandlerKit, scope: CallScope, call: ServerCall, info: CallInfo): Promise<Caller> {
  let token: string | undefined;
  const verified = (async () => {
    token = bearerToken(call.metadata);
    scope.throwIfOver();
    return kit.verifier(token);
  })();
  void verified.catch((error: unknown) => {
    if (scope.signal.aborted && error === scope.signal.reason) return;
    if (error instanceof VerificationsExhaustedError) return;
    try {
      refusalsOf(kit).refused({ path: info.path, token, error, peer: call.getPeer(), startedAtIso: info.startedAtIso, ...(info.traceId ? { traceId: info.traceId } : {}) });
    } catch (failure) {
      kit.logger.error({ err: failure }, 'could not record a refused authentication');
    }
  });
  return verified;
}

/** What a call ends with: the response, or the status to answer with. */
type Outcome<Res> = { response: Res } | { status: Partial<StatusObject> };

/** Handlers running in this process, whatever service they belong to. */
let runningHandlers = 0;
const DEFAULT_MAX_RUNNING_HANDLERS = 1_000;

/** The handler's result as an outcome; never rejects, even when the handler throws before its first await. */
function settle<Res>(run: () => Promise<Res>, logger: Logger): Promise<Outcome<Res>> {
  return new Promise<Res>((resolve) => resolve(run())).then(
    (response) => ({ response }),
    (error: unknown) => ({ status: toStatus(error, logger) }),
  );
}

const codeOf = <Res>(outcome: Outcome<Res>): status | undefined => ('status' in outcome ? outcome.status.code : status.OK);

interface CallInfo {
  /** `/package.Service/Method` */
  path: string;
  startedAt: number;
  startedAtIso: string;
  /** Ids in the request; streamed requests add theirs as they arrive. */
  requestIds: Set<string>;
  traceId?: string;
}

/** Records the call once its handler's outcome is known, which may be after the client was answered. */
function audit<Res>(kit: HandlerKit, info: CallInfo, caller: Caller, scope: CallScope, outcome: Outcome<Res>): void {
  const slash = info.path.lastIndexOf('/');
  const rpc = info.path.slice(slash + 1);
  const resultIds = new Set<string>();
  if ('response' in outcome) collectIds(outcome.response, resultIds, false);
  // Aborted before the handler finished: the client got the abort's status, not this outcome.
  const answered = scope.signal.aborted ? toStatus(scope.signal.reason, kit.logger).code : codeOf(outcome);
  kit.audit.record({
    kind: 'call',
    marking: caller.clearance,
    service: info.path.slice(1, slash),
    rpc,
    action: actionOf(rpc),
    actor: actorOf(caller),
    requestIds: [...info.requestIds],
    resultIds: [...resultIds],
    outcome: statusName(codeOf(outcome)),
    answered: statusName(answered),
    withheldFields: 'response' in outcome ? withheldFieldsOf(outcome.response) : [],
    startedAt: info.startedAtIso,
    durationMs: Math.round(performance.now() - info.startedAt),
    ...(info.traceId ? { traceId: info.traceId } : {}),
  });
}

type Work<Res> = (ctx: RequestContext, scope: CallScope) => Promise<Res>;

async function runCall<Res>(kit: HandlerKit, scope: CallScope, call: ServerCall, info: CallInfo, work: Work<Res>): Promise<Outcome<Res>> {
  let caller: Caller;
  try {
    caller = await scope.race(verifyCaller(kit, scope, call, info));
  } catch (error) {
    return { status: toStatus(error, kit.logger) };
  }
  if (scope.signal.aborted) return { status: toStatus(scope.signal.reason, kit.logger) };
  if (runningHandlers >= (kit.maxRunningHandlers ?? DEFAULT_MAX_RUNNING_HANDLERS)) {
    return { status: { code: status.RESOURCE_EXHAUSTED, details: 'too many calls in progress; retry with backoff' } };
  }
  const logger = kit.logger.child({ caller: caller.subject, org: caller.organization });
  runningHandlers++;
  const outcome = settle(() => work({ caller, signal: scope.signal, logger }, scope), logger);
  void outcome.finally(() => runningHandlers--);
  outcome
    .then((settled) => audit(kit, info, caller, scope, settled))
    .catch((error: unknown) => logger.error({ err: error }, 'could not make the audit record'));
  try {
    return await scope.race(outcome);
  } catch (reason) {
    return { status: toStatus(reason, kit.logger) };
  }
}

/** Runs one call and answers it exactly once. */
function handle<Res>(kit: HandlerKit, call: ServerCall, callback: sendUnaryData<Res>, info: CallInfo, work: Work<Res>): void {
  const scope = CallScope.open(call, kit.maxDeadlineMs ?? DEFAULT_MAX_DEADLINE_MS);
  runCall(kit, scope, call, info, work)
    .then((outcome) => {
      scope.close();
      recordCall(info.path, codeOf(outcome), info.startedAt);
      if ('response' in outcome) callback(null, outcome.response);
      else callback(outcome.status);
    })
    .catch((error: unknown) => kit.logger.error({ err: error }, 'answering a call failed'));
}

function callInfo(call: ServerCall, request?: unknown): CallInfo {
  const requestIds = new Set<string>();
  collectIds(request, requestIds, true);
  // The gRPC server span is active while grpc-js calls the handler, not necessarily later.
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return { path: call.getPath(), startedAt: performance.now(), startedAtIso: new Date().toISOString(), requestIds, ...(traceId ? { traceId } : {}) };
}

export function unary<Req, Res>(kit: HandlerKit, handler: (request: Req, ctx: RequestContext) => Promise<Res>): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback) => handle(kit, call, callback, callInfo(call, call.request), (ctx) => handler(call.request, ctx));
}

/**
 * Client streaming (uploads): the handler consumes the stream as an async iterable that ends the
 * loop with the abort reason as soon as the call is over, and whose messages' ids are audited.
 */
/** How close to its deadline a client stream's end waits for the call's fate before it is trusted. */
const STREAM_END_TRUST_MS = 500;

export function clientStreaming<Req, Res>(kit: HandlerKit, handler: (requests: AsyncIterable<Req>, ctx: RequestContext) => Promise<Res>): handleClientStreamingCall<Req, Res> {
  return (call: ServerReadableStream<Req, Res>, callback) => {
    const info = callInfo(call);
    async function* noted(ctx: RequestContext, scope: CallScope): AsyncGenerator<Req, void, undefined> {
      for await (const message of abortable<Req>(call, ctx.signal)) {
        collectIds(message, info.requestIds, true);
        yield message;
      }
      // grpc-js also ends the stream when the deadline passes, just before it reports that; and a
      // client's cancellation (its RST_STREAM) ends the readable side before the close that
      // cancels the call. One turn of the event loop lets that close land; near the deadline, the
      // end waits for the abort itself (call-scope.ts): an end either brings is never taken for a
      // complete stream.
      await new Promise((resolve) => setImmediate(resolve));
      await scope.settleNearDeadline(STREAM_END_TRUST_MS);
      scope.throwIfOver();
    }
    handle(kit, call, callback, info, (ctx, scope) => handler(noted(ctx, scope), ctx));
  };
}
