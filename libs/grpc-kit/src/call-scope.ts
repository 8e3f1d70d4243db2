/**
 * One call's lifetime as an AbortSignal: it aborts when the deadline passes (the client's, capped
 * by the service's) or when the client cancels, with the reason the client is answered with.
 */
import type { Deadline, Metadata } from '@grpc/grpc-js';
import { raceAbort } from './abort';
import { CancelledError, DeadlineExceededError } from './status';

/** What the kit uses of a grpc-js server call, unary or streaming. */
export interface ServerCall {
  cancelled: boolean;
  readonly metadata: Metadata;
  getDeadline(): Deadline;
  getPath(): string;
  getPeer(): string;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}

/** setTimeout fires at once beyond this (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Node timers (grpc-js's and ours) may fire a little before Date.now() reaches their target. */
const DEADLINE_SLACK_MS = 5;

function deadlineOf(call: ServerCall): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : Number(deadline);
}

export class CallScope {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly onCancelled: () => void;
  /** Epoch ms: the client's deadline or the service's cap, whichever is sooner. */
  private readonly deadline: number;

  private constructor(
    private readonly call: ServerCall,
    maxDeadlineMs: number,
  ) {
    const deadline = (this.deadline = Math.min(deadlineOf(call), Date.now() + maxDeadlineMs));
    // grpc-js reports a passed deadline as a cancellation too (its timer may fire a millisecond
    // before ours, see throwIfOver); answer it as what it is.
    this.onCancelled = () => this.abort(Date.now() >= deadline - DEADLINE_SLACK_MS ? new DeadlineExceededError() : new CancelledError());
    call.on('cancelled', this.onCancelled);
    const budget = deadline - Date.now();
    if (call.cancelled) this.onCancelled();
    else if (budget <= 0) this.abort(new DeadlineExceededError());
    else this.timer = setTimeout(() => this.abort(new DeadlineExceededError()), Math.min(budget, MAX_TIMER_MS));
  }

  static open(call: ServerCall, maxDeadlineMs: number): CallScope {
    return new CallScope(call, maxDeadlineMs);
  }

  /** Aborted when the call's deadline passes or the client cancels; `reason` says which. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `promise`'s result, or the abort reason as soon as the call is over. */
  race<T>(promise: Promise<T>): Promise<T> {
    return raceAbort(promise, this.signal);
  }

  /**
   * Throws the abort reason if the call is over, including a deadline grpc-js has acted on but not
   * reported yet: at its deadline it ends a client stream first. Node timers may fire a millisecond
   * before Date.now() reaches their target, hence the slack; an answer due that close to the
   * deadline could not reach the client in time anyway.
   */
  throwIfOver(): void {
    if (this.call.cancelled) this.onCancelled();
    else if (Date.now() >= this.deadline - DEADLINE_SLACK_MS) this.abort(new DeadlineExceededError());
    this.signal.throwIfAborted();
  }

  /**
   * Resolves once the call's fate is known when a client stream ends close to the deadline: a
   * client cancelling at its own deadline (RST_STREAM) ends the readable side before grpc-js reports
   * the cancellation, later than one event-loop turn on a loaded machine. Within `windowMs` of the
   * deadline, an end waits for the abort (the cancellation, or this scope's own deadline timer)
   * rather than be taken for a complete stream; further from it, it is trusted at once.
   */
  async settleNearDeadline(windowMs: number): Promise<void> {
    const left = this.deadline - Date.now();
    if (this.signal.aborted || this.call.cancelled || left > windowMs) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, left) + DEADLINE_SLACK_MS);
      this.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }

  /** The call has been answered: no more timers or listeners for it. */
  close(): void {
    clearTimeout(this.timer);
    this.call.removeListener('cancelled', this.onCancelled);
  }

  private abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }
}
