/**
 * Credit and notices: two reports of one flaw from different sources end in one record, both
 * reporters credited (first reporter by the earliest report, whatever the arrival order), and a
 * reporter whose report joined a flaw is told which.
 */
import { creditsOf, joinNotices, regroup, type ReportOrigin } from '../src/domain/flaws';
import { rec } from './flaws-builders';
import { FlawStoreModel } from './flaws-service-model';

const origins: ReportOrigin[] = [
  { recordId: 'report-b', reporter: 'bob@lab', organization: 'lab', reportedAt: new Date('2026-03-02T10:00:00Z') },
  { recordId: 'report-a', reporter: 'ann@ai-co', organization: 'ai-co', reportedAt: new Date('2026-03-01T09:00:00Z') },
  { recordId: 'report-a2', reporter: 'ann@ai-co', organization: 'ai-co', reportedAt: new Date('2026-02-28T09:00:00Z') },
  { recordId: 'elsewhere', reporter: 'eve@x', organization: 'x', reportedAt: new Date('2026-01-01T00:00:00Z') },
];

describe('credit for reporting a flaw', () => {
  const records = [
    rec('report-a', ['CVE-2026-1234'], { source: 'reporter' }),
    rec('GHSA-abcd-efgh-ijkl', ['CVE-2026-1234'], { source: 'osv' }),
    rec('report-b', ['GHSA-abcd-efgh-ijkl'], { source: 'reporter' }),
    rec('report-a2', ['CVE-2026-1234'], { source: 'reporter' }),
  ];

  it('two reports of one flaw from different sources end in one record, every reporter credited once, first reporter first', () => {
    const { groups } = regroup(records);
    expect(groups.map((g) => [g.id, g.members])).toEqual([['CVE-2026-1234', ['GHSA-abcd-efgh-ijkl', 'report-a', 'report-a2', 'report-b']]]);
    const credits = creditsOf(groups[0]!, origins);
    expect(credits).toEqual([
      { reporter: 'ann@ai-co', organization: 'ai-co', firstReportedAt: new Date('2026-02-28T09:00:00Z'), records: ['report-a', 'report-a2'] },
      { reporter: 'bob@lab', organization: 'lab', firstReportedAt: new Date('2026-03-02T10:00:00Z'), records: ['report-b'] },
    ]);
    expect(creditsOf(groups[0]!, [...origins].reverse())).toEqual(credits);
  });

  it('tells the reporter of an arriving duplicate which flaw and records it joined; a record arriving alone gets no notice', () => {
    const store = new FlawStoreModel();
    const first = store.arrive(records[0]!);
    expect(joinNotices(first.before, first.after)).toEqual([]);
    store.arrive(records[1]!);
    const { before, after } = store.arrive(records[2]!);
    expect(joinNotices(before, after)).toEqual([
      { recordId: 'GHSA-abcd-efgh-ijkl', flawId: 'CVE-2026-1234', joined: ['report-b'] },
      { recordId: 'report-a', flawId: 'CVE-2026-1234', joined: ['report-b'] },
      { recordId: 'report-b', flawId: 'CVE-2026-1234', joined: ['GHSA-abcd-efgh-ijkl', 'report-a'] },
    ]);
    // Imported again: nothing new to tell.
    const again = store.arrive(records[2]!);
    expect(joinNotices(again.before, again.after)).toEqual([]);
  });
});
