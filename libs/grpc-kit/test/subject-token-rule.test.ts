/**
 * One rule for what may be one token of a NATS subject: organisation and operator ids (libs/auth)
 * and timer kinds, ids and areas (libs/events) follow the same definition, so no id that one part
 * accepts is refused, or read differently, by the other.
 */
import fc from 'fast-check';
import { isSubjectToken } from '@rampart/auth';
import { isTimerToken } from '@rampart/events';

const ALPHABET = [...'aZ09_-.*> é\t'];

it('accepts exactly the same subject tokens for organisation ids and for timers', () => {
  const token = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 140 }).map((chars) => chars.join(''));
  const long = fc.integer({ min: 1, max: 140 }).map((n) => 'x'.repeat(n));
  fc.assert(fc.property(fc.oneof(token, long), (value) => {
    expect(isTimerToken(value)).toBe(isSubjectToken(value));
  }), { numRuns: 2_000 });
});

it.each(['x'.repeat(64), 'x'.repeat(65), 'x'.repeat(128), 'a.b', ''])('agrees on %j', (value) => {
  expect(isTimerToken(value)).toBe(isSubjectToken(value));
});
