/**
 * Serialises writes to the same document within one process: the outbox relay and the request
 * handlers of a replica take the lock of every document they update. On MongoDB the
 * revision-filtered updates are already atomic and this only orders them; on FerretDB, whose
 * updates read then write, it keeps the relay's outbox clear and a concurrent state change (say,
 * a withdrawal) from overwriting each other.
 */
export class DocumentLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` holding the locks of `ids` (taken in sorted order, so batches cannot deadlock). */
  async run<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    for (const id of [...new Set(ids)].sort()) releases.push(await this.acquire(id));
    try {
      return await fn();
    } finally {
      for (const release of releases) release();
    }
  }

  private async acquire(id: string): Promise<() => void> {
    const previous = this.tails.get(id) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.tails.set(id, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(id) === tail) this.tails.delete(id);
    };
  }
}
