/** The rampart CLI as a user runs it: mint a token from the local key, then submit, read and withdraw. */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TEST_AUDIENCE, TEST_ISSUER, tempDir } from '@rampart/testing';
import { IntakeHarness } from '../../services/intake/test/fixtures';

const run = promisify(execFile);
const h = new IntakeHarness();
let keyDir: string;

async function rampart(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'cli/dist/main.js'), '--intake-addr', h.service.address, '--nats', h.nats.url, ...args], {
    env: { ...process.env, RAMPART_KEY_DIR: keyDir, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE },
  });
  return stdout;
}

beforeAll(async () => {
  await h.start();
  keyDir = tempDir('cli-keys');
  mkdirSync(keyDir, { recursive: true });
  writeFileSync(path.join(keyDir, 'private.jwk.json'), JSON.stringify(h.auth.key.privateJwk));
}, 90_000);
afterAll(() => h.stop());

it('mints a token, submits from a details file, reads it back and withdraws it', async () => {
  const token = (await rampart('token', '--role', 'developer', '--org', 'acme', '--sub', 'ada@acme')).trim();
  const file = path.join(keyDir, 'details.json');
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();
  writeFileSync(file, JSON.stringify({
    modelName: 'Atlas', modelVersion: '3.0', description: 'CLI submission', modalities: ['MODALITY_TEXT'],
    intendedPartnerReleaseTime: inDays(5), intendedPublicReleaseTime: inDays(30),
    pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
  }));
  const submitted = JSON.parse(await rampart('--token', token, 'intake', 'submit', '--file', file, '--key', 'cli-1'));
  expect(submitted).toMatchObject({ organization: 'acme', revision: 1, status: 'SUBMISSION_STATUS_RECEIVED', submittedBy: 'ada@acme' });
  const read = JSON.parse(await rampart('--token', token, 'intake', 'get', submitted.id));
  expect(read.details.modelVersion).toBe('3.0');
  const withdrawn = JSON.parse(await rampart('--token', token, 'intake', 'withdraw', submitted.id, '--reason', 'testing the CLI'));
  expect(withdrawn).toMatchObject({ status: 'SUBMISSION_STATUS_WITHDRAWN', revision: 2 });
  await expect(rampart('--token', token, 'intake', 'get', 'nope')).rejects.toThrow(/INVALID_ARGUMENT[\s\S]*submission_id/);
});
