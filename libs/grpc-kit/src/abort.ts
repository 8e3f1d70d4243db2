/**
 * Waiting with an AbortSignal. `raceAbort` is the only place a call's work meets its deadline: the
 * raced promise gets its handlers at once, so whichever side loses can never become an unhandled
 * rejection (which ends a Node process).
 */

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** `promise`'s result, or `signal.reason` as soon as the signal aborts, whichever comes first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(asError(signal.reason));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(asError(error));
      },
    );
  });
}

/**
 * Iterates `source` until it ends or `signal` aborts; then the loop throws the abort reason at
 * once, even while waiting for the next message. For client streams: `for await (const m of
 * abortable(requests, ctx.signal))`. The kit already hands handlers their stream this way.
 */
export async function* abortable<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  try {
    for (;;) {
      const next = await raceAbort(iterator.next(), signal);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // Left early (aborted, or the consumer stopped): close the source so it stops buffering input.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
