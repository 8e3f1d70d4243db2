/**
 * Key rotation: after the signing key is rotated (the old one retired, kept as a public half only),
 * checkpoints the old key signed while active still verify, at the service and with the keys
 * GetVerificationKeys publishes; new credentials and checkpoints carry the new kid; live credentials
 * of the old key verify until they expire; nothing signed by the old key after its retirement does.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CompactSign, decodeProtectedHeader, importJWK } from 'jose';
import { checkCredential, KeySet, verificationKeyFromWire, verificationKeyToWire, verifyCheckpoint, type CredentialClaims } from '@rampart/access-verifier';
import { ConfigError } from '@rampart/config';
import { tempDir } from '@rampart/testing';
import { loadEarlyAccessConfig, type SigningJwk } from '../src/config';
import { canonicalJson } from '../src/domain/canonical';
import { CHECKPOINT_TYPE, Signer, type CheckpointStatement } from '../src/signing';

const ISSUER = 'rampart-early-access';
const HOUR = 3_600_000;

function privateJwk(kid: string): SigningJwk {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid, x: jwk.x!, d: jwk.d! };
}

function keysFile(keys: object[]): string {
  const file = path.join(tempDir('access-signing'), 'keys.json');
  writeFileSync(file, JSON.stringify({ keys }));
  return file;
}

function credential(issuedAt: Date, ttlMs = HOUR): CredentialClaims {
  return {
    credentialId: randomUUID(), organization: 'acme', programId: 'p1', grantId: 'g1', principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government',
    scopes: ['inference'], issuedAt, notBefore: issuedAt, expiresAt: new Date(issuedAt.getTime() + ttlMs),
  };
}

const verifyAt = (signer: Signer, token: string, now: Date) => checkCredential(token, { issuer: ISSUER, organization: 'acme', keys: signer.keys, clockToleranceSeconds: 0, now });

it('rotates without invalidating live credentials or old checkpoints', async () => {
  const old = privateJwk('2026-11');
  const next = privateJwk('2026-12');
  const now = Date.now();
  const before = await Signer.load([old], undefined, ISSUER);
  const oldCheckpoint: CheckpointStatement = { programId: 'p1', sequence: 16, hash: 'a'.repeat(64), signedAt: new Date(now - 2 * HOUR).toISOString() };
  const checkpointJws = await before.signCheckpoint(oldCheckpoint);
  const liveCredential = await before.signCredential(credential(new Date(now - 10 * 60_000)));

  // Rotation: the new key signs; the old one is retired now and kept as its public half only.
  const retiredAt = new Date(now);
  const config = loadEarlyAccessConfig({
    CREDENTIAL_KEYS_FILE: keysFile([next, { kty: old.kty, crv: old.crv, kid: old.kid, x: old.x, retiredAt: retiredAt.toISOString() }]),
    CREDENTIAL_SIGNING_KID: next.kid,
  });
  const after = await Signer.load(config.CREDENTIAL_KEYS_FILE, config.CREDENTIAL_SIGNING_KID, ISSUER);

  expect(await after.verifyCheckpoint(checkpointJws)).toEqual(oldCheckpoint);
  const newCheckpoint = await after.signCheckpoint({ ...oldCheckpoint, sequence: 32, signedAt: new Date(now + 1_000).toISOString() });
  expect(decodeProtectedHeader(newCheckpoint).kid).toBe(next.kid);
  expect(await after.verifyCheckpoint(newCheckpoint)).toMatchObject({ sequence: 32 });

  const fresh = await after.signCredential(credential(new Date(now)));
  expect(decodeProtectedHeader(fresh).kid).toBe(next.kid);
  expect(verifyAt(after, fresh, new Date(now + 1_000)).valid).toBe(true);
  // The old key's live credential verifies until it expires (50 minutes from now), then not.
  expect(verifyAt(after, liveCredential, new Date(now + 1_000)).valid).toBe(true);
  expect(verifyAt(after, liveCredential, new Date(now + 49 * 60_000)).valid).toBe(true);
  expect(verifyAt(after, liveCredential, new Date(now + 51 * 60_000))).toMatchObject({ valid: false, code: 'expired' });

  // Anything the old key "signed" after its retirement (a leaked old key) is refused.
  const leaked = await Signer.load([old], undefined, ISSUER);
  const lateCredential = await leaked.signCredential(credential(new Date(now + 60_000)));
  expect(verifyAt(after, lateCredential, new Date(now + 61_000))).toMatchObject({ valid: false, code: 'retired-key' });
  const lateCheckpoint = await leaked.signCheckpoint({ ...oldCheckpoint, signedAt: new Date(now + 60_000).toISOString() });
  expect(await after.verifyCheckpoint(lateCheckpoint)).toBeUndefined();

  // What GetVerificationKeys publishes (the public halves with their intervals) verifies the same, with no private half.
  const wire = after.publishedKeys.map(verificationKeyToWire);
  expect(wire.map((k) => ({ kid: k.kid, retireTime: k.retireTime }))).toEqual([{ kid: next.kid, retireTime: undefined }, { kid: old.kid, retireTime: retiredAt }]);
  expect(wire.every((k) => !('d' in (JSON.parse(k.jwkJson) as object)))).toBe(true);
  const published = KeySet.from(wire.map(verificationKeyFromWire));
  expect(verifyCheckpoint(checkpointJws, published)).toEqual(oldCheckpoint);
  expect(verifyCheckpoint(lateCheckpoint, published)).toBeUndefined();
});

it('refuses a checkpoint with a forged signature, another type or an unknown key', async () => {
  const key = privateJwk('k');
  const signer = await Signer.load([key], undefined, ISSUER);
  const statement: CheckpointStatement = { programId: 'p1', sequence: 1, hash: 'b'.repeat(64), signedAt: new Date().toISOString() };
  const other = await Signer.load([{ ...privateJwk('k') }], undefined, ISSUER);
  expect(await signer.verifyCheckpoint(await other.signCheckpoint(statement))).toBeUndefined();
  const privateKey = await importJWK(key as never, 'EdDSA');
  const mistyped = await new CompactSign(Buffer.from(canonicalJson(statement))).setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ: 'JWT' }).sign(privateKey);
  expect(await signer.verifyCheckpoint(mistyped)).toBeUndefined();
  const unknown = await new CompactSign(Buffer.from(canonicalJson(statement))).setProtectedHeader({ alg: 'EdDSA', kid: 'z', typ: CHECKPOINT_TYPE }).sign(privateKey);
  expect(await signer.verifyCheckpoint(unknown)).toBeUndefined();
  for (const junk of ['', 'a.b.c', 'x'.repeat(20_000)]) expect(await signer.verifyCheckpoint(junk)).toBeUndefined();
});

/** What loading the configuration refuses, problem by problem; none when it loads. */
function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadEarlyAccessConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
}

it('refuses a key set whose signing key is retired or public only, or whose times are not times', () => {
  const a = privateJwk('a');
  const { d: _d, ...publicA } = a;
  expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([{ ...a, retiredAt: new Date().toISOString() }]) })).toEqual([
    expect.stringMatching(/signing key must be a private key that is not retired/), expect.stringMatching(/key a is retired but still carries its private half/),
  ]);
  expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([publicA]) })).toEqual([expect.stringMatching(/key 0 must be an Ed25519 private JWK/)]);
  expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([privateJwk('b'), { ...publicA, retiredAt: 'last tuesday' }]) })).toEqual([expect.stringMatching(/key a: activeFrom and retiredAt must be ISO 8601 times/)]);
  expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([privateJwk('b'), { ...publicA, retiredAt: new Date().toISOString() }]), CREDENTIAL_SIGNING_KID: 'a' })).toEqual([expect.stringMatching(/^CREDENTIAL_SIGNING_KID: the signing key must be a private key/)]);
});

describe('keys that would sign what nobody accepts, or could sign the past', () => {

  it('refuses a signing key active only from later than now plus the clock tolerance', async () => {
    const soon = { ...privateJwk('soon'), activeFrom: new Date(Date.now() + 20_000).toISOString() };
    const later = { ...privateJwk('later'), activeFrom: new Date(Date.now() + 3_600_000).toISOString() };
    // Within AUTH_CLOCK_TOLERANCE_S (30 s by default): verifiers allow that much skew.
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([soon]) })).toEqual([]);
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([later]) })).toEqual([expect.stringMatching(/^CREDENTIAL_KEYS_FILE: signing key later is active only from/)]);
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([soon]), AUTH_CLOCK_TOLERANCE_S: '5' })).toEqual([expect.stringMatching(/signing key soon is active only from/)]);
    // A future key that does not sign yet is fine: verifiers learn it before it signs.
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([privateJwk('now'), later]), CREDENTIAL_SIGNING_KID: 'now' })).toEqual([]);
    await expect(Signer.load([later], undefined, ISSUER, 30)).rejects.toThrow(/active only from/);
    await expect(Signer.load([soon], undefined, ISSUER, 5)).rejects.toThrow(/active only from/);
    expect((await Signer.load([soon], undefined, ISSUER, 30)).signingKid).toBe('soon');
  });

  it('refuses a retired key that still carries its private half', async () => {
    const retired = { ...privateJwk('old'), retiredAt: new Date().toISOString() };
    const current = privateJwk('new');
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([current, retired]), CREDENTIAL_SIGNING_KID: 'new' })).toEqual([expect.stringMatching(/^CREDENTIAL_KEYS_FILE: key old is retired but still carries its private half/)]);
    await expect(Signer.load([current, retired], 'new', ISSUER)).rejects.toThrow(/key old is retired but still carries its private half/);
    const { d: _d, ...publicHalf } = retired;
    expect(problems({ CREDENTIAL_KEYS_FILE: keysFile([current, publicHalf]), CREDENTIAL_SIGNING_KID: 'new' })).toEqual([]);
  });
});
