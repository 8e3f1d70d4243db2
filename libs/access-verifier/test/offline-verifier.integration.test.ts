/**
 * The offline verifier against a real nats-server: it fails closed once it can no longer confirm it
 * has every revocation (server stopped), even when the wall clock steps back, and accepts again once
 * reconnected and caught up, never accepting a credential revoked while it was away; keys the
 * service stops publishing stop verifying, found by the scheduled refresh or by an unknown `kid`
 * (one fetch for a burst of them); options that would disable failing closed are refused.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { SignJWT, type JWK } from 'jose';
import { NatsServer, waitFor } from '@rampart/testing';
import {
  CREDENTIAL_TYPE, credentialPayload, OfflineVerifier, refreshingKeys, RevocationFollower, REVOCATION_STREAM, revocationSubject,
  type CredentialClaims, type FetchKeys, type OfflineVerifierOptions, type RefreshingKeys,
} from '../src';

const ISSUER = 'rampart-early-access';
let nats: NatsServer;
let nc: NatsConnection;
let jsm: JetStreamManager;

interface TestKey { kid: string; privateKey: KeyObject; jwk: JWK }
function newKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA' } };
}

function claims(over: Partial<CredentialClaims> = {}): CredentialClaims {
  const now = new Date();
  return {
    credentialId: randomUUID(), organization: 'acme', programId: 'p1', grantId: randomUUID(), principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government',
    scopes: ['inference'], issuedAt: now, notBefore: now, expiresAt: new Date(now.getTime() + 3_600_000), ...over,
  };
}

const sign = (key: TestKey, c = claims()) => new SignJWT(credentialPayload(c, ISSUER)).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: CREDENTIAL_TYPE }).sign(key.privateKey);

/** What GetVerificationKeys would answer, changeable by the test; counts the fetches. */
function keyService(initial: TestKey[]): { fetch: FetchKeys; set(keys: TestKey[]): void; readonly fetches: number } {
  let keys = initial;
  let fetches = 0;
  return {
    fetch: () => {
      fetches++;
      return Promise.resolve({ issuer: ISSUER, keys: keys.map((k) => ({ jwk: k.jwk })) });
    },
    set: (next) => (keys = next),
    get fetches() {
      return fetches;
    },
  };
}

async function revoke(data: { scope: 'credential' | 'grant' | 'program'; credentialId?: string; grantId?: string; programId: string }): Promise<void> {
  await jetstream(nc).publish(revocationSubject('acme'), JSON.stringify({ data: { organization: 'acme', revokedAt: new Date().toISOString(), revision: 1, ...data } }));
}

/** Other credentials' revocations, so that catching up takes a while and a premature "current" shows. */
async function revokeOthers(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await revoke({ scope: 'credential', credentialId: randomUUID(), programId: 'p1' });
}

let natsDown = false;
async function stopNats(): Promise<void> {
  natsDown = true;
  await nats.stop();
}
async function restartNats(): Promise<void> {
  await nats.restart();
  natsDown = false;
}

beforeAll(async () => {
  nats = await NatsServer.start();
  // A gateway reconnects for ever: the verifier refuses while it is away, and recovers.
  nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100, pingInterval: 500 });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: REVOCATION_STREAM, subjects: ['rampart.developer.*.access.>'] });
}, 60_000);
afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

const started: { verifier: OfflineVerifier; keys: RefreshingKeys }[] = [];
const connections: NatsConnection[] = [];
afterEach(async () => {
  jest.restoreAllMocks();
  // A failed test must not leave the next one without a server.
  if (natsDown) await restartNats();
  for (const { verifier, keys } of started.splice(0)) {
    await verifier.stop();
    keys.stop();
  }
  for (const c of connections.splice(0)) await c.close();
});

const debug = (e: unknown) => process.env.DEBUG_VERIFIER && console.log(new Date().toISOString(), String(e));

async function startVerifier(fetch: FetchKeys, keyOptions: Parameters<typeof refreshingKeys>[1] = {}, over: Partial<OfflineVerifierOptions> = {}): Promise<OfflineVerifier> {
  const keys = await refreshingKeys(fetch, keyOptions);
  try {
    const verifier = await OfflineVerifier.start({ organization: 'acme', js: jetstream(nc), keys, onError: debug, ...over });
    started.push({ verifier, keys });
    return verifier;
  } catch (error) {
    keys.stop();
    throw error;
  }
}

/** A credential valid for two hours either side of now: only revocation or currency can refuse it, whatever the clock says. */
const lasting = (over: Partial<CredentialClaims> = {}) => {
  const now = Date.now();
  return claims({ issuedAt: new Date(now - 2 * 3_600_000), notBefore: new Date(now - 2 * 3_600_000), expiresAt: new Date(now + 2 * 3_600_000), ...over });
};

it('stops accepting credentials of a key the service no longer publishes, at the next scheduled refresh', async () => {
  const [old, current] = [newKey('old'), newKey('current')];
  const service = keyService([old, current]);
  const verifier = await startVerifier(service.fetch, { refreshEveryMs: 200, minRefreshMs: 100 });
  const oldToken = await sign(old);
  const currentToken = await sign(current);
  expect(await verifier.verify(oldToken)).toMatchObject({ valid: true });

  service.set([current]);
  await waitFor('the removed key to stop verifying', async () => !(await verifier.verify(oldToken)).valid, 5_000, 20);
  expect(await verifier.verify(oldToken)).toMatchObject({ valid: false, code: 'unknown-key', reason: 'signed with an unknown key' });
  expect(await verifier.verify(currentToken)).toMatchObject({ valid: true });
});

it('learns a rotated-in key from an unknown kid with one fetch for a burst, and drops keys absent from that set', async () => {
  const [old, next] = [newKey('old'), newKey('next')];
  const service = keyService([old]);
  const verifier = await startVerifier(service.fetch, { refreshEveryMs: 3_600_000, minRefreshMs: 60_000 });
  const oldToken = await sign(old);
  const nextTokens = await Promise.all(Array.from({ length: 50 }, () => sign(next)));
  expect(await verifier.verify(oldToken)).toMatchObject({ valid: true });
  const before = service.fetches;

  service.set([next]);
  const results = await Promise.all(nextTokens.map((t) => verifier.verify(t)));
  expect(results.every((r) => r.valid)).toBe(true);
  expect(service.fetches - before).toBe(1);
  expect(await verifier.verify(oldToken)).toMatchObject({ valid: false, code: 'unknown-key' });

  // Forged kids do not turn requests into fetches: within the rate limit none is made.
  const forged = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(newKey(`forged-${i}`))));
  for (const t of forged) expect(await verifier.verify(t)).toMatchObject({ valid: false, code: 'unknown-key' });
  expect(service.fetches - before).toBe(1);
});

it('fails closed while it cannot learn of revocations (nats-server stopped), within its staleness bound, and recovers once caught up', async () => {
  const key = newKey('k1');
  const verifier = await startVerifier(keyService([key]).fetch);
  const token = await sign(key);
  const revoked = claims();
  const revokedToken = await sign(key, revoked);
  expect(await verifier.verify(token)).toMatchObject({ valid: true });

  await stopNats();
  const stoppedAt = Date.now();
  await waitFor('the verifier to refuse while disconnected', async () => !(await verifier.verify(token)).valid, 10_000, 20);
  const refusedAfter = Date.now() - stoppedAt;
  expect(await verifier.verify(token)).toMatchObject({ valid: false, code: 'revocations-stale' });
  // The default bound is 2 s from the last moment it knew it was current (probes every 250 ms).
  expect(refusedAfter).toBeLessThan(2_000 + 1_000);

  await restartNats();
  await waitFor('the verifier to accept again after reconnecting', async () => (await verifier.verify(token)).valid, 30_000, 50);
  // Caught up for real: a revocation published now is applied.
  await revoke({ scope: 'credential', credentialId: revoked.credentialId, programId: 'p1' });
  await waitFor('the revocation to reach the verifier', async () => (await verifier.verify(revokedToken)).valid === false, 5_000, 10);
  expect(await verifier.verify(revokedToken)).toMatchObject({ valid: false, reason: 'revoked', code: 'revoked' });
  expect(await verifier.verify(token)).toMatchObject({ valid: true });
}, 90_000);

it('keeps failing closed when the wall clock steps back while NATS is away, and recovers with the clock still behind', async () => {
  const key = newKey('k1');
  const verifier = await startVerifier(keyService([key]).fetch);
  const token = await sign(key, lasting());
  expect(await verifier.verify(token)).toMatchObject({ valid: true });

  await stopNats();
  // An NTP step: the whole process sees the wall clock 15 s behind. (Not more: nats.js times its own
  // reconnect attempts on the wall clock, so a larger step delays reconnecting by as much.)
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() - 15_000);
  const stoppedAt = performance.now();
  await waitFor('the verifier to refuse while disconnected, the clock stepped back', async () => !(await verifier.verify(token)).valid, 10_000, 20);
  expect(performance.now() - stoppedAt).toBeLessThan(2_000 + 1_000);
  expect(await verifier.verify(token)).toMatchObject({ valid: false, code: 'revocations-stale' });

  // Confirmations are ordered by the monotonic clock: the first one after reconnecting counts.
  await restartNats();
  await waitFor('the verifier to accept again with the clock still behind', async () => (await verifier.verify(token)).valid, 30_000, 50);
}, 90_000);

it('never accepts a credential revoked while its own connection is still away, from the restart until it has caught up', async () => {
  const key = newKey('k1');
  // The verifier's connection comes back only after a long wait; the service's (nc) at once.
  const slow = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 8_000, reconnectJitter: 0, pingInterval: 500 });
  connections.push(slow);
  let slowReconnectedAt: number | undefined;
  let slowAttempts = 0;
  void (async () => {
    for await (const s of slow.status()) {
      if (s.type === 'reconnecting') slowAttempts++;
      if (s.type === 'reconnect') slowReconnectedAt ??= performance.now();
    }
  })();
  // Probing often: a probe that confirmed currency while the replay is still under way would show.
  const verifier = await startVerifier(keyService([key]).fetch, {}, { js: jetstream(slow), probeEveryMs: 10 });
  const token = await sign(key);
  const revoked = claims();
  const revokedToken = await sign(key, revoked);
  expect(await verifier.verify(revokedToken)).toMatchObject({ valid: true });

  await stopNats();
  await waitFor('the verifier to refuse while disconnected', async () => !(await verifier.verify(token)).valid, 10_000, 20);
  // Its next attempt is reconnectTimeWait after a failed one: the server comes back just after one.
  await waitFor('the verifier\'s connection to fail an attempt to reconnect', () => Promise.resolve(slowAttempts > 0), 15_000, 20);
  await restartNats();
  // Positive signal that the service side is back: the revocation is stored (acknowledged by JetStream).
  await waitFor('the revocation to be stored', async () => {
    await revokeOthers(300);
    await revoke({ scope: 'credential', credentialId: revoked.credentialId, programId: 'p1' });
    return true;
  }, 20_000, 50);
  const publishedAt = performance.now();
  expect(slowReconnectedAt).toBeUndefined();

  const seen: string[] = [];
  await waitFor('the verifier to accept again after reconnecting', async () => {
    const r = await verifier.verify(revokedToken);
    seen.push(r.valid ? 'valid' : r.code);
    return (await verifier.verify(token)).valid;
  }, 30_000, 5);
  // The scenario happened: the revocation was stored before the verifier's connection came back.
  expect(slowReconnectedAt).toBeGreaterThan(publishedAt);
  expect(seen).not.toContain('valid');
  expect(await verifier.verify(revokedToken)).toMatchObject({ valid: false, code: 'revoked' });
}, 90_000);

it('refuses a credential revoked before it started, from the first verify', async () => {
  const key = newKey('k1');
  const revoked = claims();
  const grantRevoked = claims();
  await revokeOthers(300);
  await revoke({ scope: 'credential', credentialId: revoked.credentialId, programId: 'p1' });
  await revoke({ scope: 'grant', grantId: grantRevoked.grantId, programId: 'p1' });
  const verifier = await startVerifier(keyService([key]).fetch, {}, { probeEveryMs: 10 });
  expect(await verifier.verify(await sign(key, revoked))).toMatchObject({ valid: false, code: 'revoked', reason: 'revoked' });
  expect(await verifier.verify(await sign(key, grantRevoked))).toMatchObject({ valid: false, code: 'revoked', reason: 'revoked (its grant)' });
  expect(await verifier.verify(await sign(key))).toMatchObject({ valid: true });
});

it('checks credential times with its clock option (tests move it; verify takes no time argument)', async () => {
  const key = newKey('k1');
  const hours = (n: number) => n * 3_600_000;
  const verifier = await startVerifier(keyService([key]).fetch, {}, { clock: { wallMs: () => Date.now() + hours(2), monotonicMs: () => performance.now() } });
  expect(await verifier.verify(await sign(key))).toMatchObject({ valid: false, code: 'expired' });
  expect(await verifier.verify(await sign(key, lasting()))).toMatchObject({ valid: true });
});

describe('start() refuses options that would weaken or break failing closed, with a RangeError naming the option', () => {
  const cases: [Partial<OfflineVerifierOptions>, string][] = [
    [{ maxStalenessMs: 0 }, 'maxStalenessMs'],
    [{ maxStalenessMs: -1 }, 'maxStalenessMs'],
    [{ maxStalenessMs: Infinity }, 'maxStalenessMs'],
    [{ maxStalenessMs: NaN }, 'maxStalenessMs'],
    [{ maxStalenessMs: 24 * 3_600_000 }, 'maxStalenessMs'],
    [{ probeEveryMs: 0 }, 'probeEveryMs'],
    [{ probeEveryMs: NaN }, 'probeEveryMs'],
    [{ probeEveryMs: 5_000 }, 'probeEveryMs'],
    [{ maxStalenessMs: 1_000, probeEveryMs: 1_000 }, 'probeEveryMs'],
    [{ startTimeoutMs: NaN }, 'startTimeoutMs'],
    [{ startTimeoutMs: Infinity }, 'startTimeoutMs'],
    [{ clockToleranceSeconds: NaN }, 'clockToleranceSeconds'],
    [{ clockToleranceSeconds: Infinity }, 'clockToleranceSeconds'],
    [{ clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
    [{ organization: '*' }, 'organization'],
    [{ organization: '>' }, 'organization'],
    [{ organization: 'acme.globex' }, 'organization'],
    [{ organization: '' }, 'organization'],
    [{ organization: 'acme globex' }, 'organization'],
  ];
  it.each(cases)('%p', async (over, option) => {
    const outcome = await startVerifier(keyService([newKey('k1')]).fetch, {}, over).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(RangeError);
    expect((outcome as Error).message).toMatch(new RegExp(`^${option}\\b`));
  });

  it('accepts sound ones', async () => {
    const verifier = await startVerifier(keyService([newKey('k1')]).fetch, {}, { maxStalenessMs: 1_000, probeEveryMs: 100, startTimeoutMs: 5_000, clockToleranceSeconds: 0 });
    expect(verifier.revocationCount).toBeGreaterThanOrEqual(0);
  });
});

it('forgets a start-up wait that timed out, and start() names the organisation it could not catch up on', async () => {
  // No JetStream answers in this domain: it never catches up.
  const nowhere = jetstream(nc, { domain: 'nowhere' });
  const error = await startVerifier(keyService([newKey('k1')]).fetch, {}, { js: nowhere, startTimeoutMs: 200 }).catch((e: unknown) => e);
  expect(String(error)).toMatch(/revocations of acme not caught up within 200 ms/);

  const follower = new RevocationFollower({ organization: 'acme', js: nowhere });
  follower.start();
  try {
    for (let i = 0; i < 20; i++) expect(await follower.whenCaughtUp(10)).toBe(false);
    expect((follower as unknown as { caughtUpWaiters: Set<unknown> }).caughtUpWaiters.size).toBe(0);
  } finally {
    await follower.stop();
  }
});
