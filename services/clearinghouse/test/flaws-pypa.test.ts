/**
 * All 2,661 PyPA advisories grouped by the one-record-per-flaw rule: the numbers, the real CVE
 * conflicts the corpus holds, withdrawn advisories alone, and the same groups and flags whatever the
 * order, imported twice, and applied incrementally one arrival at a time as the service does; and
 * fingerprints over the corpus (one file, so the YAML is parsed once).
 */
import fc from 'fast-check';
import { type FlawRecord, type Regrouping, fingerprintKeys, isCveId, likelyDuplicates, namesOf, normaliseId, regroup } from '../src/domain/flaws';
import { pypaRecords } from './flaws-fixtures';
import { FlawStoreModel } from './flaws-service-model';

/** The most ids one flaw of the corpus is known by: far below the cap (FLAW_LIMITS.groupIds, 32). */
const MAX_GROUP_IDS = 6;

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  // A seeded Fisher-Yates (mulberry32), so a failure names the seed that shows it.
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** Deep equality of large results: compared as JSON first (fast), and by jest only to show a difference. */
function expectSame<T>(actual: T, expected: T): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

describe('the PyPA corpus grouped into flaws', () => {
  let records: FlawRecord[];
  let result: Regrouping;

  beforeAll(() => {
    records = pypaRecords();
    result = regroup(records);
  });

  it('reads every advisory', () => {
    expect(records).toHaveLength(2661);
    expect(records.filter((r) => r.withdrawn)).toHaveLength(10);
  });

  it('puts every record in exactly one group, and groups as the numbers below', () => {
    const members = result.groups.flatMap((g) => g.members);
    expect(members).toHaveLength(2661);
    expect(new Set(members).size).toBe(2661);
    expect(new Set(result.groups.map((g) => g.id)).size).toBe(result.groups.length);
    const sizes: Record<number, number> = {};
    for (const g of result.groups) sizes[g.members.length] = (sizes[g.members.length] ?? 0) + 1;
    // 2,055 connected components of live records + 10 withdrawn alone; the 3 components that hold two
    // CVE ids split in two (one of 4 records into 2 + 2, two of 2 records into 1 + 1).
    expect(result.groups).toHaveLength(2068);
    expect(sizes).toEqual({ 1: 1724, 2: 97, 3: 245, 4: 2 });
    expect(Math.max(...result.groups.map((g) => g.names.length))).toBe(MAX_GROUP_IDS);
  });

  it('never puts two CVE ids in one flaw, and names a flaw by its CVE id', () => {
    for (const g of result.groups) {
      expect(g.cves.length).toBeLessThanOrEqual(1);
      if (g.cves.length === 1 && !g.withdrawn) expect(g.id).toBe(g.cves[0]);
    }
  });

  it('flags the three real CVE conflicts of the corpus, with the ids that link them', () => {
    expect(result.flags.map((f) => ({ kind: f.kind, groups: f.groups, sharedIds: f.sharedIds }))).toEqual([
      { kind: 'cve-conflict', groups: ['CVE-2021-24040', 'CVE-2021-39207'], sharedIds: ['GHSA-m87f-9fvv-2mgg'] },
      { kind: 'cve-conflict', groups: ['CVE-2021-32633', 'CVE-2021-32674'], sharedIds: ['GHSA-5pr9-v234-jw36'] },
      { kind: 'cve-conflict', groups: ['CVE-2021-32807', 'CVE-2021-32811'], sharedIds: ['GHSA-qcx9-j53g-ccgf'] },
    ]);
    const byId = new Map(result.groups.map((g) => [g.id, g.members]));
    expect(byId.get('CVE-2021-32807')).toEqual(['PYSEC-2021-335', 'PYSEC-2021-875']);
    expect(byId.get('CVE-2021-32811')).toEqual(['PYSEC-2021-368', 'PYSEC-2021-370']);
    expect(result.flags[2]?.reason).toContain('GHSA-qcx9-j53g-ccgf');
  });

  it('keeps every withdrawn advisory alone, even when live records name it and all its aliases', () => {
    const withdrawn = records.filter((x) => x.withdrawn);
    const naming = withdrawn.map((w) => ({ ...w, id: `REPORT-${w.id}`, source: 'reporter', withdrawn: false, aliases: [w.id, ...w.aliases] }));
    const withNaming = regroup([...records, ...naming]);
    for (const r of withdrawn) {
      expect(result.groups.find((x) => x.members.includes(r.id))).toMatchObject({ id: r.id, members: [r.id], withdrawn: true });
      expect(withNaming.groups.find((x) => x.members.includes(r.id))).toMatchObject({ id: r.id, members: [r.id], withdrawn: true });
    }
  });

  it('joins every two live records that share an id, unless a flag says why not', () => {
    const groupOf = new Map(result.groups.flatMap((g) => g.members.map((m) => [m, g.id] as const)));
    const flagged = new Set(result.flags.map((f) => [...f.groups].sort().join('|')));
    const byName = new Map<string, string[]>();
    for (const r of records.filter((x) => !x.withdrawn)) for (const n of namesOf(r)) byName.set(n, [...(byName.get(n) ?? []), normaliseId(r.id)]);
    for (const [name, ids] of byName) {
      const groups = [...new Set(ids.map((id) => groupOf.get(id)))].sort();
      if (groups.length > 1) expect({ name, flagged: flagged.has(groups.join('|')) }).toEqual({ name, flagged: true });
    }
  });

  it('gives the same groups and flags in three random orders and when every record is imported twice', () => {
    for (const seed of [1, 2, 3]) expectSame(regroup(shuffled(records, seed)), result);
    expectSame(regroup([...shuffled(records, 4), ...shuffled(records, 5)]), result);
  });

  it('gives the same groups applied one arrival at a time, as the service does, in any order', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const store = new FlawStoreModel();
        for (const r of shuffled(records, seed)) store.arrive(r);
        for (const r of shuffled(records, seed + 1).slice(0, 500)) store.arrive(r); // imported again
        expectSame(store.groups(), result.groups);
        expectSame(store.allFlags(), result.flags);
        expect(store.largestComponent).toBeLessThanOrEqual(4);
      }),
      { numRuns: 2 },
    );
  });

  it('has no CVE id that names two flaws', () => {
    const owners = new Map<string, string[]>();
    for (const g of result.groups.filter((x) => !x.withdrawn)) for (const c of g.cves.filter(isCveId)) owners.set(c, [...(owners.get(c) ?? []), g.id]);
    expect([...owners.values()].filter((o) => o.length > 1)).toEqual([]);
  });
});

describe('fingerprints on the PyPA corpus', () => {
  let records: FlawRecord[];
  let result: Regrouping;

  beforeAll(() => {
    records = pypaRecords();
    result = regroup(records);
  });

  it('on the PyPA corpus: nothing (no CWE); given one CWE to all, the buckets find every pair a full comparison finds, and nothing merges', () => {
    const { groups } = result;
    const flawOf = new Map(groups.flatMap((g) => g.members.map((m) => [m, g.id] as const)));
    const suggestions = (rs: readonly FlawRecord[]) => {
      const byId = new Map(rs.map((r) => [r.id, r]));
      const buckets = new Map<string, string[]>();
      for (const r of rs) for (const k of fingerprintKeys(r)) buckets.set(k, [...(buckets.get(k) ?? []), r.id]);
      const pairs = new Set<string>();
      for (const r of rs) {
        const candidates = [...new Set(fingerprintKeys(r).flatMap((k) => buckets.get(k) ?? []))].map((id) => byId.get(id)!);
        const sameFlaw = new Set(candidates.filter((c) => flawOf.get(c.id) === flawOf.get(r.id)).map((c) => c.id));
        for (const d of likelyDuplicates(r, candidates, sameFlaw)) pairs.add([d.record, d.candidate].sort().join('|'));
      }
      return pairs;
    };
    expect(suggestions(records).size).toBe(0);
    const withCwe = records.filter((r) => r.affected.some((a) => a.purl === 'pkg:pypi/pillow' || a.purl === 'pkg:pypi/jinja2')).map((r) => ({ ...r, cwes: ['CWE-20'] }));
    const found = suggestions(withCwe);
    let brute = 0;
    for (const r of withCwe) {
      for (const d of likelyDuplicates(r, withCwe, new Set(withCwe.filter((c) => flawOf.get(c.id) === flawOf.get(r.id)).map((c) => c.id)))) {
        brute++;
        expect(found.has([d.record, d.candidate].sort().join('|'))).toBe(true);
      }
    }
    expect({ records: withCwe.length, pairs: found.size, directed: brute }).toEqual(PILLOW_JINJA);
    expect(regroup(withCwe).groups.map((g) => g.members)).toEqual(regroup(records.filter((r) => withCwe.some((w) => w.id === r.id))).groups.map((g) => g.members));
  });
});

/** Pillow's and Jinja2's advisories, all given CWE-20: pairs in different flaws whose affected versions overlap. */
const PILLOW_JINJA = { records: 56, pairs: 1221, directed: 2442 };
