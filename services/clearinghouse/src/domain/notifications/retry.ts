/**
 * When to try a delivery again. Exponential backoff with full jitter (the random draw is passed in,
 * so this stays pure), capped; a notification is never given up: after the cap every retry waits
 * the cap, until the endpoint answers or the operator changes its endpoints.
 */
export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 1_000, maxDelayMs: 15 * 60_000 };

/**
 * The wait before attempt `attempt + 1` (attempt 1 is the first send). `jitter` in [0, 1): the wait is
 * drawn from the upper half of the backoff, so retries spread out but never come sooner than half of it.
 */
export function retryDelayMs(attempt: number, policy: RetryPolicy, jitter: number): number {
  const step = Math.max(0, Math.min(attempt - 1, 40));
  const backoff = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** step);
  const j = Number.isFinite(jitter) ? Math.min(Math.max(jitter, 0), 0.999_999) : 0;
  return Math.max(1, Math.round(backoff / 2 + (backoff / 2) * j));
}

/** HTTP answers worth another try; any other 4xx is the endpoint refusing this message and is retried at the cap. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
