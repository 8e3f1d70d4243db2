/** KEV status against the real catalog snapshot (1,404 entries), due dates before the listing included. */
import { kevCveIds, kevStatus, NOT_IN_KEV, type KevEntry } from '../src/domain/scoring';
import { readConformance } from './scoring-fixtures';

const catalog = JSON.parse(readConformance('kev', 'known_exploited_vulnerabilities.json')) as { vulnerabilities: KevEntry[] };
const entries = catalog.vulnerabilities;

describe('KEV status', () => {
  it('finds every catalog entry by its CVE id, in any case, with its dates', () => {
    const wrong: string[] = [];
    for (const e of entries) {
      const s = kevStatus(['GHSA-xxxx-yyyy-zzzz', e.cveID.toLowerCase()], entries);
      if (!s.listed || s.cveId !== e.cveID || s.dateAdded !== e.dateAdded || s.dueDate !== e.dueDate || s.knownRansomwareCampaignUse !== (e.knownRansomwareCampaignUse === 'Known')) wrong.push(e.cveID);
    }
    expect(entries).toHaveLength(1404);
    expect(wrong).toEqual([]);
  });

  it('reports entries whose due date precedes their listing as they are, flagged', () => {
    const early = entries.filter((e) => e.dueDate < e.dateAdded);
    expect(early.length).toBe(15);
    for (const e of early) expect(kevStatus([e.cveID], entries)).toMatchObject({ listed: true, dueBeforeAdded: true, dateAdded: e.dateAdded, dueDate: e.dueDate });
    // PrintNightmare: listed 2021-11-03, due 2021-07-20 under ED 21-04.
    expect(kevStatus(['CVE-2021-34527'], entries)).toEqual({
      listed: true, cveId: 'CVE-2021-34527', dateAdded: '2021-11-03', dueDate: '2021-07-20', dueBeforeAdded: true, knownRansomwareCampaignUse: true,
      requiredAction: 'Apply updates per vendor instructions.', alsoListed: [],
    });
  });

  it('is not listed when none of the flaw\'s ids is a listed CVE', () => {
    expect(kevStatus(['CVE-1999-99999', 'GHSA-4xqq-m2hx-25v8', 'PYSEC-2021-1'], entries)).toEqual(NOT_IN_KEV);
    expect(kevStatus([], entries)).toEqual(NOT_IN_KEV);
    expect(kevStatus(['CVE-2021-34527'], [])).toEqual(NOT_IN_KEV);
  });

  it('takes the entry listed first when several of the flaw\'s CVE ids are listed, whatever their order', () => {
    const a: KevEntry = { cveID: 'CVE-2024-0002', dateAdded: '2024-03-01', dueDate: '2024-03-22' };
    const b: KevEntry = { cveID: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23', knownRansomwareCampaignUse: 'Unknown' };
    const expected = { listed: true, cveId: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23', dueBeforeAdded: false, knownRansomwareCampaignUse: false, alsoListed: ['CVE-2024-0002'] };
    expect(kevStatus(['cve-2024-0002', 'CVE-2024-0001'], [a, b])).toEqual(expected);
    expect(kevStatus(['CVE-2024-0001', 'CVE-2024-0002'], [b, a])).toEqual(expected);
    // Same day: the lower id.
    expect(kevStatus(['CVE-2024-0001', 'CVE-2024-0002'], [{ ...a, dateAdded: b.dateAdded }, b])).toMatchObject({ cveId: 'CVE-2024-0001' });
  });

  it('lets a later entry for the same CVE (a newer catalog) replace an earlier one', () => {
    const old: KevEntry = { cveID: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23' };
    expect(kevStatus(['CVE-2024-0001'], [old, { ...old, dueDate: '2024-02-01' }])).toMatchObject({ dueDate: '2024-02-01' });
  });

  it('reads the CVE ids among a flaw\'s ids: upper case, sorted, once each', () => {
    expect(kevCveIds(['GHSA-abcd-efgh-ijkl', ' cve-2024-12345 ', 'CVE-2024-12345', 'CVE-2023-0001', 'CVE-24-1', 'OSV-2024-1'])).toEqual(['CVE-2023-0001', 'CVE-2024-12345']);
  });
});
