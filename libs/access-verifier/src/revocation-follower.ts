/**
 * Follows the developer's revocation subject on JetStream with an ordered consumer, and knows how
 * current it is. Every `probeEveryMs` it asks the server about its consumer: when nothing is pending
 * and the consumer holds nothing past the last applied message (see isCaughtUp), every revocation
 * published before the probe was sent is in the list, so the probe's send time is confirmed. While
 * the server is out of reach no probe succeeds and the confirmation ages (on the monotonic clock):
 * the verifier refuses once it is older than its bound.
 */
import { DeliverPolicy, type Consumer, type ConsumerInfo, type ConsumerMessages, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { systemClock, type VerifierClock } from './clock';
import { isCaughtUp, replayFrom, RevocationCurrency } from './currency';
import { REVOCATION_STREAM, RevocationList, revocationSubject } from './revocations';

export interface RevocationFollowerOptions {
  organization: string;
  js: JetStreamClient;
  /** How often currency is confirmed (default 250 ms). */
  probeEveryMs?: number;
  /** A probe not answered within this is abandoned (default 1 s). */
  probeTimeoutMs?: number;
  clock?: VerifierClock;
  onError?: (error: unknown) => void;
}

export class RevocationFollower {
  readonly list = new RevocationList();
  readonly currency: RevocationCurrency;
  private readonly clock: VerifierClock;
  private stopped = false;
  private consumer?: Consumer;
  private messages?: ConsumerMessages;
  private jsm?: JetStreamManager;
  /** The last applied message: its stream sequence (0: none) and its wall time. */
  private applied: { streamSequence: number; wallMs?: number } = { streamSequence: 0 };
  private loops: Promise<void>[] = [];
  private missing = 0;
  private restarting = false;
  private readonly sleepers = new Set<() => void>();
  private readonly caughtUpWaiters = new Set<() => void>();

  constructor(private readonly options: RevocationFollowerOptions) {
    this.clock = options.clock ?? systemClock;
    this.currency = new RevocationCurrency(this.clock);
  }

  start(): void {
    this.loops = [this.follow(), this.probe()];
  }

  /** Whether it was current once within timeoutMs; a wait that times out is forgotten. */
  whenCaughtUp(timeoutMs: number): Promise<boolean> {
    if (this.currency.confirmedAt()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (caughtUp: boolean) => {
        clearTimeout(timer);
        this.caughtUpWaiters.delete(onCaughtUp);
        resolve(caughtUp);
      };
      const onCaughtUp = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.caughtUpWaiters.add(onCaughtUp);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
    await this.messages?.close();
    await Promise.allSettled(this.loops);
  }

  private async follow(): Promise<void> {
    const { js, organization } = this.options;
    while (!this.stopped) {
      try {
        this.consumer = await js.consumers.get(REVOCATION_STREAM, {
          filter_subjects: [revocationSubject(organization)],
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: replayFrom(this.applied.wallMs, this.clock.wallMs()).toISOString(),
        });
        this.messages = await this.consumer.consume();
        if (this.stopped) await this.messages.close();
        for await (const m of this.messages) {
          try {
            this.list.add(m.json<{ data?: unknown }>().data);
          } catch (error) {
            this.options.onError?.(error);
          }
          this.applied = { streamSequence: m.info.streamSequence, wallMs: m.info.timestampNanos / 1e6 };
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      if (!this.stopped && !this.restarting) await this.pause(500);
      this.restarting = false;
    }
  }

  private async probe(): Promise<void> {
    const every = this.options.probeEveryMs ?? 250;
    while (!this.stopped) {
      const sent = this.currency.mark();
      try {
        const info = await this.withTimeout(this.consumerInfo());
        if (info && isCaughtUp(info, this.applied.streamSequence) && this.currency.confirm(sent)) {
          for (const resolve of [...this.caughtUpWaiters]) resolve();
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      await this.pause(Math.max(0, every - (this.clock.monotonicMs() - sent.monotonicMs)));
    }
  }

  /** The server's view of the consumer now, asked without touching the ordered consumer's own state. */
  private async consumerInfo(): Promise<ConsumerInfo | undefined> {
    const consumer = this.consumer;
    if (!consumer) return undefined;
    const { name } = await consumer.info(true);
    this.jsm ??= await this.options.js.jetstreamManager(false);
    try {
      const info = await this.jsm.consumers.info(REVOCATION_STREAM, name);
      this.missing = 0;
      return info;
    } catch (error) {
      // A restarted server forgets the ordered consumer (memory only); the library notices only
      // after missed heartbeats (seconds). Twice missing: follow again from the last applied message.
      if (error instanceof Error && error.message === 'consumer not found' && ++this.missing >= 2 && this.consumer === consumer) {
        this.missing = 0;
        this.restarting = true;
        await this.messages?.close();
      }
      throw error;
    }
  }

  private withTimeout<T>(p: Promise<T>): Promise<T | undefined> {
    const timeoutMs = this.options.probeTimeoutMs ?? 1_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
    // An abandoned probe's late answer is dropped; its failure is not news.
    return Promise.race([p.catch((error: unknown) => {
      this.options.onError?.(error);
      return undefined;
    }), timeout]).finally(() => clearTimeout(timer));
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.sleepers.add(done);
    });
  }
}
