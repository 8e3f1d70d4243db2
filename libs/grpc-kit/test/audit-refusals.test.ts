/**
 * Refused tokens in the audit trail, over real gRPC on loopback with the real verifier: each refusal
 * is an UNCLASSIFIED record of who the token claimed to be (its subject only when it claimed no
 * classified clearance), the RPC and why, never the token; a flood is recorded up to the per-second
 * limit of its reason and the rest counted in one summary per window. Call records are marked with
 * the caller's clearance.
 */
import { Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import { SignJWT, importJWK } from 'jose';
import pino from 'pino';
import { waitFor } from '@rampart/testing';
import { createTokenVerifier, generateSigningKey, mintToken, type SigningKey, type TokenClaims } from '@rampart/auth';
import { insecure, RefusalAudit, unary, type AuditRecord, type HandlerKit } from '@rampart/grpc-kit';
import { AUDIENCE, ISSUER, PING, PingClient, type Pinger } from './pinger';

const claims: TokenClaims = { subject: 'mallory@evil', organization: 'evil', roles: ['developer'], clearance: 'SECRET' };

describe('refused authentications in the audit trail', () => {
  let key: SigningKey;
  let server: Server;
  let client: Pinger;
  const records: AuditRecord[] = [];
  const mint = (c: TokenClaims = claims, expiresIn: string | number = '5m', signWith = key) => mintToken(signWith.privateJwk, c, { issuer: ISSUER, audience: AUDIENCE, expiresIn });

  beforeAll(async () => {
    key = await generateSigningKey('k1');
    const audit = { record: (r: AuditRecord) => void records.push(r) };
    const kit: HandlerKit = {
      // Room for every call of the floods below: what is bounded here is the trail, not the checks.
      verifier: createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, keys: key.publicJwks, maxVerifications: 1_000 }),
      logger: pino({ level: 'silent' }),
      audit,
      refusals: new RefusalAudit(audit, 8),
    };
    server = new Server();
    server.addService(PING, {
      ping: unary(kit, () => Promise.resolve({})),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    client = new PingClient(`127.0.0.1:${port}`, insecure()) as unknown as Pinger;
  });

  afterAll(() => {
    client?.close();
    server?.forceShutdown();
  });

  beforeEach(() => {
    records.length = 0;
  });

  const ping = (token: string | undefined, request: object = {}) => new Promise<status>((resolve) => {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    client.ping(request, metadata, { deadline: new Date(Date.now() + 5_000) }, (e) => resolve(e?.code ?? status.OK));
  });

  const recorded = (what: string, check: () => boolean) => waitFor(what, () => Promise.resolve(check()), 5_000, 10);

  it('records each refused token with the claimed identity, the RPC and the reason, never the token', async () => {
    const valid = await mint();
    const forged = `${valid.slice(0, -4)}${valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const expired = await mint(claims, Math.floor(Date.now() / 1000) - 3_600);
    const unknownKid = await mint(claims, '5m', await generateSigningKey('k2'));
    const idToken = await new SignJWT({ org: 'evil', roles: ['developer'], clearance: 'SECRET' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'id+jwt' })
      .setSubject('mallory@evil').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').sign(await importJWK(key.privateJwk, 'EdDSA'));
    const hostile = await mint({ ...claims, clearance: 'UNCLASSIFIED', subject: `x\n${'y'.repeat(5_000)}`, organization: 'a.b' });
    const tries: [string, string | undefined][] = [['signature', forged], ['expired', expired], ['unknown-kid', unknownKid], ['type', idToken], ['missing', undefined], ['malformed', 'not-a-jwt']];
    for (const [, token] of tries) expect(await ping(token)).toBe(status.UNAUTHENTICATED);
    expect(await ping(hostile)).toBe(status.UNAUTHENTICATED);
    await recorded('a record of each refusal', () => records.length === tries.length + 1);

    expect(records.map((r) => r.kind === 'authentication-refused' && r.reason)).toEqual([...tries.map(([reason]) => reason), 'claims']);
    // The token chose its claims: the record is UNCLASSIFIED, and a subject claiming a classified
    // clearance (an identity that may be classified at that level) is withheld.
    for (const record of records.slice(0, 4)) {
      expect(record).toMatchObject({ kind: 'authentication-refused', marking: 'UNCLASSIFIED', service: 'test.v1.Pinger', rpc: 'Ping', claimed: { subjectWithheld: true, organization: 'evil', roles: ['developer'], clearance: 'SECRET', algorithm: 'EdDSA' } });
      expect(record).not.toHaveProperty('claimed.subject');
    }
    expect(records[4]).toMatchObject({ marking: 'UNCLASSIFIED', claimed: {}, detail: expect.stringMatching(/missing bearer token/) });
    // Claims that are not shaped like what they claim are kept by their size only.
    expect(records[6]).toMatchObject({ claimed: { subject: '<not shown: 5002 characters>', organization: '<not shown: 3 characters>' } });
    const text = JSON.stringify(records);
    for (const [, token] of tries) for (const part of token?.split('.') ?? []) expect(text).not.toContain(part);
    expect(text).not.toContain('yyyy');
    expect(text).not.toContain('mallory@evil');
  });

  it('records a subject only when its claim says UNCLASSIFIED, and marks every refusal UNCLASSIFIED whatever it claimed', async () => {
    const forge = async (c: TokenClaims) => `${(await mint(c)).slice(0, -4)}AAAA`;
    const unsigned = (clearance: string | undefined) => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' })}.${enc({ sub: 'nobody@evil', org: 'evil', ...(clearance ? { clearance } : {}) })}.AAAA`;
    };
    const forged = await forge({ ...claims, subject: 'eve@evil', clearance: 'UNCLASSIFIED' });
    const claimedTopSecret = await forge({ ...claims, subject: 'director@nsa', organization: 'nsa', clearance: 'TOP_SECRET' });
    for (const token of [forged, claimedTopSecret, unsigned(undefined), unsigned('CUI')]) expect(await ping(token)).toBe(status.UNAUTHENTICATED);
    await recorded('four refusals', () => records.length === 4);
    expect(records.map((r) => r.marking)).toEqual(['UNCLASSIFIED', 'UNCLASSIFIED', 'UNCLASSIFIED', 'UNCLASSIFIED']);
    expect(records.map((r) => r.kind === 'authentication-refused' && r.claimed)).toEqual([
      expect.objectContaining({ subject: 'eve@evil', clearance: 'UNCLASSIFIED' }),
      expect.objectContaining({ subjectWithheld: true, organization: 'nsa', clearance: 'TOP_SECRET' }),
      expect.objectContaining({ subjectWithheld: true, organization: 'evil' }),
      expect.objectContaining({ subjectWithheld: true, clearance: 'CUI' }),
    ]);
    expect(JSON.stringify(records)).not.toContain('director@nsa');
    // No clearance claim at all: it may still be a cleared person's (a signed token with a bad claim).
    expect(JSON.stringify(records)).not.toContain('nobody@evil');
  });

  it('records at most the limit a second of a flood, and counts the rest in one summary per window', async () => {
    const forged = `${(await mint()).slice(0, -4)}AAAA`;
    const flood = 200;
    const codes = await Promise.all(Array.from({ length: flood }, () => ping(forged)));
    expect(new Set(codes)).toEqual(new Set([status.UNAUTHENTICATED]));
    const counted = () => records.reduce((n, r) => n + (r.kind === 'authentication-refused' ? 1 : r.kind === 'authentication-refused-suppressed' ? r.suppressed : 0), 0);
    // The last window's summary comes when that window ends, with no further refusal needed.
    await recorded('every refusal recorded or counted', () => counted() === flood);
    const individual = records.filter((r) => r.kind === 'authentication-refused');
    const summaries = records.filter((r) => r.kind === 'authentication-refused-suppressed');
    expect(individual.length).toBeLessThanOrEqual(8 * (summaries.length + 1));
    expect(summaries.length).toBeGreaterThan(0);
    for (const summary of summaries) {
      expect(summary).toMatchObject({ marking: 'UNCLASSIFIED', service: 'test.v1.Pinger', byRpc: { Ping: summary.suppressed }, byReason: { signature: summary.suppressed } });
      expect(Date.parse(summary.to) - Date.parse(summary.from)).toBeLessThanOrEqual(1_000);
    }
  });

  it('keeps a budget per reason: a flood of forged signatures does not crowd out an expired token in the same second', async () => {
    const forged = `${(await mint()).slice(0, -4)}AAAA`;
    const expired = await mint({ ...claims, clearance: 'UNCLASSIFIED', subject: 'ada@acme' }, Math.floor(Date.now() / 1000) - 3_600);
    const flood = await Promise.all(Array.from({ length: 30 }, () => ping(forged)));
    expect(new Set(flood)).toEqual(new Set([status.UNAUTHENTICATED]));
    expect(await ping(expired)).toBe(status.UNAUTHENTICATED);
    await recorded('the expired token recorded one by one', () => records.some((r) => r.kind === 'authentication-refused' && r.reason === 'expired' && r.claimed.subject === 'ada@acme'));
  });

  it("marks a call's record with the caller's clearance", async () => {
    expect(await ping(await mint({ ...claims, clearance: 'CUI' }))).toBe(status.OK);
    expect(await ping(await mint({ ...claims, clearance: 'TOP_SECRET' }))).toBe(status.OK);
    await recorded('two call records', () => records.length === 2);
    expect(records.map((r) => [r.kind, r.marking])).toEqual([['call', 'CUI'], ['call', 'TOP_SECRET']]);
  });
});
