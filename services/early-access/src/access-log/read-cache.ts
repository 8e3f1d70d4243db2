/**
 * A per-process cache of what a hot path reads by `_id` and what rarely changes. An entry lives
 * `ttlMs` from when its read started (so a change another replica makes is seen here within that
 * bound) and is dropped at once when this process writes the document (`forget`). A read already
 * under way when `forget` is called is neither cached nor shared with later callers: they read again.
 * Absent documents are not cached (one may be created on another replica at any moment).
 */
export class ReadCache<V> {
  private readonly entries = new Map<string, { value: V; at: number }>();
  private readonly reading = new Map<string, Promise<V | undefined>>();

  constructor(
    private readonly ttlMs: number,
    /** Entries kept at most; the oldest goes first. */
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, read: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return Promise.resolve(hit.value);
    const underway = this.reading.get(key);
    if (underway) return underway;
    const startedAt = this.now();
    const reading: Promise<V | undefined> = read().then(
      (value) => {
        if (this.reading.get(key) === reading) {
          this.reading.delete(key);
          if (value !== undefined) this.store(key, value, startedAt);
        }
        return value;
      },
      (error: unknown) => {
        if (this.reading.get(key) === reading) this.reading.delete(key);
        throw error;
      },
    );
    this.reading.set(key, reading);
    return reading;
  }

  /** This process changed the document: the next `get` reads it. */
  forget(key: string): void {
    this.entries.delete(key);
    this.reading.delete(key);
  }

  forgetAll(): void {
    this.entries.clear();
    this.reading.clear();
  }

  private store(key: string, value: V, at: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}
