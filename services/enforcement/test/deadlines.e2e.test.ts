/**
 * Step deadlines end to end: a referral left waiting at a step past its deadline raises one
 * `referral.overdue` alert (a durable timer, fired once however many replicas run) and reads
 * overdue; one moved on before its deadline raises none. Deadlines are seconds here (configuration).
 */
import { enforcementV1 as v1 } from '@rampart/proto';
import { readStream, waitFor } from '@rampart/testing';
import { call, details, EnforcementHarness } from './fixtures';

const h = new EnforcementHarness();

beforeAll(() => h.start(2, { DEADLINE_RECEIVED_MS: '2000', DEADLINE_UNDER_REVIEW_MS: '3600000' }), 90_000);
afterAll(() => h.stop());

const eventsOf = async (id: string) => (await readStream(h.jsm, 'ENFORCEMENT_EVENTS')).filter((m) => m.event.subject === id);

it('a referral waiting past its step deadline raises one overdue alert; one moved on in time raises none', async () => {
  const referrer = await h.token('referrer', 'prairie-bank', 'UNCLASSIFIED');
  const analyst = await h.token('enforcement-analyst', 'doj');
  const file = async (key: string) => (await call<v1.FileReferralResponse>(h.client, 'fileReferral', { details: details(), idempotencyKey: key }, referrer)).referral!;
  // Filed first, so its deadline comes first: moved on at once, it must never be alerted.
  const moved = await file('deadline-moved');
  await call(h.client, 'startReview', { referralId: moved.referralId, expectedRevision: 1 }, analyst);
  const waiting = await file('deadline-waiting');

  await waitFor('the overdue alert', async () => (await eventsOf(waiting.referralId)).some((m) => m.subject === 'rampart.enforcement.referral.overdue'), 30_000);
  const alerts = (await eventsOf(waiting.referralId)).filter((m) => m.subject === 'rampart.enforcement.referral.overdue');
  expect(alerts).toHaveLength(1);
  expect(alerts[0]!.event.data).toMatchObject({ referralId: waiting.referralId, status: 'received', revision: 2 });
  const read = (await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: waiting.referralId }, analyst)).referral!;
  expect(read).toMatchObject({ overdue: true, status: v1.ReferralStatus.REFERRAL_STATUS_RECEIVED });

  // The moved referral's timer was due before the waiting one's: it raised nothing (its step was left in time).
  expect((await eventsOf(moved.referralId)).map((m) => m.subject)).toEqual(['rampart.enforcement.referral.received', 'rampart.enforcement.referral.review-started']);
  expect((await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: moved.referralId }, analyst)).referral!.overdue).toBe(false);
}, 60_000);
