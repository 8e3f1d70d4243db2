import { DocumentLocks } from '@rampart/events';

describe('DocumentLocks', () => {
  it('runs work on the same document one at a time, and different documents concurrently', async () => {
    const locks = new DocumentLocks();
    const log: string[] = [];
    const step = (name: string, ms: number) => async () => {
      log.push(`${name}+`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`${name}-`);
    };
    await Promise.all([locks.run(['a'], step('a1', 30)), locks.run(['a', 'b'], step('ab', 10)), locks.run(['c'], step('c', 5))]);
    expect(log.indexOf('a1-')).toBeLessThan(log.indexOf('ab+'));
    expect(log.indexOf('c+')).toBeLessThan(log.indexOf('a1-'));
  });

  it('releases the lock when the work fails', async () => {
    const locks = new DocumentLocks();
    await expect(locks.run(['a'], () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(locks.run(['a'], () => Promise.resolve('next'))).resolves.toBe('next');
  });
});
