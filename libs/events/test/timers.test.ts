/** Durable timers, the parts that need no server: what may become a subject, what a fire must look like. */
import { parseFiredTimer, PoisonMessageError, timerEventType, timerStream, timerSubjects, TimerScheduler, type CloudEvent } from '@rampart/events';
import type { JetStreamClient } from '@nats-io/jetstream';

// Never reached: every case below must be refused before anything is published.
const js = { publish: () => Promise.reject(new Error('must not publish')) } as unknown as JetStreamClient;
const scheduler = new TimerScheduler({ js, area: 'ledger' });
const soon = new Date(Date.now() + 60_000);

it.each(['', 'a.b', '*', '>', 'a b', 'tab\t', 'é', 'x'.repeat(129), 'a\r\nNats-Schedule: @every 1s'])('refuses the timer id %j (not one subject token)', async (id) => {
  await expect(scheduler.schedule({ kind: 'reminder', id }, soon)).rejects.toThrow(RangeError);
  await expect(scheduler.cancel({ kind: 'reminder', id })).rejects.toThrow(RangeError);
  await expect(scheduler.schedule({ kind: id, id: 'x' }, soon)).rejects.toThrow(RangeError);
});

it('keeps distinct ids on distinct subjects', () => {
  const s = timerSubjects('ledger');
  expect(s.scheduled({ kind: 'reminder', id: 'a_b' })).not.toBe(s.scheduled({ kind: 'reminder', id: 'a-b' }));
  expect(s.scheduled({ kind: 'reminder', id: 'A' })).not.toBe(s.scheduled({ kind: 'reminder', id: 'a' }));
});

it.each([
  ['an invalid date', new Date(NaN)],
  ['a year past 9999', new Date(Date.UTC(10_000, 0, 1))],
])('refuses %s as the time', async (_label, at) => {
  await expect(scheduler.schedule({ kind: 'reminder', id: 'x' }, at)).rejects.toThrow(RangeError);
});

it.each([
  ['nested', { nested: { a: 1 } }],
  ['non-finite', { n: Infinity }],
  ['larger than 1 KiB', { blob: 'x'.repeat(1100) }],
])('refuses a %s payload (ids only)', async (_label, payload) => {
  await expect(scheduler.schedule({ kind: 'reminder', id: 'x' }, soon, payload as never)).rejects.toThrow(RangeError);
});

it('names the stream and subjects per area, with no age limit on pending timers', () => {
  expect(timerStream('early-access')).toMatchObject({ name: 'EARLY_ACCESS_TIMERS', subjects: ['rampart.early-access.timer.>'], maxAgeMs: 0, allowMsgSchedules: true, allowMsgTtl: true });
  expect(timerSubjects('designation').fired('consultation-deadline')).toBe('rampart.designation.timer.fired.consultation-deadline');
});

function fire(data: unknown, type = timerEventType('ledger')): CloudEvent<unknown> {
  return { specversion: '1.0', id: 'e1', source: '/rampart/ledger', type, subject: 'x', time: new Date().toISOString(), datacontenttype: 'application/json', data };
}

it('reads a fire, and treats anything malformed as poison', () => {
  const at = new Date().toISOString();
  expect(parseFiredTimer(fire({ kind: 'reminder', id: 'x', at, payload: { caseId: 'c' } }), 'ledger')).toMatchObject({ kind: 'reminder', id: 'x', at: new Date(at), payload: { caseId: 'c' } });
  for (const bad of [
    fire({ kind: 'reminder', id: 'x', at, payload: {} }, 'rampart.ledger.entry.posted.v1'),
    fire({ kind: 'reminder', id: 'a.b', at, payload: {} }),
    fire({ kind: 'reminder', id: 'x', at: 'tomorrow', payload: {} }),
    fire({ kind: 'reminder', id: 'x', at }),
    fire(null),
  ]) {
    expect(() => parseFiredTimer(bad, 'ledger')).toThrow(PoisonMessageError);
  }
});
