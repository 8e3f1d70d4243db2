/**
 * The credential format and the revocation list the offline verifier relies on. Attacks: forged and
 * tampered signatures, algorithm confusion (none, HS256 keyed with the public key), expired,
 * not-yet-valid and over-long credentials, another organisation's, unknown kids, retired keys, huge
 * and malformed tokens; none throws out of the verifier and none is accepted.
 */
import { createHmac, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { SignJWT, UnsecuredJWT, type JWK } from 'jose';
import {
  checkCredential, CREDENTIAL_TYPE, credentialPayload, CredentialRejectedError, KeySet, REVOCATION_MEMORY_MS, RevocationList, verifyCredentialToken,
  type CredentialCheck, type CredentialClaims, type PublishedKey,
} from '../src';

const NOW = new Date('2030-01-01T00:00:00Z');
const ISSUER = 'rampart-early-access';
const claims: CredentialClaims = {
  credentialId: 'c1', organization: 'acme', programId: 'p1', grantId: 'g1', principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government',
  scopes: ['inference', 'weights'], issuedAt: NOW, notBefore: NOW, expiresAt: new Date(NOW.getTime() + 3_600_000),
};

function pair(): { privateKey: KeyObject; jwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, jwk: publicKey.export({ format: 'jwk' }) };
}
const k1 = pair();
const other = pair();
const published: PublishedKey = { jwk: { ...k1.jwk, kid: 'k1', alg: 'EdDSA' } };
const keys = KeySet.from([published]);

const sign = (c: Partial<CredentialClaims> = {}, header: Record<string, unknown> = {}, key = k1.privateKey, payload: Record<string, unknown> = {}) =>
  new SignJWT({ ...credentialPayload({ ...claims, ...c }, ISSUER), ...payload }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: CREDENTIAL_TYPE, ...header }).sign(key);
const at = new Date(NOW.getTime() + 60_000);
const check = (token: unknown, organization = 'acme', now = at, set = keys): CredentialCheck =>
  checkCredential(token, { issuer: ISSUER, organization, keys: set, clockToleranceSeconds: 0, now });
const code = (token: unknown, organization?: string, now?: Date, set?: KeySet) => {
  const r = check(token, organization, now, set);
  return r.valid ? 'accepted' : r.code;
};
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

it('accepts a credential signed by the service for this gateway, with its claims', async () => {
  expect(check(await sign())).toEqual({ valid: true, claims });
  expect(await verifyCredentialToken(await sign(), { issuer: ISSUER, organization: 'acme', keys, clockToleranceSeconds: 0, now: at })).toEqual(claims);
});

it('refuses forged and tampered signatures', async () => {
  expect(check(await sign({}, {}, other.privateKey))).toMatchObject({ valid: false, code: 'signature', reason: 'signature does not verify' });
  const [h, p, s] = (await sign()).split('.') as [string, string, string];
  const richer = b64({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), scope: 'inference weights admin' });
  expect(code(`${h}.${richer}.${s}`)).toBe('signature');
  expect(code(`${h}.${p}.${s.slice(0, -2)}${s.at(-2) === 'A' ? 'B' : 'A'}${s.at(-1)}`)).toBe('signature');
  expect(code(`${h}.${p}.${s.slice(0, 43)}`)).toBe('signature');
  expect(code(`${h}.${p}.`)).toBe('signature');
});

it('refuses algorithm confusion: none, HS256 keyed with the public key, another asymmetric alg', async () => {
  expect(check(new UnsecuredJWT(credentialPayload(claims, ISSUER)).encode())).toMatchObject({ valid: false, code: 'malformed' }); // no kid
  const none = `${b64({ alg: 'none', kid: 'k1', typ: CREDENTIAL_TYPE })}.${b64(credentialPayload(claims, ISSUER))}.`;
  expect(code(none)).toBe('algorithm');
  for (const secret of [Buffer.from(k1.jwk.x!, 'base64url'), Buffer.from(k1.jwk.x!), Buffer.from(JSON.stringify(published.jwk))]) {
    const input = `${b64({ alg: 'HS256', kid: 'k1', typ: CREDENTIAL_TYPE })}.${b64(credentialPayload(claims, ISSUER))}`;
    expect(code(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`)).toBe('algorithm');
  }
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  expect(code(await new SignJWT(credentialPayload(claims, ISSUER)).setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: CREDENTIAL_TYPE }).sign(rsa))).toBe('algorithm');
  expect(code(await sign({}, { alg: 'Ed25519' }))).toBe('algorithm');
});

it('refuses a wrong type, issuer, audience or organisation, and unknown or missing kids', async () => {
  expect(check(await sign({}, { typ: 'JWT' }))).toMatchObject({ valid: false, code: 'type', reason: expect.stringMatching(/typ/) });
  expect(code(await sign({}, { typ: undefined }))).toBe('type');
  expect(code(await sign({}, { kid: 'unknown' }))).toBe('unknown-key');
  const critical = `${b64({ alg: 'EdDSA', kid: 'k1', typ: CREDENTIAL_TYPE, crit: ['exp'], exp: 1 })}.${b64(credentialPayload(claims, ISSUER))}`;
  expect(code(`${critical}.${cryptoSign(null, Buffer.from(critical), k1.privateKey).toString('base64url')}`)).toBe('malformed');
  expect(check(await sign(), 'globex')).toMatchObject({ valid: false, code: 'audience', reason: "issued for another organisation's gateway" });
  expect(code(await sign({}, {}, k1.privateKey, { org: 'globex' }))).toBe('audience');
  expect(code(await sign({}, {}, k1.privateKey, { aud: ['rampart-gateway:globex', 'rampart-gateway:acme'] }))).toBe('accepted');
  expect(code(await sign({}, {}, k1.privateKey, { iss: 'someone-else' }))).toBe('issuer');
  expect(code(await sign({}, {}, k1.privateKey, { jti: '' }))).toBe('claims');
  expect(code(await sign({}, {}, k1.privateKey, { principal_kind: 'admin' }))).toBe('claims');
  expect(code(await sign({}, {}, k1.privateKey, { exp: '2099-01-01' }))).toBe('claims');
  expect(code(await sign({}, {}, k1.privateKey, { scope: ['all'] }))).toBe('claims');
});

it('refuses expired, not-yet-valid and over-long credentials, with clock tolerance', async () => {
  const token = await sign();
  expect(check(token, 'acme', new Date(NOW.getTime() + 3_600_000))).toMatchObject({ valid: false, code: 'expired', reason: 'expired' });
  expect(checkCredential(token, { issuer: ISSUER, organization: 'acme', keys, clockToleranceSeconds: 5, now: new Date(NOW.getTime() + 3_604_000) }).valid).toBe(true);
  const later = await sign({ notBefore: new Date(NOW.getTime() + 120_000) });
  expect(check(later)).toMatchObject({ valid: false, code: 'not-yet-valid', reason: 'not valid yet' });
  expect(code(await sign({ issuedAt: new Date(NOW.getTime() + 120_000) }))).toBe('not-yet-valid');
  expect(code(await sign({ expiresAt: new Date(NOW.getTime() + 25 * 3_600_000) }))).toBe('lifetime');
});

it('accepts a retired key only for credentials it signed while active, which then live until they expire', async () => {
  const retiredAt = new Date(NOW.getTime() + 30_000);
  const set = KeySet.from([{ ...published, retiredAt }]);
  const before = await sign();
  expect(code(before, 'acme', at, set)).toBe('accepted');
  expect(code(before, 'acme', new Date(NOW.getTime() + 3_599_000), set)).toBe('accepted');
  expect(code(before, 'acme', new Date(NOW.getTime() + 3_600_000), set)).toBe('expired');
  expect(code(await sign({ issuedAt: new Date(retiredAt.getTime() + 1_000), notBefore: retiredAt }), 'acme', new Date(retiredAt.getTime() + 2_000), set)).toBe('retired-key');
  const young = KeySet.from([{ ...published, activeFrom: new Date(NOW.getTime() + 10_000) }]);
  expect(code(before, 'acme', at, young)).toBe('retired-key');
});

it('leaves out keys that are not Ed25519 public keys with a kid, and both of a duplicated kid', () => {
  const rejected: string[] = [];
  const set = KeySet.from([
    { jwk: { kty: 'oct', k: 'c2VjcmV0', kid: 'hmac' } },
    { jwk: { ...k1.jwk, kid: 'rs', alg: 'RS256' } },
    { jwk: { ...k1.jwk } },
    { jwk: { ...k1.jwk, x: 'bad', kid: 'bad' } },
    { jwk: { ...k1.jwk, kid: 'twice' } },
    { jwk: { ...other.jwk, kid: 'twice' } },
    { jwk: { ...other.jwk, kid: 'twice' } },
    { jwk: { ...k1.jwk, kid: 'ok' } },
  ], (kid, why) => rejected.push(`${kid}: ${why}`));
  expect(set.kids).toEqual(['ok']);
  expect(rejected).toHaveLength(6);
});

it('refuses huge, malformed and non-string tokens without throwing', () => {
  expect(check('x'.repeat(10_000))).toMatchObject({ valid: false, code: 'malformed', reason: 'not a credential' });
  for (const t of ['', 'not.a.jwt', 'a.b', 'a.b.c.d', '..', '.e30.', `${b64('[]')}.e30.`, `${b64('null')}.e30.`, `${b64({ alg: 'EdDSA', kid: 7 })}.e30.`, `${b64({ alg: 'EdDSA', kid: 'k1', typ: CREDENTIAL_TYPE })}.e30.${'A'.repeat(86)}`, 'é.é.é']) {
    expect(check(t).valid).toBe(false);
  }
  for (const t of [undefined, null, 42, {}, ['a', 'b', 'c'], Symbol('x')]) expect(check(t)).toMatchObject({ valid: false, code: 'malformed' });
});

it('never throws nor accepts arbitrary strings, arbitrary three-part tokens or any one-character change of a valid token', async () => {
  const token = await sign();
  const segment = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_='.split('')), maxLength: 200 });
  fc.assert(fc.property(fc.string({ maxLength: 9_000 }), (t) => check(t).valid === false), { numRuns: 300 });
  fc.assert(fc.property(segment, segment, segment, (h, p, s) => check(`${h}.${p}.${s}`).valid === false), { numRuns: 300 });
  fc.assert(fc.property(fc.json(), fc.json(), (h, p) => check(`${b64(h)}.${b64(p)}.${token.split('.')[2]}`).valid === false), { numRuns: 300 });
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
  fc.assert(fc.property(fc.nat(token.length - 1), fc.constantFrom(...chars.split('')), (i, ch) => {
    const changed = token.slice(0, i) + ch + token.slice(i + 1);
    return changed === token || check(changed).valid === false;
  }), { numRuns: 2_000 });
});

it('keeps CredentialRejectedError for callers that prefer exceptions', async () => {
  const error = await verifyCredentialToken('nope', { issuer: ISSUER, organization: 'acme', keys }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CredentialRejectedError);
  expect(error).toMatchObject({ code: 'malformed', reason: 'malformed' });
});

it('remembers revocations of a credential, a grant or a program for a day and a margin', () => {
  const list = new RevocationList();
  const time = NOW.toISOString();
  expect(list.add({ scope: 'credential', credentialId: 'c9', revokedAt: time })).toBe(true);
  expect(list.add({ scope: 'grant', grantId: 'g1', revokedAt: time })).toBe(true);
  expect(list.add({ scope: 'grant', revokedAt: time })).toBe(false);
  expect(list.add(null)).toBe(false);
  expect(list.revoked(claims)).toBe('grant');
  expect(list.revoked({ ...claims, grantId: 'g2' })).toBeUndefined();
  expect(list.revoked({ ...claims, grantId: 'g2', credentialId: 'c9' })).toBe('credential');
  list.add({ scope: 'program', programId: 'p2', revokedAt: time });
  expect(list.revoked({ ...claims, grantId: 'g2', programId: 'p2' })).toBe('program');
  list.prune(NOW.getTime() + REVOCATION_MEMORY_MS);
  expect(list.size).toBe(3);
  list.prune(NOW.getTime() + REVOCATION_MEMORY_MS + 1);
  expect(list.size).toBe(0);
});
