/**
 * Intake keeps accepting submissions while NATS is down, and its relay publishes every pending
 * event exactly once when NATS is back, by itself (the publish failed on the request path, so the
 * relay's catch-up does it).
 */
import { waitFor } from '@rampart/testing';
import { details, IntakeHarness } from './fixtures';

const h = new IntakeHarness();
let token: string;

beforeAll(async () => {
  await h.start();
  token = await h.auth.developer('acme');
}, 90_000);
afterAll(() => h.stop());

async function publishedOnce(ids: string[]): Promise<boolean> {
  const { once, report } = await h.receivedOnce(ids);
  lastReport = report;
  return once;
}
let lastReport = '';
const drained = async () => (await h.submissions.countDocuments({ 'outbox.0': { $exists: true } })) === 0;
afterEach(() => console.log(lastReport));

it('accepts submits with nats-server stopped and publishes each pending event exactly once after it restarts', async () => {
  await h.nats.stop();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await h.submit(token, details({ modelVersion: `down-${i}` }))).submission!.id);
  expect(await h.submissions.countDocuments({ _id: { $in: ids as never[] }, 'outbox.0': { $exists: true } })).toBe(10);

  await h.nats.restart();
  await waitFor('the relay to drain', () => drained(), 30_000, 200);
  await waitFor('every event in the stream', () => publishedOnce(ids), 15_000, 200);
  expect(await publishedOnce(ids)).toBe(true);
});

it('reconnects by itself after nats-server is killed mid-load, and the relay drains with no loss or duplicate', async () => {
  const ids: string[] = [];
  let failures = 0;
  const load = (async () => {
    for (let i = 0; i < 150; i++) {
      const batch = await Promise.allSettled(Array.from({ length: 4 }, (_, j) => h.submit(token, details({ modelVersion: `load-${i}-${j}` }))));
      for (const r of batch) {
        if (r.status === 'fulfilled') ids.push(r.value.submission!.id);
        else failures++;
      }
    }
  })();
  await waitFor('load to start', () => Promise.resolve(ids.length > 40), 20_000, 20);
  await h.nats.kill();
  // Down until submissions have gone on being accepted without it.
  const atKill = ids.length;
  await waitFor('submits accepted while NATS is down', () => Promise.resolve(ids.length >= atKill + 40), 20_000, 20);
  await h.nats.restart();
  await load;

  expect(failures).toBe(0);
  expect(ids).toHaveLength(600);
  await waitFor('the relay to drain', () => drained(), 60_000, 250);
  await waitFor('every event exactly once', () => publishedOnce(ids), 30_000, 250);
  expect(await publishedOnce(ids)).toBe(true);
}, 120_000);
