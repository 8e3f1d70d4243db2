import { SignJWT, generateKeyPair } from 'jose';
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
    ['expired', async () => mintToken(key.privateJwk, claims, { ...opts, expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ['wrong audience', async () => mintToken(key.privateJwk, claims, { ...opts, audience: 'other' }), /aud/],
    ['wrong issuer', async () => mintToken(key.privateJwk, claims, { ...opts, issuer: 'other' }), /iss/],
    ['forged: same kid, other key', async () => {
      const other = await generateSigningKey('k1');
      return mintToken(other.privateJwk, claims, opts);
    }, /signature/],
    ['unknown kid', async () => mintToken((await generateSigningKey('k9')).privateJwk, claims, opts), /kid/],
    ['alg none', async () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${enc({ alg: 'none', kid: 'k1' })}.${enc({ sub: 'x', org: 'acme', roles: ['developer'], clearance: 'CUI', iss: 'iss', aud: 'aud', exp: 9e9 })}.`;
    }, /none/],
    ['HMAC', async () => new SignJWT({ org: 'acme', roles: ['developer'], clearance: 'CUI' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setSubject('x').setIssuer('iss').setAudience('aud').setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32))), /HS256/],
    ['no kid', async () => {
      const { privateKey } = await generateKeyPair('EdDSA');
      return new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setSubject('x').setIssuer('iss').setAudience('aud').setExpirationTime('1h').sign(privateKey);
    }, /kid/],
    ['unknown role', async () => mintToken(key.privateJwk, { ...claims, roles: ['emperor' as never] }, opts), /unknown roles/],
    ['not a JWT', async () => 'garbage', /not a JWT/],
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
