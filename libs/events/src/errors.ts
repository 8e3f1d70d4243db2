/** How an event handler tells the consumer what to do with a message it could not apply. */

/** The message can never be applied (malformed, unknown type, breaks an invariant): dead-letter it now. */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}

/**
 * The event is ahead of what this consumer has seen (its predecessor has not arrived yet): redeliver
 * it later, like a transient failure. After max_deliver attempts it goes to the dead-letter stream.
 */
export class EarlyEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EarlyEventError';
  }
}
