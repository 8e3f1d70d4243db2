/**
 * Token verification is bounded, over real gRPC on loopback with the real verifier: a call already
 * over when it reaches the kit gets no signature check, and past the verifier's bound of checks in
 * flight a call is answered RESOURCE_EXHAUSTED without one, so a flood of forged tokens cannot queue
 * unbounded crypto work; the process keeps serving.
 */
import { Metadata, Server, ServerCredentials, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import pino from 'pino';
import { waitFor } from '@rampart/testing';
import { createTokenVerifier, generateSigningKey, mintToken, type SigningKey, type TokenVerifier } from '@rampart/auth';
import { insecure, unary, type AuditRecord, type HandlerKit } from '@rampart/grpc-kit';
import { AUDIENCE, ISSUER, PING, PingClient, type Pinger } from './pinger';


async function serve(kit: HandlerKit, interceptors: ServerInterceptor[] = []): Promise<{ client: Pinger; stop(): void }> {
  const server = new Server({ interceptors });
  server.addService(PING, { ping: unary(kit, () => Promise.resolve({})) });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new PingClient(`127.0.0.1:${port}`, insecure()) as unknown as Pinger;
  return { client, stop: () => (client.close(), server.forceShutdown()) };
}

function ping(client: Pinger, token: string, deadlineMs = 5_000): Promise<status> {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return new Promise((resolve) => client.ping({}, metadata, { deadline: new Date(Date.now() + deadlineMs) }, (e) => resolve(e?.code ?? status.OK)));
}

describe('token verification under load', () => {
  let key: SigningKey;
  const records: AuditRecord[] = [];
  const mint = (subject: string) => mintToken(key.privateJwk, { subject, organization: 'acme', roles: ['developer'], clearance: 'UNCLASSIFIED' }, { issuer: ISSUER, audience: AUDIENCE });

  beforeAll(async () => {
    key = await generateSigningKey('k1');
  });

  beforeEach(() => {
    records.length = 0;
  });

  it('does not verify the token of a call that is already over when it reaches the kit', async () => {
    let verifications = 0;
    const real = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: key.publicJwks });
    const verifier: TokenVerifier = (token) => {
      verifications++;
      return real(token);
    };
    // A server whose event loop lags: the message reaches the kit after the call's deadline.
    const lagging: ServerInterceptor = (_method, call) => new ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMessage: (message: unknown, pass: (message: unknown) => void) => {
          const until = Date.now() + 150;
          while (Date.now() < until); // blocks the event loop, as a flood does
          pass(message);
        },
      }),
    });
    const { client, stop } = await serve({ verifier, logger: pino({ level: 'silent' }), audit: { record: (r) => void records.push(r) } }, [lagging]);
    try {
      expect(await ping(client, await mint('ada@acme'), 50)).toBe(status.DEADLINE_EXCEEDED);
      expect(verifications).toBe(0);
      expect(records).toEqual([]);
    } finally {
      stop();
    }
  });

  it('answers RESOURCE_EXHAUSTED past the bound of verifications in flight, without verifying, and keeps serving', async () => {
    // Key lookups held at a gate: the verifications in flight stay in flight until it opens.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const local = createLocalJWKSet(key.publicJwks);
    let lookups = 0;
    const keys: JWTVerifyGetKey = async (header, token) => {
      lookups++;
      await gate;
      return local(header, token);
    };
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys, maxVerifications: 4 });
    const { client, stop } = await serve({ verifier, logger: pino({ level: 'silent' }), audit: { record: (r) => void records.push(r) } });
    try {
      const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => mint(`dev${i}@acme`)));
      const answered: status[] = [];
      const calls = tokens.map((token) => ping(client, token).then((code) => (answered.push(code), code)));
      await waitFor('the calls past the bound answered', () => Promise.resolve(answered.length === 16), 5_000, 10);
      expect(answered).toEqual(Array.from({ length: 16 }, () => status.RESOURCE_EXHAUSTED));
      expect(lookups).toBe(4);
      open();
      const codes = await Promise.all(calls);
      expect(codes.filter((code) => code === status.OK)).toHaveLength(4);
      // Nothing was refused: the calls past the bound were never judged.
      expect(records.filter((r) => r.kind !== 'call')).toEqual([]);
      expect(await ping(client, await mint('grace@acme'))).toBe(status.OK);
    } finally {
      stop();
    }
  });
});
