/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, baseMs = 250, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Retries `fn` until it succeeds or `signal` aborts, waiting with backoff between attempts. */
export async function retryUntil<T>(fn: () => Promise<T>, signal: AbortSignal, onError: (error: unknown, attempt: number) => void): Promise<T | undefined> {
  for (let attempt = 1; !signal.aborted; attempt++) {
    try {
      return await fn();
    } catch (error) {
      onError(error, attempt);
      await sleep(backoffDelay(attempt, 200, 5_000), signal);
    }
  }
  return undefined;
}
