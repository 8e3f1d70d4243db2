/**
 * Group commit: what is submitted for a key while that key's previous batch is being written joins
 * the next batch, so concurrent writers of one key share a round trip instead of each paying one.
 * One batch per key at a time, so it also serialises a key's writers within this process (what a
 * lock per key did), and a quiet key pays nothing extra: a lone item is written at once. A key's
 * queue is bounded: past `maxQueued` waiting items, a submit is refused at once (UNAVAILABLE, retry
 * later) instead of piling up work and memory behind one slow key.
 */
import { UnavailableError } from '@rampart/errors';

/** Each item's outcome: a batch can succeed for some items and fail for others. */
export type Settled<R> = { value: R | PromiseLike<R> } | { error: unknown };

interface Waiting<I, R> {
  item: I;
  resolve(value: R | PromiseLike<R>): void;
  reject(error: unknown): void;
}

export class GroupCommit<I, R> {
  private readonly queues = new Map<string, Waiting<I, R>[]>();

  constructor(
    /** Writes one batch of a key; answers each item in order. */
    private readonly flush: (key: string, items: I[]) => Promise<Settled<R>[]>,
    /** At most this many items in one batch (FerretDB hangs on a bulk of about 100 statements). */
    private readonly maxBatch: number,
    /** At most this many items waiting for one key, the batch being written not counted. */
    private readonly maxQueued = 1_000,
  ) {}

  submit(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) {
        if (queue.length >= this.maxQueued) {
          reject(new UnavailableError(`too many writes waiting for ${key}; retry with backoff`));
          return;
        }
        queue.push({ item, resolve, reject });
        return;
      }
      const started: Waiting<I, R>[] = [{ item, resolve, reject }];
      this.queues.set(key, started);
      void this.drain(key, started);
    });
  }

  private async drain(key: string, queue: Waiting<I, R>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, this.maxBatch);
      let outcomes: Settled<R>[];
      try {
        outcomes = await this.flush(key, batch.map((w) => w.item));
      } catch (error) {
        outcomes = batch.map(() => ({ error }));
      }
      batch.forEach((w, i) => {
        const outcome = outcomes[i] ?? { error: new Error('the batch gave no answer for this item') };
        if ('value' in outcome) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
    }
    this.queues.delete(key);
  }
}
