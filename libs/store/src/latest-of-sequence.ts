/**
 * Finding the latest of a numbered sequence of documents (`<key>#0`, `<key>#1`, ...) by `_id` reads
 * alone: each number is taken by an `_id` insert (the compare-and-set every engine honours) and
 * none is ever removed, so the numbers present are 0..n without gaps. Doubling, then halving,
 * finds n in about 2 log2(n) reads: a job re-claimed many times in a long window stays cheap.
 */
export interface Numbered<T> {
  n: number;
  doc: T;
}

/** Past this many numbers a sequence is corrupt or abused: reading stops there. */
const MOST = 1 << 20;

/** The document with the highest number, given a read of number `n`; undefined when there is none. */
export async function latestOfSequence<T>(read: (n: number) => Promise<T | null>): Promise<Numbered<T> | undefined> {
  const first = await read(0);
  if (!first) return undefined;
  let present: Numbered<T> = { n: 0, doc: first };
  let absent = 1;
  for (;;) {
    const doc = absent < MOST ? await read(absent) : null;
    if (!doc) break;
    present = { n: absent, doc };
    absent *= 2;
  }
  while (absent - present.n > 1) {
    const mid = present.n + Math.floor((absent - present.n) / 2);
    const doc = await read(mid);
    if (doc) present = { n: mid, doc };
    else absent = mid;
  }
  return present;
}
