/**
 * The verifier remembers tokens it verified (VerifiedTokens); these prove that a remembered token is
 * never accepted where a full verification would refuse it, and that the signature is checked once.
 */
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UnauthenticatedError } from '@rampart/errors';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { createTokenVerifier, fileKeySet, generateSigningKey, mintToken, VerificationsExhaustedError } from '@rampart/auth';

const opts = { issuer: 'iss', audience: 'aud' };
const claims = { subject: 'dev@acme', organization: 'acme', roles: ['developer'] as const, clearance: 'CUI' as const };

describe('remembered tokens', () => {
  let key: Awaited<ReturnType<typeof generateSigningKey>>;
  beforeAll(async () => {
    key = await generateSigningKey('k1');
  });

  it('checks the signature of a token once, however often it is presented', async () => {
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
    const token = await mintToken(key.privateJwk, claims, opts);
    const subtle = globalThis.crypto.subtle;
    const spy = jest.spyOn(subtle, 'verify');
    try {
      for (let i = 0; i < 5; i++) await expect(verify(token)).resolves.toMatchObject({ organization: 'acme' });
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers at exp + tolerance exactly as a fresh verification does, just below, at and just above it', async () => {
    const tolerance = 5;
    const minted = Date.now();
    const exp = Math.floor(minted / 1000) + 60;
    const token = await mintToken(key.privateJwk, claims, { ...opts, expiresIn: exp });
    const answer = (verify: ReturnType<typeof createTokenVerifier>) => verify(token).then(() => 'accepted', (e: unknown) => (e as Error).message);
    const boundary = (exp + tolerance) * 1000;
    const expected = { [boundary - 1]: 'accepted', [boundary]: 'bearer token rejected: expired', [boundary + 1]: 'bearer token rejected: expired' };
    for (const instant of [boundary - 1, boundary, boundary + 1]) {
      let clock = minted;
      const remembering = createTokenVerifier({ ...opts, keys: key.publicJwks, clockToleranceS: tolerance, now: () => clock });
      await expect(remembering(token)).resolves.toMatchObject({ organization: 'acme' });
      clock = instant;
      const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
      let remembered: string;
      try {
        remembered = await answer(remembering);
        // Inside the lifetime the answer comes from the cache, not from a second signature check.
        if (remembered === 'accepted') expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
      const fresh = await answer(createTokenVerifier({ ...opts, keys: key.publicJwks, clockToleranceS: tolerance, cachedTokens: 0, now: () => instant }));
      expect({ instant, remembered }).toEqual({ instant, remembered: fresh });
      expect({ instant, remembered }).toEqual({ instant, remembered: expected[instant] });
    }
  });

  it('refuses a remembered token once its key is gone from the key file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'verified-tokens-'));
    const file = path.join(dir, 'jwks.json');
    const other = await generateSigningKey('k2');
    writeFileSync(file, JSON.stringify({ keys: [...key.publicJwks.keys, ...other.publicJwks.keys] }));
    const verify = createTokenVerifier({ ...opts, keys: fileKeySet(file, { checkIntervalMs: 0, unknownKidReloadMs: 0 }) });
    const token = await mintToken(key.privateJwk, claims, opts);
    await expect(verify(token)).resolves.toMatchObject({ organization: 'acme' });
    writeFileSync(`${file}.next`, JSON.stringify(other.publicJwks));
    renameSync(`${file}.next`, file);
    const error = await verify(token).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toMatch(/kid/);
  });

  it('never lets a token that differs in its signature hit', async () => {
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
    const token = await mintToken(key.privateJwk, claims, opts);
    await verify(token);
    const [h, p, s] = token.split('.') as [string, string, string];
    // A middle character: all six of its bits are signature bits (the last one's low bits may be padding).
    const middle = Math.floor(s.length / 2);
    const flipped = `${h}.${p}.${s.slice(0, middle)}${s[middle] === 'A' ? 'B' : 'A'}${s.slice(middle + 1)}`;
    await expect(verify(flipped)).rejects.toThrow(/signature/);
  });

  it('hands each caller its own copy', async () => {
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
    const token = await mintToken(key.privateJwk, claims, opts);
    const first = await verify(token);
    (first.roles as string[]).push('auditor');
    await expect(verify(token)).resolves.toMatchObject({ roles: ['developer'] });
  });

  it('keeps at most the configured number of tokens', async () => {
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks, cachedTokens: 2 });
    const tokens = await Promise.all([1, 2, 3].map((i) => mintToken(key.privateJwk, { ...claims, subject: `dev${i}@acme` }, opts)));
    for (const t of tokens) await verify(t);
    const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      await verify(tokens[0]); // evicted: verified again
      await verify(tokens[2]); // kept
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('evicts the least recently used token, not the oldest', async () => {
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks, cachedTokens: 2 });
    const [first, second, third] = await Promise.all([1, 2, 3].map((i) => mintToken(key.privateJwk, { ...claims, subject: `dev${i}@acme` }, opts))) as [string, string, string];
    await verify(first);
    await verify(second);
    await verify(first); // used again: now the most recent
    await verify(third); // evicts second
    const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      await verify(first);
      expect(spy).not.toHaveBeenCalled();
      await verify(second);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  /**
   * A token to remember, and a key set whose lookups for any other token wait until `open()`: their
   * checks stay in flight. `reload()` swaps in new key objects for the same keys.
   */
  async function gatedKeys() {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let local = createLocalJWKSet(key.publicJwks);
    const remembered = await mintToken(key.privateJwk, claims, opts);
    const [, rememberedPayload] = remembered.split('.');
    const keys: JWTVerifyGetKey = async (header, token) => {
      if (token.payload !== rememberedPayload) await gate;
      return local(header, token);
    };
    return { keys, remembered, open, reload: () => (local = createLocalJWKSet(structuredClone(key.publicJwks))) };
  }

  it('bounds the signature checks in flight, and still accepts remembered tokens past the bound', async () => {
    const { keys, remembered, open } = await gatedKeys();
    const verify = createTokenVerifier({ ...opts, keys, maxVerifications: 2 });
    await verify(remembered);
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => mintToken(key.privateJwk, { ...claims, subject: `dev${i}@acme` }, opts))) as [string, string, string];
    const held = [verify(a), verify(b)];
    await expect(verify(c)).rejects.toBeInstanceOf(VerificationsExhaustedError);
    await expect(verify(remembered)).resolves.toMatchObject({ subject: 'dev@acme' });
    open();
    await expect(Promise.all(held)).resolves.toHaveLength(2);
    await expect(verify(c)).resolves.toMatchObject({ subject: 'dev3@acme' });
  });

  it('checks a remembered token again after a key-set reload even when the bound is reached', async () => {
    const { keys, remembered, open, reload } = await gatedKeys();
    const verify = createTokenVerifier({ ...opts, keys, maxVerifications: 1 });
    await verify(remembered);
    reload();
    const held = verify(await mintToken(key.privateJwk, { ...claims, subject: 'other@acme' }, opts));
    const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      await expect(verify(remembered)).resolves.toMatchObject({ subject: 'dev@acme' });
      expect(spy).toHaveBeenCalledTimes(1); // checked again: its key object changed
    } finally {
      spy.mockRestore();
    }
    open();
    await held;
  });

  it('refuses a bound that is not a positive whole number', () => {
    for (const maxVerifications of [0, -1, 1.5, Number.NaN]) expect(() => createTokenVerifier({ ...opts, keys: key.publicJwks, maxVerifications })).toThrow(/maxVerifications/);
  });
});

describe('forcing checks again', () => {
  it('checks a burst of calls with one token once', async () => {
    const key = await generateSigningKey('k1');
    const verify = createTokenVerifier({ ...opts, keys: key.publicJwks });
    const token = await mintToken(key.privateJwk, claims, opts);
    const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      const callers = await Promise.all(Array.from({ length: 50 }, () => verify(token)));
      expect(callers).toHaveLength(50);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('a token naming an unknown kid makes the key file be read again, but remembered tokens stay remembered', async () => {
    const key = await generateSigningKey('k1');
    const dir = mkdtempSync(path.join(tmpdir(), 'verified-tokens-'));
    const file = path.join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify(key.publicJwks));
    const verify = createTokenVerifier({ ...opts, keys: fileKeySet(file, { checkIntervalMs: 0, unknownKidReloadMs: 0 }) });
    const token = await mintToken(key.privateJwk, claims, opts);
    await verify(token);
    const stranger = await mintToken((await generateSigningKey('k-unknown')).privateJwk, claims, opts);
    await expect(verify(stranger)).rejects.toThrow(/kid/); // forces a re-read of the unchanged file
    const spy = jest.spyOn(globalThis.crypto.subtle, 'verify');
    try {
      await verify(token);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
