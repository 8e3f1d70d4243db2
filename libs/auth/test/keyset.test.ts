/**
 * The key-set file as operators edit it: keys added, keys removed, a half-written file. The clock is
 * jest's (Date only; timers and I/O are real), so "a second later" needs no sleep.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnauthenticatedError } from '@rampart/errors';
import { createTokenVerifier, fileKeySet, generateSigningKey, mintToken, type SigningKey } from '@rampart/auth';

const opts = { issuer: 'iss', audience: 'aud' };
const claims = { subject: 'dev@acme', organization: 'acme', roles: ['developer'] as const, clearance: 'CUI' as const };

let dir: string;
let file: string;
let k1: SigningKey, k2: SigningKey, k9: SigningKey;
const t: Record<string, string> = {};

function writeKeys(...keys: SigningKey[]): void {
  writeFileSync(file, JSON.stringify({ keys: keys.flatMap((k) => k.publicJwks.keys) }));
}

function later(ms: number): void {
  jest.setSystemTime(Date.now() + ms);
}

/** A verifier over the file and the warnings its key set logged. */
function verifierOverFile() {
  const warnings: { details: object; message: string }[] = [];
  const logger = { warn: (details: object, message: string) => warnings.push({ details, message }) };
  const verify = createTokenVerifier({ ...opts, keys: fileKeySet(file, { logger }), logger });
  return { verify, warnings };
}

beforeAll(async () => {
  [k1, k2, k9] = await Promise.all([generateSigningKey('k1'), generateSigningKey('k2'), generateSigningKey('k9')]);
  for (const [name, key] of Object.entries({ k1, k2, k9 })) t[name] = await mintToken(key.privateJwk, claims, opts);
});

beforeEach(() => {
  // Only Date is fake: file reads, stats and promises run for real.
  jest.useFakeTimers({ now: Date.now(), doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'queueMicrotask', 'hrtime', 'performance'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'keyset-'));
  file = path.join(dir, 'jwks.json');
});

afterEach(() => {
  jest.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

it('stops verifying a key within a second of its removal from the file', async () => {
  writeKeys(k1, k2);
  const { verify } = verifierOverFile();
  await expect(verify(t.k2!)).resolves.toMatchObject({ subject: 'dev@acme' });

  writeKeys(k1);
  later(1_100);
  await expect(verify(t.k2!)).rejects.toThrow(/no key in the key set matches its kid/);
  await expect(verify(t.k1!)).resolves.toMatchObject({ subject: 'dev@acme' });
});

it('verifies a key added to the file at once (the unknown kid forces a re-read)', async () => {
  writeKeys(k1);
  const { verify } = verifierOverFile();
  await expect(verify(t.k1!)).resolves.toBeDefined();
  writeKeys(k1, k9);
  await expect(verify(t.k9!)).resolves.toMatchObject({ organization: 'acme' });
});

it('keeps the last good keys when a re-read fails, says nothing of it to callers, and re-reads at most once a second', async () => {
  writeKeys(k1);
  const { verify, warnings } = verifierOverFile();
  writeFileSync(file, '{"keys": [ {"kty": "OKP", "crv": "Ed2'); // half written
  later(6_000);

  for (let i = 0; i < 20; i++) {
    const error = await verify(t.k9!).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(UnauthenticatedError);
    expect((error as Error).message).toBe('bearer token rejected: no key in the key set matches its kid');
  }
  await expect(verify(t.k1!)).resolves.toMatchObject({ subject: 'dev@acme' });
  // One failed re-read in that second, logged with its detail.
  expect(warnings).toHaveLength(1);
  expect(warnings[0]!.details).toMatchObject({ path: file, err: expect.any(SyntaxError) });

  later(1_100);
  await expect(verify(t.k9!)).rejects.toThrow(UnauthenticatedError);
  expect(warnings).toHaveLength(2);

  // Once the file is whole again, its keys apply.
  writeKeys(k1, k9);
  later(1_100);
  await expect(verify(t.k9!)).resolves.toMatchObject({ subject: 'dev@acme' });
  expect(warnings).toHaveLength(2);
});

it('keeps the last good keys when the file disappears', async () => {
  writeKeys(k1);
  const { verify, warnings } = verifierOverFile();
  rmSync(file);
  later(1_100);
  await expect(verify(t.k1!)).resolves.toBeDefined();
  expect(warnings).toHaveLength(1);
});

it('refuses to start on a missing or malformed file', () => {
  expect(() => fileKeySet(path.join(dir, 'absent.json'))).toThrow(/ENOENT/);
  writeFileSync(file, 'not json');
  expect(() => fileKeySet(file)).toThrow(SyntaxError);
});
