/**
 * ctx.signal over real gRPC on loopback: the kit aborts it when the deadline passes or the client
 * cancels, answers at once with DEADLINE_EXCEEDED or CANCELLED, and sends nothing after; handlers
 * that wait see the abort; a deadline that passes while the token is being verified is answered,
 * never left as an unhandled rejection.
 */
import { once } from 'node:events';
import {
  makeGenericClientConstructor,
  Metadata,
  Server,
  ServerCredentials,
  status,
  type Client,
  type ClientWritableStream,
  type ServiceDefinition,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import pino from 'pino';
import type { Caller, TokenVerifier } from '@rampart/auth';
import { CancelledError, clientStreaming, DeadlineExceededError, insecure, unary, type AuditRecord, type HandlerKit, type RequestContext } from '@rampart/grpc-kit';

const json = {
  serialize: (value: unknown) => Buffer.from(JSON.stringify(value)),
  deserialize: (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
};
const method = (name: string, requestStream: boolean) => ({
  path: `/test.v1.Waiter/${name}`,
  requestStream,
  responseStream: false,
  requestSerialize: json.serialize,
  requestDeserialize: json.deserialize,
  responseSerialize: json.serialize,
  responseDeserialize: json.deserialize,
});
const WAITER: ServiceDefinition = { wait: method('Wait', false), upload: method('Upload', true) };
const WaiterClient = makeGenericClientConstructor(WAITER, 'Waiter');

interface Waiter extends Client {
  wait(request: object, metadata: Metadata, options: object, callback: (error: ServiceError | null, response?: unknown) => void): { cancel(): void };
  upload(metadata: Metadata, options: object, callback: (error: ServiceError | null, response?: unknown) => void): ClientWritableStream<object>;
}

const caller: Caller = { subject: 'ada@acme', organization: 'acme', roles: ['developer'], clearance: 'UNCLASSIFIED' };

function bearer(): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', 'Bearer any');
  return metadata;
}

/** What each handler saw, reported as it happened. */
class Observed {
  started = 0;
  aborts: unknown[] = [];
  private waiters: (() => void)[] = [];

  abortedWith(reason: unknown): void {
    this.aborts.push(reason);
    this.waiters.splice(0).forEach((w) => w());
  }

  nextAbort(): Promise<unknown> {
    if (this.aborts.length > 0) return Promise.resolve(this.aborts.at(-1));
    return new Promise((resolve) => this.waiters.push(() => resolve(this.aborts.at(-1))));
  }
}

describe('the call signal', () => {
  let capped: Waiter;
  let patient: Waiter;
  let verifying = 0;
  let verified = 0;
  const records: AuditRecord[] = [];
  const observed = new Observed();
  let recorded: ((record: AuditRecord) => void) | undefined;

  /** While set, every verification waits for it: the test decides when verifications end. */
  let verificationGate: Promise<void> | undefined;
  const verifier: TokenVerifier = async (token) => {
    verifying++;
    await verificationGate;
    verified++;
    if (token === 'any') return caller;
    throw new Error('bad');
  };
  /**
   * Two servers: one caps every call at 2 s (for the tests of the cap), the other far above the
   * clients' 3 s deadlines, so those calls reach their handler even on a loaded machine and only
   * the client's deadline or cancellation ends them.
   */
  const kitCappedAt = (maxDeadlineMs: number): HandlerKit => ({
    verifier,
    logger: pino({ level: 'silent' }),
    maxDeadlineMs,
    audit: {
      record: (r) => {
        records.push(r);
        recorded?.(r);
      },
    },
  });

  /** Waits for the abort, then returns anyway: what it returns must never reach the client. */
  async function waitForAbort({ signal }: RequestContext): Promise<object> {
    observed.started++;
    await once(signal, 'abort');
    observed.abortedWith(signal.reason);
    return { late: true };
  }

  const implementation = (kit: HandlerKit): UntypedServiceImplementation => ({
    wait: unary(kit, (_request: object, ctx) => waitForAbort(ctx)),
    upload: clientStreaming(kit, async (requests: AsyncIterable<object>) => {
      observed.started++;
      try {
        let count = 0;
        for await (const _ of requests) count++;
        observed.abortedWith('completed'); // a stream taken for complete: the tests below fail at once
        return { count };
      } catch (error) {
        observed.abortedWith(error);
        throw error;
      }
    }),
  });

  const servers: Server[] = [];
  async function serve(maxDeadlineMs: number): Promise<Waiter> {
    const server = new Server();
    servers.push(server);
    server.addService(WAITER, implementation(kitCappedAt(maxDeadlineMs)));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))));
    return new WaiterClient(`127.0.0.1:${port}`, insecure()) as unknown as Waiter;
  }

  beforeAll(async () => {
    capped = await serve(2_000);
    patient = await serve(60_000);
  });

  afterAll(() => {
    capped?.close();
    patient?.close();
    servers.forEach((server) => server.forceShutdown());
  });

  beforeEach(() => {
    verificationGate = undefined;
    verifying = 0;
    verified = 0;
    observed.started = 0;
    observed.aborts = [];
    records.length = 0;
  });

  function nextRecord(): Promise<AuditRecord> {
    return new Promise((resolve) => (recorded = resolve));
  }

  it('answers DEADLINE_EXCEEDED when the deadline passes, aborts the handler, and sends nothing after', async () => {
    const record = nextRecord();
    const started = Date.now();
    const error = await new Promise<ServiceError | null>((resolve) =>
      patient.wait({}, bearer(), { deadline: new Date(Date.now() + 3_000) }, (e, response) => resolve(e ?? (response as never))));
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await observed.nextAbort()).toBeInstanceOf(DeadlineExceededError);
    // The handler returned { late: true } after the abort: recorded as its outcome, never answered.
    expect(await record).toMatchObject({ outcome: 'OK', answered: 'DEADLINE_EXCEEDED', rpc: 'Wait', service: 'test.v1.Waiter' });
  }, 10_000);

  it('caps a call without a deadline at the service maximum', async () => {
    const error = await new Promise<ServiceError | null>((resolve) => capped.wait({}, bearer(), {}, (e) => resolve(e)));
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    expect(await observed.nextAbort()).toBeInstanceOf(DeadlineExceededError);
  }, 10_000);

  it('aborts the handler when the client cancels', async () => {
    const record = nextRecord();
    const call = patient.wait({}, bearer(), { deadline: new Date(Date.now() + 10_000) }, () => undefined);
    await waitUntil(() => observed.started === 1);
    call.cancel();
    expect(await observed.nextAbort()).toBeInstanceOf(CancelledError);
    expect(await record).toMatchObject({ outcome: 'OK', answered: 'CANCELLED' });
  }, 10_000);

  it('ends a client stream loop when the call is over, even while it waits for the next message', async () => {
    // No deadline from the client: the service's cap ends the call, which grpc-js knows nothing of.
    const call = capped.upload(bearer(), {}, () => undefined);
    call.write({ chunk: 1 });
    expect(await observed.nextAbort()).toBeInstanceOf(DeadlineExceededError);
    call.end();
  }, 10_000);

  it('does not take a client stream that grpc-js ends at the deadline for a complete one', async () => {
    const record = nextRecord();
    const error = await new Promise<ServiceError | null>((resolve) => {
      const call = patient.upload(bearer(), { deadline: new Date(Date.now() + 3_000) }, (e) => resolve(e));
      call.write({ chunk: 1 });
    });
    expect(error?.code).toBe(status.DEADLINE_EXCEEDED);
    // The server's deadline timer and the client's cancellation at its own deadline race on a loaded
    // machine; either way the handler's loop must throw, never end as if the stream were complete.
    const aborted = await observed.nextAbort();
    expect(aborted instanceof DeadlineExceededError || aborted instanceof CancelledError).toBe(true);
    expect(await record).toMatchObject({ rpc: 'Upload', outcome: expect.stringMatching(/^(DEADLINE_EXCEEDED|CANCELLED)$/) });
  }, 10_000);

  it('answers a deadline that passes during token verification, without running the handler', async () => {
    let release!: () => void;
    verificationGate = new Promise((resolve) => (release = resolve));
    const outcomes = Promise.all(Array.from({ length: 50 }, () =>
      new Promise<number>((resolve) => capped.wait({}, bearer(), { deadline: new Date(Date.now() + 5_000) }, (e) => resolve(e?.code ?? status.OK)))));
    // Verifications are under way and held: the service's own cap (2 s) passes during them, so the
    // answers come from the service, whose calls are then over before any verification ends.
    await waitUntil(() => verifying > 0);
    expect(new Set(await outcomes)).toEqual(new Set([status.DEADLINE_EXCEEDED]));
    // Once every verification has finished, none has run the handler and the server still answers.
    // (A call that reached the kit already over was not verified at all.)
    release();
    await waitUntil(() => verified === verifying);
    const answered = await new Promise<ServiceError | null>((resolve) => capped.wait({}, new Metadata(), {}, (e) => resolve(e)));
    expect(answered?.code).toBe(status.UNAUTHENTICATED);
    expect(observed.started).toBe(0);
    // No call ran; the last one's missing token is recorded as a refused authentication.
    expect(records.filter((r) => r.kind === 'call')).toEqual([]);
    await waitUntil(() => records.some((r) => r.kind === 'authentication-refused' && r.reason === 'missing'));
  }, 10_000);
});

async function waitUntil(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('handlers still running after their answer', () => {
  it('are bounded: past the limit a call gets RESOURCE_EXHAUSTED, and calls run again once they finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const kit: HandlerKit = {
      verifier: () => Promise.resolve(caller),
      logger: pino({ level: 'silent' }),
      maxRunningHandlers: 2,
      audit: { record: () => undefined },
    };
    // A handler that does not check its signal: its caller is answered at the deadline, the work goes on.
    const server = new Server();
    server.addService(WAITER, {
      wait: unary(kit, async (request: { hold?: boolean }) => {
        started++;
        if (request.hold) await gate;
        return { ok: true };
      }),
      upload: clientStreaming(kit, () => Promise.resolve({})),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))));
    const client = new WaiterClient(`127.0.0.1:${port}`, insecure()) as unknown as Waiter;
    const call = (request: object, deadlineMs: number) => new Promise<status>((resolve) =>
      client.wait(request, bearer(), { deadline: new Date(Date.now() + deadlineMs) }, (e) => resolve(e?.code ?? status.OK)));
    try {
      expect(await Promise.all([call({ hold: true }, 100), call({ hold: true }, 100)])).toEqual([status.DEADLINE_EXCEEDED, status.DEADLINE_EXCEEDED]);
      expect(started).toBe(2);
      expect(await call({}, 2_000)).toBe(status.RESOURCE_EXHAUSTED);
      expect(started).toBe(2); // refused before its handler ran
      release();
      let code: status = status.RESOURCE_EXHAUSTED;
      for (let attempt = 0; attempt < 50 && code === status.RESOURCE_EXHAUSTED; attempt++) code = await call({}, 2_000);
      expect(code).toBe(status.OK);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
