/** The per-process read cache: what it answers from memory, and when it must read again. */
import { ReadCache } from '../src/access-log/read-cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ReadCache', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('answers from memory within its time to live, and reads again after it', async () => {
    const cache = new ReadCache<string>(500, 10, now);
    const read = jest.fn().mockResolvedValueOnce('v1').mockResolvedValueOnce('v2');
    expect(await cache.get('k', read)).toBe('v1');
    clock += 499;
    expect(await cache.get('k', read)).toBe('v1');
    clock += 1;
    expect(await cache.get('k', read)).toBe('v2');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('reads again at once after this process forgets a key (its own write)', async () => {
    const cache = new ReadCache<string>(10_000, 10, now);
    const read = jest.fn().mockResolvedValueOnce('before').mockResolvedValueOnce('after');
    expect(await cache.get('k', read)).toBe('before');
    cache.forget('k');
    expect(await cache.get('k', read)).toBe('after');
  });

  it('neither keeps nor shares a read that was under way when the key was forgotten', async () => {
    const cache = new ReadCache<string>(10_000, 10, now);
    const slow = deferred<string>();
    const stale = cache.get('k', () => slow.promise);
    cache.forget('k');
    const fresh = cache.get('k', () => Promise.resolve('after the write'));
    slow.resolve('before the write');
    expect(await stale).toBe('before the write');
    expect(await fresh).toBe('after the write');
    expect(await cache.get('k', () => Promise.resolve('unused'))).toBe('after the write');
  });

  it('shares one read among concurrent callers and never caches an absent document', async () => {
    const cache = new ReadCache<string>(10_000, 10, now);
    const read = jest.fn().mockResolvedValue(undefined);
    await Promise.all([cache.get('k', read), cache.get('k', read)]);
    expect(read).toHaveBeenCalledTimes(1);
    await cache.get('k', read);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps at most its bound, dropping the oldest', async () => {
    const cache = new ReadCache<string>(10_000, 2, now);
    for (const k of ['a', 'b', 'c']) await cache.get(k, () => Promise.resolve(k));
    const read = jest.fn().mockResolvedValue('a again');
    expect(await cache.get('a', read)).toBe('a again');
    expect(await cache.get('c', read)).toBe('c');
  });
});
