/** The credential format and the revocation list the offline verifier relies on: forged, foreign, expired and revoked credentials fail. */
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey, type JWK } from 'jose';
import { CREDENTIAL_TYPE, credentialPayload, CredentialRejectedError, REVOCATION_MEMORY_MS, RevocationList, verifyCredentialToken, type CredentialClaims } from '../src';

const NOW = new Date('2030-01-01T00:00:00Z');
const claims: CredentialClaims = {
  credentialId: 'c1', organization: 'acme', programId: 'p1', grantId: 'g1', principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government',
  scopes: ['inference', 'weights'], issuedAt: NOW, notBefore: NOW, expiresAt: new Date(NOW.getTime() + 3_600_000),
};
let key: CryptoKey;
let other: CryptoKey;
let jwk: JWK;

beforeAll(async () => {
  ({ privateKey: key } = await generateKeyPair('EdDSA', { extractable: true }));
  const pair = await generateKeyPair('EdDSA', { extractable: true });
  other = pair.privateKey;
  jwk = { ...(await exportJWK(key)), kid: 'k1', alg: 'EdDSA' };
  delete jwk.d;
});

const sign = (c: Partial<CredentialClaims> = {}, header: Record<string, string> = {}, signer = () => key) =>
  new SignJWT(credentialPayload({ ...claims, ...c }, 'rampart-early-access')).setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: CREDENTIAL_TYPE, ...header }).sign(signer());
const verify = (token: string, organization = 'acme', now = new Date(NOW.getTime() + 60_000)) =>
  verifyCredentialToken(token, { issuer: 'rampart-early-access', organization, keys: createLocalJWKSet({ keys: [jwk] }), clockToleranceSeconds: 0, now });
const reason = (p: Promise<unknown>) => p.then(() => 'accepted', (e: unknown) => (e instanceof CredentialRejectedError ? e.reason : `threw ${String(e)}`));

it('accepts a credential signed by the service for this gateway, with its claims', async () => {
  expect(await verify(await sign())).toEqual(claims);
});

it('refuses forged, foreign, mistyped, unsigned and expired credentials, saying why', async () => {
  expect(await reason(verify(await sign({}, {}, () => other)))).toBe('signature does not verify');
  expect(await reason(verify(await sign(), 'globex'))).toBe("issued for another organisation's gateway");
  expect(await reason(verify(await sign({}, { typ: 'JWT' })))).toMatch(/typ/);
  expect(await reason(verify(await sign({}, { kid: 'unknown' })))).toBe('signed with an unknown key');
  expect(await reason(verify(new UnsecuredJWT(credentialPayload(claims, 'rampart-early-access')).encode()))).toBe('algorithm not accepted');
  expect(await reason(verify(await sign(), 'acme', new Date(NOW.getTime() + 3_600_000)))).toBe('expired');
  expect(await reason(verify('x'.repeat(10_000)))).toBe('not a credential');
  expect(await reason(verify('not.a.jwt'))).toBe('malformed');
});

it('remembers revocations of a credential, a grant or a program for a day and a margin', () => {
  const list = new RevocationList();
  const at = NOW.toISOString();
  expect(list.add({ scope: 'credential', credentialId: 'c9', revokedAt: at })).toBe(true);
  expect(list.add({ scope: 'grant', grantId: 'g1', revokedAt: at })).toBe(true);
  expect(list.add({ scope: 'grant', revokedAt: at })).toBe(false);
  expect(list.add(null)).toBe(false);
  expect(list.revoked(claims)).toBe('grant');
  expect(list.revoked({ ...claims, grantId: 'g2' })).toBeUndefined();
  expect(list.revoked({ ...claims, grantId: 'g2', credentialId: 'c9' })).toBe('credential');
  list.add({ scope: 'program', programId: 'p2', revokedAt: at });
  expect(list.revoked({ ...claims, grantId: 'g2', programId: 'p2' })).toBe('program');
  list.prune(NOW.getTime() + REVOCATION_MEMORY_MS);
  expect(list.size).toBe(3);
  list.prune(NOW.getTime() + REVOCATION_MEMORY_MS + 1);
  expect(list.size).toBe(0);
});
