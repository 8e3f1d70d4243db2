/** Group commit: what arrives while a key's batch is written goes in the next one, in order. */
import { GroupCommit, type Settled } from '../src/access-log/group-commit';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

it('writes a lone item at once and what arrives meanwhile together, one batch per key at a time', async () => {
  const batches: number[][] = [];
  const gate = deferred();
  let running = 0;
  const commit = new GroupCommit<number, number>(async (_key, items) => {
    running++;
    expect(running).toBe(1);
    batches.push(items);
    if (batches.length === 1) await gate.promise;
    running--;
    return items.map((i) => ({ value: i * 10 }));
  }, 3);
  const first = commit.submit('k', 1);
  const rest = [2, 3, 4, 5].map((i) => commit.submit('k', i));
  gate.resolve();
  expect(await Promise.all([first, ...rest])).toEqual([10, 20, 30, 40, 50]);
  expect(batches).toEqual([[1], [2, 3, 4], [5]]);
});

it('answers each item with its own outcome, and fails the whole batch when the write throws', async () => {
  const commit = new GroupCommit<number, number>((_key, items) => {
    if (items.includes(0)) return Promise.reject(new Error('engine down'));
    return Promise.resolve(items.map((i): Settled<number> => (i % 2 ? { value: i } : { error: new Error(`even ${i}`) })));
  }, 10);
  await expect(commit.submit('k', 0)).rejects.toThrow('engine down');
  const [odd, even] = await Promise.allSettled([commit.submit('k', 1), commit.submit('k', 2)]);
  expect(odd).toEqual({ status: 'fulfilled', value: 1 });
  expect(even).toMatchObject({ status: 'rejected', reason: new Error('even 2') });
});

it('refuses a submit at once when too many wait for one key, and keeps serving the others', async () => {
  const gate = deferred();
  const commit = new GroupCommit<number, number>(async (_key, items) => {
    await gate.promise;
    return items.map((i) => ({ value: i }));
  }, 10, 2);
  const writing = commit.submit('busy', 1); // being written: not counted
  const waiting = [commit.submit('busy', 2), commit.submit('busy', 3)];
  await expect(commit.submit('busy', 4)).rejects.toThrow(/too many writes waiting/);
  const other = commit.submit('quiet', 5);
  gate.resolve();
  expect(await Promise.all([writing, ...waiting, other])).toEqual([1, 2, 3, 5]);
});
