/**
 * keysFromService against a real gRPC server on loopback: it needs an explicit channel (no silent
 * plaintext, where anyone on the path could inject keys), sends the gateway's token, and its client
 * is closed by close() or by stopping the refreshing keys built on it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { credentials, Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import { accessV1 } from '@rampart/proto';
import { keysFromService, refreshingKeys, verificationKeyToWire } from '../src';

let server: Server;
let address: string;
const tokens: string[] = [];
const jwk = { ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA' };

beforeAll(async () => {
  server = new Server();
  server.addService(accessV1.EarlyAccessServiceService, {
    getVerificationKeys: (call: ServerUnaryCall<accessV1.GetVerificationKeysRequest, accessV1.GetVerificationKeysResponse>, done: sendUnaryData<accessV1.GetVerificationKeysResponse>) => {
      tokens.push(String(call.metadata.get('authorization')[0]));
      done(null, { issuer: 'rampart-early-access', keys: [verificationKeyToWire({ jwk })] });
    },
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  address = `127.0.0.1:${port}`;
});
afterAll(() => server?.forceShutdown());

it('refuses to choose a channel itself: plaintext only when asked for', () => {
  const call = (options: unknown) => () => keysFromService(address, () => 'token', options as never);
  expect(call(undefined)).toThrow(/channel/);
  expect(call({})).toThrow(/channel/);
  expect(call({ insecure: false })).toThrow(/channel/);
  expect(call({ insecure: 'yes' })).toThrow(/channel/);
  expect(call({ insecure: true, channel: credentials.createSsl() })).toThrow(/channel/);
});

it('fetches the keys with the gateway token over an explicit plaintext opt-in, and stopping the keys closes its client', async () => {
  const service = keysFromService(address, () => 'gateway-token', { insecure: true });
  const keys = await refreshingKeys(service);
  expect(keys.get('k1')).toMatchObject({ kid: 'k1', alg: 'EdDSA' });
  expect(keys.issuer()).toBe('rampart-early-access');
  expect(tokens.at(-1)).toBe('Bearer gateway-token');
  keys.stop();
  await expect(service.fetch()).rejects.toThrow(/shut ?down/i);
});

it('uses the channel it is given, and close() closes its client', async () => {
  const service = keysFromService(address, () => 'other-token', { channel: credentials.createInsecure(), timeoutMs: 2_000 });
  expect((await service.fetch()).keys).toHaveLength(1);
  service.close();
  await expect(service.fetch()).rejects.toThrow(/shut ?down/i);
});
