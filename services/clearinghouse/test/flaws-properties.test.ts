/**
 * Properties of the grouping rule on generated records, dense in shared ids, CVE conflicts,
 * withdrawn records and analysts' decisions: the result is a function of the set (any order, any
 * duplicates), the service's incremental regroup of one component per arrival ends where a regroup
 * of everything does, and the rule's guarantees hold on every result.
 */
import fc from 'fast-check';
import { FLAW_LIMITS, type FlawDecision, type FlawRecord, type Regrouping, decisionsInForce, effectiveDecisions, exclusionOf, isCveId, namesOf, normaliseId, regroup } from '../src/domain/flaws';
import { FlawStoreModel } from './flaws-service-model';

const RECORD_IDS = ['PYSEC-1', 'PYSEC-2', 'PYSEC-3', 'GHSA-aaaa-aaaa-aaaa', 'GHSA-bbbb-bbbb-bbbb', 'OSV-1', 'OSV-2', 'CVE-2020-0001', 'R-1', 'R-2', 'R-3', 'R-4'];

/** Few ids, so records share them often: many merges, CVE conflicts, exclusions. */
const DENSE = [...RECORD_IDS, 'cve-2020-0001', 'CVE-2020-0002', 'CVE-2020-0003', 'GHSA-cccc-cccc-cccc', 'X-1', 'X-2', 'X-3'];
/** Many ids and five aliases a record: flaws large enough to reach the cap of 32 ids. */
const WIDE = [...RECORD_IDS, 'CVE-2020-0002', ...Array.from({ length: 30 }, (_, i) => `W-${i}`)];

const recordsArb = (pool: readonly string[], minAliases: number, maxAliases: number): fc.Arbitrary<FlawRecord[]> =>
  fc
    .uniqueArray(
      fc.record({
        source: fc.constantFrom('osv', 'csaf', 'reporter'),
        id: fc.constantFrom(...RECORD_IDS),
        aliases: fc.uniqueArray(fc.constantFrom(...pool), { minLength: minAliases, maxLength: maxAliases }),
        withdrawn: fc.boolean(),
        affected: fc.constant([]),
        cwes: fc.constant([]),
      }),
      { minLength: 1, maxLength: 12, selector: (r) => r.id },
    )
    .map((rs) => rs.map((r, i) => ({ ...r, withdrawn: r.withdrawn && i % 4 === 0 })));

const decisionsArb = fc.array(
  fc.record({
    kind: fc.constantFrom('join' as const, 'separate' as const),
    a: fc.constantFrom(...RECORD_IDS),
    b: fc.constantFrom(...RECORD_IDS),
    day: fc.integer({ min: 1, max: 3 }),
  }),
  { maxLength: 5 },
).map((ds) =>
  ds.map((d, i): FlawDecision => ({ id: `d${i}`, kind: d.kind, records: [d.a, d.b], by: 'ana', at: new Date(Date.UTC(2026, 0, d.day)), reason: 'review' })),
);

const permutation = <T>(items: readonly T[]) => fc.shuffledSubarray([...items], { minLength: items.length, maxLength: items.length });

function checkGuarantees(records: readonly FlawRecord[], decisions: readonly FlawDecision[], r: Regrouping): void {
  const ids = new Set(records.map((x) => normaliseId(x.id)));
  const members = r.groups.flatMap((g) => g.members);
  expect(new Set(members)).toEqual(ids);
  expect(members).toHaveLength(ids.size);
  expect(new Set(r.groups.map((g) => g.id)).size).toBe(r.groups.length);
  const groupOf = new Map(r.groups.flatMap((g) => g.members.map((m) => [m, g] as const)));
  const inForce = effectiveDecisions(decisions);
  const joined = new Set(inForce.filter((d) => d.kind === 'join').flatMap((d) => d.records.map(normaliseId)));
  for (const x of records.filter((rec) => rec.withdrawn && records.filter((y) => normaliseId(y.id) === normaliseId(rec.id)).every((y) => y.withdrawn))) {
    expect(groupOf.get(normaliseId(x.id))?.members).toEqual([normaliseId(x.id)]);
  }
  // A merge the rule made (more than one record, no analyst's join) holds at most one CVE id and the cap.
  for (const g of r.groups.filter((x) => x.members.length > 1 && !x.members.some((m) => joined.has(m)))) {
    expect(new Set(g.members.flatMap((m) => namesOf({ id: m, aliases: records.filter((y) => normaliseId(y.id) === m && !y.withdrawn).flatMap((y) => y.aliases) })).filter(isCveId)).size).toBeLessThanOrEqual(1);
    expect(g.names.length).toBeLessThanOrEqual(FLAW_LIMITS.groupIds);
  }
  // Two records that share an id are one flaw, or a flag or an analyst says why not.
  const separated = (a: string, b: string) =>
    inForce.some((d) => d.kind === 'separate' && ((groupOf.get(normaliseId(d.records[0]))?.id === a && groupOf.get(normaliseId(d.records[1]))?.id === b) || (groupOf.get(normaliseId(d.records[0]))?.id === b && groupOf.get(normaliseId(d.records[1]))?.id === a)));
  const flagged = new Set(r.flags.map((f) => f.groups.join('|')));
  // Records the rule keeps out of every merge (each flagged until an analyst joins it to something).
  const excluded = new Set(records.filter((x) => exclusionOf({ ...x, aliases: records.filter((y) => normaliseId(y.id) === normaliseId(x.id)).flatMap((y) => y.aliases) }) !== undefined).map((x) => normaliseId(x.id)));
  for (const id of excluded) if (groupOf.get(id)?.members.length === 1 && !records.some((x) => normaliseId(x.id) === id && x.withdrawn)) expect(r.flags.some((f) => f.records.includes(id))).toBe(true);
  const live = [...ids].filter((id) => !records.filter((y) => normaliseId(y.id) === id).every((y) => y.withdrawn) && !excluded.has(id));
  const namesOfId = (id: string) => namesOf({ id, aliases: records.filter((y) => normaliseId(y.id) === id).flatMap((y) => y.aliases) });
  for (const a of live) {
    for (const b of live) {
      const [ga, gb] = [groupOf.get(a)?.id as string, groupOf.get(b)?.id as string];
      if (a >= b || ga === gb || !namesOfId(a).some((n) => namesOfId(b).includes(n))) continue;
      const pair = [ga, gb].sort().join('|');
      expect({ a, b, explained: flagged.has(pair) || separated(ga, gb) }).toEqual({ a, b, explained: true });
    }
  }
}

describe.each([
  ['dense', recordsArb(DENSE, 0, 4)],
  ['wide', recordsArb(WIDE, 4, 5)],
])('the grouping rule on generated records (%s ids)', (name, recordsArb) => {
  it('is a function of the set of records and decisions: any order, any duplicates', () => {
    fc.assert(
      fc.property(recordsArb, decisionsArb, fc.nat(), (records, decisions, n) => {
        const expected = regroup(records, decisions);
        const shuffled = fc.sample(fc.tuple(permutation(records), permutation(decisions)), { numRuns: 1, seed: n })[0]!;
        expect(regroup(shuffled[0], shuffled[1])).toEqual(expected);
        expect(regroup([...records, ...shuffled[0]], [...decisions, ...shuffled[1]])).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps its guarantees: a partition, unique ids, withdrawn alone, no two CVE ids or cap overrun unless joined, every shared id merged or explained', () => {
    fc.assert(
      fc.property(recordsArb, decisionsArb, (records, decisions) => checkGuarantees(records, decisions, regroup(records, decisions))),
      { numRuns: 400 },
    );
  });

  it('regrouping only the component of each arrival, found by _id reads, ends with the groups and flags of one regroup of everything', () => {
    fc.assert(
      fc.property(recordsArb, decisionsArb, fc.nat(), (records, decisions, n) => {
        const expected = regroup(records, decisions);
        const order = fc.sample(permutation(records), { numRuns: 1, seed: n })[0]!;
        const store = new FlawStoreModel(decisions);
        for (const r of order) store.arrive(r);
        expect(store.groups()).toEqual(expected.groups);
        expect(store.allFlags()).toEqual(expected.flags);
      }),
      { numRuns: 400 },
    );
  });

  it('generates the cases the rule is about (a test that can fail)', () => {
    const kinds = new Set(fc.sample(recordsArb, { numRuns: 300, seed: 7 }).flatMap((rs) => regroup(rs).flags.map((f) => f.kind)));
    expect(kinds).toContain(name === 'wide' ? 'cap' : 'cve-conflict');
  });

  it('undoing a decision restores the grouping from before it', () => {
    fc.assert(
      fc.property(recordsArb, decisionsArb, decisionsArb, (records, earlier, extra) => {
        const before = regroup(records, earlier);
        const d = extra[0];
        if (!d) return;
        const made = [...earlier, { ...d, id: 'the-decision', at: new Date(Date.UTC(2026, 5, 1)) }];
        regroup(records, made);
        expect(regroup(records, decisionsInForce(made, [{ decisionId: 'the-decision', by: 'ana', at: new Date(), reason: 'mistake' }]))).toEqual(before);
      }),
      { numRuns: 200 },
    );
  });
});
