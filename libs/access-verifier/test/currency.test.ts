/**
 * How the revocation follower decides it is current, as pure logic: staleness on a monotonic clock
 * (a wall clock stepped back must not make a stale verifier look current, nor stop confirmations),
 * the caught-up rule after the library recreated its ordered consumer, and where a restart replays from.
 */
import type { ConsumerInfo } from '@nats-io/jetstream';
import { isCaughtUp, REVOCATION_MEMORY_MS, RevocationCurrency, replayFrom, type VerifierClock } from '../src';

/** A clock the test moves: the wall clock may step either way, the monotonic one only forward. */
function testClock(): VerifierClock & { advance(ms: number): void; stepWall(ms: number): void } {
  let wall = Date.parse('2030-01-01T00:00:00Z');
  let monotonic = 1_000;
  return {
    wallMs: () => wall,
    monotonicMs: () => monotonic,
    advance: (ms) => {
      wall += ms;
      monotonic += ms;
    },
    stepWall: (ms) => (wall += ms),
  };
}

describe('RevocationCurrency', () => {
  it('is stale for ever before its first confirmation', () => {
    const currency = new RevocationCurrency(testClock());
    expect(currency.staleMs()).toBe(Infinity);
    expect(currency.confirmedAt()).toBeUndefined();
  });

  it('ages on the monotonic clock when the wall clock steps back', () => {
    const clock = testClock();
    const currency = new RevocationCurrency(clock);
    currency.confirm(currency.mark());
    clock.advance(500);
    clock.stepWall(-3_600_000);
    expect(currency.staleMs()).toBe(500);
    clock.advance(2_000);
    expect(currency.staleMs()).toBe(2_500);
  });

  it('accepts the next confirmation after a backward step, and ignores one older than the last', () => {
    const clock = testClock();
    const currency = new RevocationCurrency(clock);
    currency.confirm(currency.mark());
    const early = currency.mark();
    clock.advance(3_000);
    clock.stepWall(-3_600_000);
    const late = currency.mark();
    clock.advance(100);
    currency.confirm(late);
    expect(currency.staleMs()).toBe(100);
    expect(currency.confirmedAt()).toEqual(new Date(clock.wallMs() - 100));
    currency.confirm(early); // a slow probe's answer arriving last
    expect(currency.staleMs()).toBe(100);
  });

  it('counts a forward wall jump the monotonic clock missed (a suspended VM resumed) as staleness: it fails closed', () => {
    const clock = testClock();
    const currency = new RevocationCurrency(clock);
    currency.confirm(currency.mark());
    clock.advance(100);
    clock.stepWall(3_600_000);
    expect(currency.staleMs()).toBe(3_600_100);
    currency.confirm(currency.mark());
    expect(currency.staleMs()).toBe(0);
  });
});

describe('isCaughtUp', () => {
  const info = (over: { pending?: number; delivered?: number; deliveredStream?: number; policy?: string; startSeq?: number }): ConsumerInfo => ({
    name: 'oc_2', num_pending: over.pending ?? 0, delivered: { consumer_seq: over.delivered ?? 0, stream_seq: over.deliveredStream ?? 0 },
    config: { deliver_policy: over.policy ?? 'by_start_sequence', ...(over.startSeq !== undefined ? { opt_start_seq: over.startSeq } : {}) },
  }) as unknown as ConsumerInfo;

  it('is not while messages are pending', () => {
    expect(isCaughtUp(info({ pending: 1, policy: 'by_start_time' }), 0)).toBe(false);
  });

  it('is not when a recreated consumer starts past messages received but not yet applied', () => {
    // Received up to 99, applied up to 95: the library recreates the consumer at 100; 96..99 still queue.
    expect(isCaughtUp(info({ startSeq: 100, deliveredStream: 99 }), 95)).toBe(false);
    expect(isCaughtUp(info({ startSeq: 100, deliveredStream: 99 }), 99)).toBe(true);
    expect(isCaughtUp(info({ startSeq: 1 }), 0)).toBe(true);
  });

  it('is once every message delivered is applied', () => {
    expect(isCaughtUp(info({ startSeq: 100, delivered: 3, deliveredStream: 120 }), 119)).toBe(false);
    expect(isCaughtUp(info({ startSeq: 100, delivered: 3, deliveredStream: 120 }), 120)).toBe(true);
  });

  it('trusts a start-time consumer only as its own (it starts where the follower asked), and no other policy', () => {
    expect(isCaughtUp(info({ policy: 'by_start_time' }), 0)).toBe(true);
    expect(isCaughtUp(info({ policy: 'all' }), 0)).toBe(true);
    expect(isCaughtUp(info({ policy: 'new' }), 0)).toBe(false);
    expect(isCaughtUp(info({ policy: 'last' }), 7)).toBe(false);
  });
});

describe('replayFrom', () => {
  const now = Date.parse('2030-01-10T00:00:00Z');
  it('replays the last day and a margin at start, and never more after days of uptime', () => {
    expect(replayFrom(undefined, now)).toEqual(new Date(now - REVOCATION_MEMORY_MS));
    expect(replayFrom(now - 5 * 24 * 3_600_000, now)).toEqual(new Date(now - REVOCATION_MEMORY_MS));
    expect(replayFrom(now - 3_600_000, now)).toEqual(new Date(now - 3_600_000));
  });
});
