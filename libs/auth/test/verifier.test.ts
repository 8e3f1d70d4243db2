import { SignJWT, generateKeyPair, importJWK } from 'jose';
import { UnauthenticatedError } from '@rampart/errors';
import { createTokenVerifier, generateSigningKey, mintToken, clearanceAtLeast } from '@rampart/auth';

const opts = { issuer: 'iss', audience: 'aud' };
const claims = { subject: 'dev@acme', organization: 'acme', roles: ['developer'] as const, clearance: 'CUI' as const };

describe('token verification', () => {
  let key: Awaited<ReturnType<typeof generateSigningKey>>;
  let verify: ReturnType<typeof createTokenVerifier>;
  beforeAll(async () => {
    key = await generateSigningKey('k1');
    verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
  });

  it('accepts a valid token and reads the caller from it', async () => {
    const caller = await verify(await mintToken(key.privateJwk, { ...claims, agency: 'CISA' }, opts));
    expect(caller).toEqual({ subject: 'dev@acme', organization: 'acme', roles: ['developer'], clearance: 'CUI', agency: 'CISA' });
  });

  it.each([
    ['expired', () => mintToken(key.privateJwk, claims, { ...opts, expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ['wrong audience', () => mintToken(key.privateJwk, claims, { ...opts, audience: 'other' }), /aud/],
    ['wrong issuer', () => mintToken(key.privateJwk, claims, { ...opts, issuer: 'other' }), /iss/],
    ['forged: same kid, other key', async () => {
      const other = await generateSigningKey('k1');
      return mintToken(other.privateJwk, claims, opts);
    }, /signature/],
    ['unknown kid', async () => mintToken((await generateSigningKey('k9')).privateJwk, claims, opts), /kid/],
    ['alg none', () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return Promise.resolve(`${enc({ alg: 'none', kid: 'k1' })}.${enc({ sub: 'x', org: 'acme', roles: ['developer'], clearance: 'CUI', iss: 'iss', aud: 'aud', exp: 9e9 })}.`);
    }, /none/],
    ['HMAC', () => new SignJWT({ org: 'acme', roles: ['developer'], clearance: 'CUI' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setSubject('x').setIssuer('iss').setAudience('aud').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32))), /HS256/],
    ['no kid', async () => {
      const { privateKey } = await generateKeyPair('EdDSA');
      return new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setSubject('x').setIssuer('iss').setAudience('aud').setExpirationTime('1h').sign(privateKey);
    }, /kid/],
    ['unknown role', () => mintToken(key.privateJwk, { ...claims, roles: ['emperor' as never] }, opts), /unknown roles/],
    ['not a JWT', () => Promise.resolve('garbage'), /not a JWT/],
  ])('rejects %s', async (_, make, reason) => {
    const token = await make();
    await expect(verify(token)).rejects.toThrow(UnauthenticatedError);
    await expect(verify(token)).rejects.toThrow(reason);
  });

  it('orders clearances', () => {
    expect(clearanceAtLeast('SECRET', 'CUI')).toBe(true);
    expect(clearanceAtLeast('CUI', 'SECRET')).toBe(false);
    expect(clearanceAtLeast('TOP_SECRET', 'TOP_SECRET')).toBe(true);
  });
});

describe('token hardening', () => {
  let key: Awaited<ReturnType<typeof generateSigningKey>>;
  let verify: ReturnType<typeof createTokenVerifier>;
  const now = () => Math.floor(Date.now() / 1000);
  /** A token signed by `key` with any header typ and claims, for cases mintToken will not make. */
  const sign = async (typ: string | undefined, payload: Record<string, unknown>, times: { exp?: number; nbf?: number } = {}) => {
    const jwt = new SignJWT({ org: 'acme', roles: ['developer'], clearance: 'CUI', ...payload })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', ...(typ === undefined ? {} : { typ }) })
      .setSubject('dev@acme').setIssuer('iss').setAudience('aud').setIssuedAt()
      .setExpirationTime(times.exp ?? now() + 600);
    if (times.nbf !== undefined) jwt.setNotBefore(times.nbf);
    return jwt.sign(await importJWK(key.privateJwk, 'EdDSA'));
  };
  beforeAll(async () => {
    key = await generateSigningKey('k1');
    verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
  });

  it('allows a small clock skew on exp and nbf (30 s by default), no more', async () => {
    await expect(verify(await sign('JWT', {}, { exp: now() - 10 }))).resolves.toMatchObject({ organization: 'acme' });
    await expect(verify(await sign('JWT', {}, { nbf: now() + 10 }))).resolves.toMatchObject({ organization: 'acme' });
    await expect(verify(await sign('JWT', {}, { exp: now() - 45 }))).rejects.toThrow(/expired/);
    await expect(verify(await sign('JWT', {}, { nbf: now() + 45 }))).rejects.toThrow(/nbf/);
    const strict = createTokenVerifier({ ...opts, keys: key.publicJwks, clockToleranceS: 0 });
    await expect(strict(await sign('JWT', {}, { exp: now() - 10 }))).rejects.toThrow(/expired/);
  });

  it('bounds the configured skew', () => {
    expect(() => createTokenVerifier({ ...opts, keys: key.publicJwks, clockToleranceS: 301 })).toThrow(/clock tolerance/);
    expect(() => createTokenVerifier({ ...opts, keys: key.publicJwks, clockToleranceS: -1 })).toThrow(/clock tolerance/);
  });

  it.each(['JWT', 'jwt', 'at+jwt', 'AT+JWT', 'application/at+jwt'])('accepts typ %s', async (typ) => {
    await expect(verify(await sign(typ, {}))).resolves.toMatchObject({ organization: 'acme' });
  });

  it.each([undefined, '', 'logout+jwt', 'secevent+jwt', 'dpop+jwt', 'JOSE', 'id_token'])('refuses typ %s', async (typ) => {
    const error = await verify(await sign(typ, {})).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toMatch(/typ/);
  });

  it.each(['a.b', 'a*', 'a>', '*', '>', 'a b', ' a', 'a\t', 'a\n', 'ä', 'a/b', 'x'.repeat(65), 7, ['acme']])('refuses the org claim %j (it would not be one NATS subject token)', async (org) => {
    const error = await verify(await sign('JWT', { org })).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toMatch(/\borg\b/);
  });

  it('refuses an empty org claim', async () => {
    await expect(verify(await sign('JWT', { org: '' }))).rejects.toThrow(/org claim/);
  });

  it.each(['a_b', 'a-b', 'ACME', '0', 'x'.repeat(64)])('accepts the org %s as it is', async (org) => {
    await expect(verify(await sign('JWT', { org }))).resolves.toMatchObject({ organization: org });
  });

  it('tells the caller nothing of a failure on our side, and logs it', async () => {
    const logged: unknown[] = [];
    const broken = createTokenVerifier({
      ...opts,
      keys: () => Promise.reject(new SyntaxError('Unexpected token } in JSON at position 7 of /etc/rampart/jwks.json')),
      logger: { warn: (details) => logged.push(details) },
    });
    const error = await broken(await sign('JWT', {})).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toBe('bearer token rejected: could not be verified');
    expect(logged).toEqual([expect.objectContaining({ err: expect.any(SyntaxError) })]);
  });
});
