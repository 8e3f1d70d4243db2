/**
 * What the service loads to regroup after one arrival: the arrival's connected component, found by
 * `_id` reads of the alias index and of records, and nothing more; withdrawn and over-broad records
 * end the walk; a changed record's old links are followed so a flaw it no longer names splits off.
 */
import { ComponentWalk, FLAW_LIMITS, type FlawRecord, linksOf, normaliseId, regroup } from '../src/domain/flaws';
import { decision, rec } from './flaws-builders';
import { FlawStoreModel } from './flaws-service-model';

/** Drive a walk against in-memory maps; returns the records loaded and the `_id` reads made. */
function walk(store: FlawStoreModel, start: string[], joins: Record<string, string[]> = {}) {
  const w = new ComponentWalk(start);
  const reads: string[] = [];
  while (!w.done) {
    for (const id of w.pendingIds()) {
      reads.push(`index:${id}`);
      w.addIndexEntry(id, [...(store.index.get(id) ?? [])]);
    }
    for (const id of w.pendingRecords()) {
      reads.push(`record:${id}`);
      w.addRecord(id, store.records.get(id), joins[id] ?? []);
    }
  }
  return { loaded: w.records().map((r) => normaliseId(r.id)), reads, overflow: w.overflow };
}

describe('the component walk', () => {
  const store = new FlawStoreModel();
  const all: FlawRecord[] = [
    rec('PYSEC-1', ['CVE-2021-0001', 'GHSA-aaaa-aaaa-aaaa']),
    rec('GHSA-aaaa-aaaa-aaaa', ['CVE-2021-0001']),
    rec('OSV-9', ['GHSA-aaaa-aaaa-aaaa']),
    rec('UNRELATED', ['CVE-2022-0002']),
    rec('W', ['CVE-2021-0001'], { withdrawn: true }),
    rec('BROAD', ['CVE-2022-0002', 'GHSA-aaaa-aaaa-aaaa', 'X1', 'X2', 'X3', 'X4']),
  ];
  beforeAll(() => {
    for (const r of all) store.arrive(r);
  });

  it('loads the arrival\'s component and nothing else, with _id reads only', () => {
    const { loaded, reads } = walk(store, linksOf(all[2]!));
    expect(loaded).toEqual(['GHSA-aaaa-aaaa-aaaa', 'OSV-9', 'PYSEC-1']);
    expect(reads.sort()).toEqual([
      'index:CVE-2021-0001',
      'index:GHSA-aaaa-aaaa-aaaa',
      'index:OSV-9',
      'index:PYSEC-1',
      'record:GHSA-aaaa-aaaa-aaaa',
      'record:OSV-9',
      'record:PYSEC-1',
    ]);
  });

  it('stops at withdrawn and over-broad records: they link only their own id', () => {
    expect(walk(store, linksOf(all[4]!)).loaded).toEqual(['W']);
    expect(walk(store, linksOf(all[5]!)).loaded).toEqual(['BROAD']);
  });

  it("follows analysts' joins into another component", () => {
    expect(walk(store, ['UNRELATED'], { UNRELATED: ['OSV-9'] }).loaded).toEqual(['GHSA-aaaa-aaaa-aaaa', 'OSV-9', 'PYSEC-1', 'UNRELATED']);
  });

  it('stops, saying so, past the component limit', () => {
    const chain = new FlawStoreModel();
    const size = FLAW_LIMITS.componentRecords + 5;
    for (let i = 0; i < size; i++) {
      const r = rec(`C-${i}`, [`L-${i}`, `L-${i + 1}`]);
      chain.records.set(r.id, r);
      for (const l of linksOf(r)) chain.index.set(l, new Set([...(chain.index.get(l) ?? []), r.id]));
    }
    const w = walk(chain, ['L-0']);
    expect(w.overflow).toBe(true);
    expect(w.reads.filter((r) => r.startsWith('record:')).length).toBeLessThanOrEqual(FLAW_LIMITS.componentRecords + 2);
  });
});

describe('changed records', () => {
  it('a record that stops naming an id leaves the flaw it linked to, and both flaws are regrouped', () => {
    const store = new FlawStoreModel();
    store.arrive(rec('A', ['CVE-2023-0001', 'X']));
    store.arrive(rec('B', ['X']));
    expect(store.groups().map((g) => g.members)).toEqual([['A', 'B']]);
    store.arrive(rec('A', ['CVE-2023-0001']));
    expect(store.groups().map((g) => [g.id, g.members])).toEqual([
      ['B', ['B']],
      ['CVE-2023-0001', ['A']],
    ]);
    expect(store.groups()).toEqual(regroup([rec('A', ['CVE-2023-0001']), rec('B', ['X'])]).groups);
  });

  it('a record withdrawn later leaves its flaw', () => {
    const store = new FlawStoreModel([decision('separate', 'nobody', 'else')]);
    store.arrive(rec('A', ['CVE-2023-0002']));
    store.arrive(rec('B', ['CVE-2023-0002']));
    store.arrive(rec('A', ['CVE-2023-0002'], { withdrawn: true }));
    expect(store.groups().map((g) => [g.id, g.members, g.withdrawn])).toEqual([
      ['A', ['A'], true],
      ['CVE-2023-0002', ['B'], false],
    ]);
  });
});
