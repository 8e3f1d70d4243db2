/**
 * The one-record-per-flaw rule on small cases: aliases direct and transitive, the CVE and cap
 * exceptions flagged with reasons, withdrawn and over-broad records alone, stable group ids, and
 * analysts' joins and separations that undo cleanly.
 */
import { FLAW_LIMITS, type FlawDecision, effectiveDecisions, regroup } from '../src/domain/flaws';
import { decision, rec } from './flaws-builders';

const membersOf = (r: ReturnType<typeof regroup>) => r.groups.map((g) => g.members);

describe('grouping by aliases', () => {
  it('joins records that name each other, directly or through others, whatever the source', () => {
    const r = regroup([
      rec('PYSEC-2021-1', ['CVE-2021-1000', 'GHSA-aaaa-bbbb-cccc']),
      rec('GHSA-aaaa-bbbb-cccc', ['CVE-2021-1000'], { source: 'github' }),
      rec('RHSA-2021:77', ['GHSA-AAAA-BBBB-CCCC'], { source: 'csaf' }), // another spelling of the same GHSA id
      rec('report-42', ['PYSEC-2021-1'], { source: 'reporter' }),
      rec('OSV-2021-9', ['OTHER-1']),
    ]);
    expect(r.groups.map((g) => [g.id, g.members])).toEqual([
      ['CVE-2021-1000', ['GHSA-aaaa-bbbb-cccc', 'PYSEC-2021-1', 'RHSA-2021:77', 'report-42']],
      ['OSV-2021-9', ['OSV-2021-9']],
    ]);
    expect(r.flags).toEqual([]);
  });

  it('joins two records through an id neither is (a shared alias), and chains of them', () => {
    const r = regroup([rec('A-1', ['X']), rec('B-1', ['X', 'Y']), rec('C-1', ['Y'])]);
    expect(membersOf(r)).toEqual([['A-1', 'B-1', 'C-1']]);
    expect(r.groups[0]?.id).toBe('A-1'); // no CVE: the smallest member id
  });

  it('names a flaw by its CVE id, or its smallest member id, the same on every regroup', () => {
    const records = [rec('PYSEC-1', ['CVE-2020-0005']), rec('GHSA-zzzz-zzzz-zzzz', ['PYSEC-1'])];
    expect(regroup(records).groups[0]?.id).toBe('CVE-2020-0005');
    expect(regroup([...records].reverse()).groups[0]?.id).toBe('CVE-2020-0005');
    const noCve = [rec('PYSEC-2', ['GHSA-zzzz-zzzz-zzzz']), rec('GHSA-zzzz-zzzz-zzzz')];
    expect(regroup(noCve).groups.map((g) => g.id)).toEqual(['GHSA-zzzz-zzzz-zzzz']);
    expect(regroup([noCve[0]!]).groups.map((g) => g.id)).toEqual(['PYSEC-2']); // an alias is not a member
  });

  it('changes nothing when a record is imported twice', () => {
    const records = [rec('A-1', ['CVE-2020-0001']), rec('B-1', ['CVE-2020-0001'])];
    expect(regroup([...records, ...records, records[0]!])).toEqual(regroup(records));
  });
});

describe('merges the rule does not make', () => {
  it('flags, and does not make, a merge that would put two CVE ids in one flaw', () => {
    const r = regroup([rec('PYSEC-1', ['CVE-2021-0001', 'GHSA-xxxx-xxxx-xxxx']), rec('PYSEC-2', ['CVE-2021-0002', 'GHSA-xxxx-xxxx-xxxx']), rec('PYSEC-3', ['CVE-2021-0001'])]);
    expect(r.groups.map((g) => [g.id, g.members])).toEqual([
      ['CVE-2021-0001', ['PYSEC-1', 'PYSEC-3']],
      ['CVE-2021-0002', ['PYSEC-2']],
    ]);
    expect(r.flags).toEqual([
      {
        id: 'cve-conflict:CVE-2021-0001|CVE-2021-0002',
        kind: 'cve-conflict',
        groups: ['CVE-2021-0001', 'CVE-2021-0002'],
        records: ['PYSEC-1', 'PYSEC-2'],
        sharedIds: ['GHSA-xxxx-xxxx-xxxx'],
        reason: 'CVE-2021-0001 (CVE-2021-0001) and CVE-2021-0002 (CVE-2021-0002) are linked by GHSA-xxxx-xxxx-xxxx: merging them would put two different CVE ids in one flaw',
      },
    ]);
  });

  it('never lets a record without a CVE id bridge two flaws with different ones', () => {
    const r = regroup([rec('A', ['CVE-2021-0001', 'G1']), rec('B', ['CVE-2021-0002', 'G2']), rec('BRIDGE', ['G1', 'G2'])]);
    expect(r.groups.every((g) => g.cves.length <= 1)).toBe(true);
    expect(r.flags.map((f) => f.kind)).toEqual(['cve-conflict']);
  });

  it('keeps a record that itself names two CVE ids alone, flagged', () => {
    const r = regroup([rec('GHSA-both-both-both', ['CVE-2021-0001', 'CVE-2021-0002']), rec('P1', ['CVE-2021-0001']), rec('P2', ['CVE-2021-0002'])]);
    expect(membersOf(r)).toEqual([['P1'], ['P2'], ['GHSA-both-both-both']]);
    expect(r.flags).toEqual([expect.objectContaining({ id: 'cve-conflict:GHSA-both-both-both', kind: 'cve-conflict', groups: ['GHSA-both-both-both'] })]);
    expect(r.flags[0]?.reason).toBe('GHSA-both-both-both itself names CVE-2021-0001 and CVE-2021-0002: it is merged with neither until an analyst decides');
  });

  it(`keeps a record naming more than ${FLAW_LIMITS.aliasesPerRecord} aliases alone, flagged (OSV's per-record limit)`, () => {
    const broad = rec('BROAD', ['A', 'B', 'C', 'D', 'E', 'F']);
    const r = regroup([broad, rec('R1', ['A']), rec('R2', ['F'])]);
    expect(membersOf(r)).toEqual([['BROAD'], ['R1'], ['R2']]);
    expect(r.flags.map((f) => [f.id, f.kind])).toEqual([['cap:BROAD', 'cap']]);
    // Five aliases are allowed.
    expect(membersOf(regroup([rec('OK', ['A', 'B', 'C', 'D', 'E']), rec('R1', ['A'])]))).toEqual([['OK', 'R1']]);
  });

  it(`flags, and does not make, a merge that would make a flaw known by more than ${FLAW_LIMITS.groupIds} ids`, () => {
    // A chain: each record names the previous link and four ids of its own (six names each).
    const chain = Array.from({ length: 8 }, (_, i) => rec(`R${i}`, [`L${i}`, `L${i + 1}`, `X${i}a`, `X${i}b`, `X${i}c`]));
    const r = regroup(chain);
    expect(r.groups.every((g) => g.names.length <= FLAW_LIMITS.groupIds)).toBe(true);
    expect(r.groups.length).toBeGreaterThan(1);
    const cap = r.flags.filter((f) => f.kind === 'cap');
    expect(cap).toHaveLength(1);
    expect(cap[0]?.reason).toMatch(/merging them would make one flaw known by \d+ ids, above the cap of 32$/);
    expect(regroup(chain.slice(0, 5)).groups).toHaveLength(1); // 5 records: 5 x 5 + 1 = 26 ids, under the cap
  });
});

describe('withdrawn advisories', () => {
  it('stay readable, alone, and never merge, whoever names them or their aliases', () => {
    const r = regroup([rec('PYSEC-W', ['CVE-2020-0009', 'GHSA-wwww-wwww-wwww'], { withdrawn: true }), rec('LIVE-1', ['PYSEC-W', 'CVE-2020-0009']), rec('LIVE-2', ['GHSA-wwww-wwww-wwww'])]);
    expect(r.groups.find((g) => g.members.includes('PYSEC-W'))).toMatchObject({ id: 'PYSEC-W', members: ['PYSEC-W'], withdrawn: true, names: ['CVE-2020-0009', 'GHSA-wwww-wwww-wwww', 'PYSEC-W'] });
    expect(r.groups.find((g) => g.members.includes('LIVE-1'))?.members).toEqual(['LIVE-1']);
    expect(r.flags).toEqual([]);
  });

  it('a withdrawn (rejected) CVE record keeps its id; the live flaw naming that CVE takes its smallest member id', () => {
    const r = regroup([rec('CVE-2020-0007', [], { withdrawn: true, source: 'cve' }), rec('PYSEC-7', ['CVE-2020-0007'])]);
    expect(r.groups.map((g) => [g.id, g.members])).toEqual([
      ['CVE-2020-0007', ['CVE-2020-0007']],
      ['PYSEC-7', ['PYSEC-7']],
    ]);
  });

  it('are not joined even by an analyst: the join is flagged instead', () => {
    const r = regroup([rec('W', [], { withdrawn: true }), rec('L')], [decision('join', 'W', 'L', undefined, 'join-w')]);
    expect(membersOf(r)).toEqual([['L'], ['W']]);
    expect(r.flags).toEqual([expect.objectContaining({ id: 'decision-conflict:join-w', kind: 'decision-conflict', groups: ['L', 'W'] })]);
  });
});

describe("analysts' merges and splits", () => {
  const conflicted = [rec('P1', ['CVE-2021-0001', 'G']), rec('P2', ['CVE-2021-0002', 'G'])];

  it('a join merges what the rule refused (two CVE ids for one flaw), and clears the flag', () => {
    const r = regroup(conflicted, [decision('join', 'P1', 'P2')]);
    expect(r.groups.map((g) => [g.id, g.members, g.cves])).toEqual([['P1', ['P1', 'P2'], ['CVE-2021-0001', 'CVE-2021-0002']]]);
    expect(r.flags).toEqual([]);
  });

  it('a separation splits what the rule merged; undoing it restores the previous grouping', () => {
    const records = [rec('A', ['CVE-2022-0001']), rec('B', ['CVE-2022-0001']), rec('C', ['CVE-2022-0001'])];
    const split = decision('separate', 'A', 'B');
    const r = regroup(records, [split]);
    expect(r.groups.find((g) => g.members.includes('A'))?.members).not.toContain('B');
    expect(r.flags).toEqual([]); // an analyst's call is not flagged back to the analyst
    expect(regroup(records, [])).toEqual(regroup(records));
    expect(membersOf(regroup(records, []))).toEqual([['A', 'B', 'C']]);
  });

  it('the latest decision about a pair counts; undoing it brings the earlier one back', () => {
    const join = decision('join', 'P1', 'P2', '2026-01-01T00:00:00Z');
    const separate = decision('separate', 'P2', 'P1', '2026-02-01T00:00:00Z');
    expect(effectiveDecisions([separate, join])).toEqual([separate]);
    expect(membersOf(regroup(conflicted, [join, separate]))).toEqual([['P1'], ['P2']]);
    expect(membersOf(regroup(conflicted, [join]))).toEqual([['P1', 'P2']]);
  });

  it('a join that a separation in force contradicts (through a third record) is flagged, not made', () => {
    const records = [rec('A'), rec('B'), rec('C')];
    const decisions: FlawDecision[] = [decision('separate', 'A', 'C', '2026-01-01T00:00:00Z'), decision('join', 'A', 'B', '2026-01-02T00:00:00Z'), decision('join', 'B', 'C', '2026-01-03T00:00:00Z', 'join-bc')];
    const r = regroup(records, decisions);
    expect(membersOf(r)).toEqual([['A', 'B'], ['C']]);
    expect(r.flags.map((f) => f.id)).toEqual(['decision-conflict:join-bc']);
    expect(regroup(records, [...decisions].reverse())).toEqual(r);
  });
});
