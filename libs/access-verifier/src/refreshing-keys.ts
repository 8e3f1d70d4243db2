/**
 * The service's keys as the gateway holds them: fetched at start, then again on a schedule (with
 * jitter, so a fleet of gateways does not fetch in step) and when a credential names an unknown
 * `kid` (at most once per `minRefreshMs`, one fetch shared by every request waiting on it, so
 * forged kids cannot turn requests into fetches). Each fetch replaces the whole set: a key the
 * service no longer publishes stops verifying at the next refresh. A failed fetch keeps the last set.
 * stop() ends the schedule and closes the source (keysFromService's gRPC client).
 */
import { KeySet, type CredentialKeys, type PublishedKey, type VerificationKey } from './keys';

export type FetchKeys = () => Promise<{ issuer: string; keys: PublishedKey[] }>;

/** Where keys come from, with what to close when no longer needed (keysFromService's client). */
export interface KeySource {
  fetch: FetchKeys;
  close?(): void;
}

export interface RefreshingKeyOptions {
  /** Scheduled refresh period (default 5 minutes; each wait jittered by +-10%). */
  refreshEveryMs?: number;
  /** The least time between two fetches caused by unknown kids (default 5 s). */
  minRefreshMs?: number;
  /** Told of failed fetches and of keys left out of a set. */
  onError?: (error: unknown) => void;
}

export interface RefreshingKeys extends CredentialKeys {
  issuer(): string;
  /** Fetches now (joining a fetch already under way). */
  refresh(): Promise<void>;
  /** After a credential named an unknown kid: fetches unless one was made within minRefreshMs; true when a fetch completed. */
  refreshForUnknownKid(): Promise<boolean>;
  /** Stops the scheduled refresh and closes the key source. */
  stop(): void;
}

export async function refreshingKeys(source: FetchKeys | KeySource, options: RefreshingKeyOptions = {}): Promise<RefreshingKeys> {
  const fetchKeys: FetchKeys = typeof source === 'function' ? source : () => source.fetch();
  const close = typeof source === 'function' ? undefined : () => source.close?.();
  const refreshEveryMs = options.refreshEveryMs ?? 5 * 60_000;
  const minRefreshMs = options.minRefreshMs ?? 5_000;
  const toSet = (published: PublishedKey[]) => KeySet.from(published, (kid, why) => options.onError?.(new Error(`verification key ${kid || '(no kid)'} left out: ${why}`)));

  let first: Awaited<ReturnType<FetchKeys>>;
  try {
    first = await fetchKeys();
  } catch (error) {
    close?.();
    throw error;
  }
  let issuer = first.issuer;
  let keys = toSet(first.keys);
  // The first unknown kid after start may fetch at once; later ones wait minRefreshMs from the last
  // fetch, timed on the monotonic clock (a wall clock stepped back must not stop refreshes).
  let attemptedAt = -Infinity;
  let inFlight: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const refresh = (): Promise<void> => {
    inFlight ??= (async () => {
      attemptedAt = performance.now();
      try {
        const next = await fetchKeys();
        issuer = next.issuer;
        keys = toSet(next.keys);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      refresh().catch((error: unknown) => options.onError?.(error)).finally(schedule);
    }, refreshEveryMs * (0.9 + Math.random() * 0.2));
    timer.unref();
  };
  schedule();

  return {
    get: (kid: string): VerificationKey | undefined => keys.get(kid),
    issuer: () => issuer,
    refresh,
    refreshForUnknownKid: async () => {
      if (!inFlight && performance.now() - attemptedAt < minRefreshMs) return false;
      try {
        await refresh();
        return true;
      } catch (error) {
        options.onError?.(error);
        return false;
      }
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      close?.();
    },
  };
}
