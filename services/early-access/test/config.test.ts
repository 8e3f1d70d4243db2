/** Early access refuses to start, naming the variable, on a bad configuration. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSigningKey } from '@rampart/auth';
import { ConfigError } from '@rampart/config';
import { tempDir } from '@rampart/testing';
import { loadEarlyAccessConfig } from '../src/config';

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadEarlyAccessConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

async function keysFile(...kids: string[]): Promise<string> {
  const keys = await Promise.all(kids.map(async (kid) => (await generateSigningKey(kid, 'EdDSA')).privateJwk));
  const file = path.join(tempDir('access-config'), 'keys.json');
  writeFileSync(file, JSON.stringify({ keys }));
  return file;
}

it('loads a key set and its defaults', async () => {
  const config = loadEarlyAccessConfig({ CREDENTIAL_KEYS_FILE: await keysFile('a', 'b'), CREDENTIAL_SIGNING_KID: 'b' });
  expect(config).toMatchObject({ GRPC_PORT: 50053, CREDENTIAL_MAX_TTL_S: 86_400, SIGNAL_VOLUME_FACTOR: 10, CHECKPOINT_EVERY: 16 });
  expect(config.CREDENTIAL_KEYS_FILE.map((k) => k.kid)).toEqual(['a', 'b']);
});

it('names every bad variable', async () => {
  expect(problems({})).toEqual([expect.stringMatching(/^CREDENTIAL_KEYS_FILE: is required/)]);
  expect(problems({ CREDENTIAL_KEYS_FILE: '/no/such/file' })[0]).toMatch(/^CREDENTIAL_KEYS_FILE: cannot read a JSON key set/);
  const twice = await keysFile('a', 'a');
  expect(problems({ CREDENTIAL_KEYS_FILE: twice })[0]).toMatch(/kid a appears twice/);
  const file = await keysFile('a');
  expect(problems({ CREDENTIAL_KEYS_FILE: file, CREDENTIAL_SIGNING_KID: 'z', CREDENTIAL_MAX_TTL_S: '86401', SIGNAL_BASELINE_MIN_USES: '50', SIGNAL_BASELINE_USES: '10' }).map((p) => p.split(':')[0]))
    .toEqual(expect.arrayContaining(['CREDENTIAL_MAX_TTL_S']));
  expect(problems({ CREDENTIAL_KEYS_FILE: file, CREDENTIAL_SIGNING_KID: 'z', SIGNAL_BASELINE_MIN_USES: '50', SIGNAL_BASELINE_USES: '10' }).map((p) => p.split(':')[0]).sort())
    .toEqual(['CREDENTIAL_SIGNING_KID', 'SIGNAL_BASELINE_MIN_USES']);
  const hmac = path.join(tempDir('access-config'), 'hmac.json');
  writeFileSync(hmac, JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }));
  expect(problems({ CREDENTIAL_KEYS_FILE: hmac })[0]).toMatch(/must be an Ed25519 private JWK/);
});
