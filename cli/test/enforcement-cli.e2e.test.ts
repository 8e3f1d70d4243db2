/** `rampart enforcement` as its users run it: a referrer files, an analyst routes it, evidence and its chain, STIX out. */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, TEST_AUDIENCE, TEST_ISSUER, tempDir } from '@rampart/testing';
import { EnforcementHarness } from '../../services/enforcement/test/fixtures';

const run = promisify(execFile);
const h = new EnforcementHarness();
let dir: string;

async function rampart(token: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'cli/dist/main.js'), '--enforcement-addr', h.services[0]!.address, '--token', token, ...args], {
    env: { ...process.env, RAMPART_KEY_DIR: dir, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE },
  });
  return stdout;
}

beforeAll(async () => {
  await h.start();
  dir = tempDir('enforcement-cli');
  mkdirSync(dir, { recursive: true });
}, 90_000);
afterAll(() => h.stop());

it('files and routes a referral, records evidence custody, verifies it and exports STIX', async () => {
  const referrer = await h.token('referrer', 'prairie-bank', 'UNCLASSIFIED');
  const analyst = await h.token('enforcement-analyst', 'doj');
  const file = path.join(dir, 'referral.json');
  writeFileSync(file, JSON.stringify({
    victim: { name: 'Prairie Community Bank', contact: 'ciso@prairie-bank.example', sector: 'financial-services', size: 'small' },
    lossUsdCents: '48500000', occurredFrom: '2026-11-02T09:15:00-06:00[America/Chicago]', timeZone: 'America/Chicago',
    indicators: [{ type: 'INDICATOR_TYPE_DOMAIN', value: 'prairie-bank-login.example' }],
    narrative: 'Voice-cloned calls to the wire desk.', suspectedStatutes: ['STATUTE_18_USC_1343'], aiEnabledIndicators: ['voice-clone'],
  }));
  const filed = JSON.parse(await rampart(referrer, 'enforcement', 'referral', 'file', '--file', file, '--key', 'cli-1')) as { referralId: string; status: string };
  expect(filed.status).toBe('REFERRAL_STATUS_RECEIVED');
  const id = filed.referralId;
  await rampart(analyst, 'enforcement', 'referral', 'review', id, '--revision', '1');
  const accepted = JSON.parse(await rampart(analyst, 'enforcement', 'referral', 'accept', id, '--revision', '2', '--to', 'FBI')) as { status: string; routedTo: string };
  expect(accepted).toMatchObject({ status: 'REFERRAL_STATUS_ACCEPTED', routedTo: 'FBI' });
  const mine = JSON.parse(await rampart(referrer, 'enforcement', 'referral', 'get', id)) as { routedTo: string; priority?: unknown };
  expect(mine.routedTo).toBe('FBI');
  expect(mine.priority).toBeUndefined();

  const added = JSON.parse(await rampart(analyst, 'enforcement', 'evidence', 'add', id, '--reference', 'locker://omaha/7', '--sha256', 'cd'.repeat(32), '--size', '2048',
    '--type', 'message/rfc822', '--handler', 'SA Jones', '--at', '2026-11-21T10:00:00-06:00[America/Chicago]', '--location', 'FBI Omaha', '--purpose', 'seized from the mail server')) as { evidence: { evidenceId: string } };
  const item = added.evidence.evidenceId;
  await rampart(analyst, 'enforcement', 'evidence', 'custody', item, '--kind', 'transferred', '--handler', 'SA Lee', '--at', '2026-11-21T15:00:00-05:00', '--location', 'FBI Quantico lab', '--purpose', 'examination');
  expect(JSON.parse(await rampart(analyst, 'enforcement', 'evidence', 'verify', item))).toMatchObject({ intact: true, entries: 2 });

  const out = path.join(dir, 'bundle.json');
  await rampart(analyst, 'enforcement', 'referral', 'stix', id, '--out', out);
  expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ type: 'bundle', objects: expect.arrayContaining([expect.objectContaining({ type: 'incident' })]) });
}, 60_000);
