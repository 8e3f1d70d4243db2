/**
 * How current the followed revocations are, as pure logic the follower applies: when its consumer
 * counts as caught up, how stale the last confirmation is, and where a restart replays from.
 */
import { DeliverPolicy, type ConsumerInfo } from '@nats-io/jetstream';
import type { VerifierClock } from './clock';
import { REVOCATION_MEMORY_MS } from './revocations';

/** The moment a probe was sent, on both clocks: its answer confirms every revocation published before it. */
export interface CurrencyMark {
  monotonicMs: number;
  wallMs: number;
}

export class RevocationCurrency {
  private confirmed?: CurrencyMark;

  constructor(private readonly clock: VerifierClock) {}

  mark(): CurrencyMark {
    return { monotonicMs: this.clock.monotonicMs(), wallMs: this.clock.wallMs() };
  }

  /** A probe sent at `mark` found the follower caught up; an answer older than the last confirmation changes nothing. */
  confirm(mark: CurrencyMark): boolean {
    if (this.confirmed && mark.monotonicMs <= this.confirmed.monotonicMs) return false;
    this.confirmed = mark;
    return true;
  }

  /**
   * Milliseconds since the last confirmation (Infinity before the first). The monotonic clock rules,
   * so a wall clock stepped back cannot make a stale list look current; a wall clock that moved
   * further (a suspended VM resumed: the monotonic clock stood still) only makes it staler.
   */
  staleMs(): number {
    const c = this.confirmed;
    if (!c) return Infinity;
    return Math.max(this.clock.monotonicMs() - c.monotonicMs, this.clock.wallMs() - c.wallMs);
  }

  /** The wall time of the last confirmation, for logs. */
  confirmedAt(): Date | undefined {
    return this.confirmed ? new Date(this.confirmed.wallMs) : undefined;
  }
}

/**
 * Whether every revocation the consumer can deliver has been applied, given the stream sequence of
 * the last applied message. Nothing may be pending, and the consumer must not start past a message
 * not yet applied: when the library recreates an ordered consumer it starts after the last message
 * RECEIVED, and messages received but still queued are not applied yet.
 */
export function isCaughtUp(info: ConsumerInfo, appliedStreamSequence: number): boolean {
  if (info.num_pending !== 0) return false;
  // Delivered something: all of it applied (messages are applied in stream order).
  if (info.delivered.consumer_seq > 0) return appliedStreamSequence >= info.delivered.stream_seq;
  // Delivered nothing yet: everything before where it starts must be applied.
  switch (info.config.deliver_policy) {
    case DeliverPolicy.StartSequence: return (info.config.opt_start_seq ?? 1) - 1 <= appliedStreamSequence;
    case DeliverPolicy.All: return true;
    // Only the follower creates these, starting at its last applied message's time (see replayFrom).
    case DeliverPolicy.StartTime: return true;
    // Start at the stream's end: what came before was never asked for.
    case DeliverPolicy.New:
    case DeliverPolicy.Last:
    case DeliverPolicy.LastPerSubject:
      return false;
  }
}

/** Where following starts (again): after the last applied message, but never earlier than any live credential needs. */
export function replayFrom(lastAppliedWallMs: number | undefined, nowWallMs: number): Date {
  const earliest = nowWallMs - REVOCATION_MEMORY_MS;
  return new Date(lastAppliedWallMs === undefined ? earliest : Math.max(lastAppliedWallMs, earliest));
}
