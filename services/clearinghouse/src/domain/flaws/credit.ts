/**
 * Credit for reporting a flaw, and telling a reporter where its report went. Both derive from the
 * groups (and who reported which record), so they too are a function of the records, whatever the
 * order they came in: the first reporter of a flaw is the one with the earliest report, not the
 * first one processed.
 */
import type { FlawGroup } from './grouping';
import { normaliseId } from './ids';

/** Who reported a record (a reporter's report; imported advisories have none). */
export interface ReportOrigin {
  recordId: string;
  reporter: string;
  organization: string;
  reportedAt: Date;
}

export interface ReporterCredit {
  reporter: string;
  organization: string;
  firstReportedAt: Date;
  /** That reporter's records in the flaw, sorted. */
  records: string[];
}

/** Everyone who reported a record of the flaw, first reporter first (then by organisation, reporter). */
export function creditsOf(group: Pick<FlawGroup, 'members'>, origins: readonly ReportOrigin[]): ReporterCredit[] {
  const members = new Set(group.members);
  const byReporter = new Map<string, ReporterCredit>();
  for (const o of origins) {
    const recordId = normaliseId(o.recordId);
    if (!members.has(recordId)) continue;
    const key = `${o.organization}\u0000${o.reporter}`;
    const credit = byReporter.get(key);
    if (!credit) {
      byReporter.set(key, { reporter: o.reporter, organization: o.organization, firstReportedAt: o.reportedAt, records: [recordId] });
      continue;
    }
    if (o.reportedAt.getTime() < credit.firstReportedAt.getTime()) credit.firstReportedAt = o.reportedAt;
    if (!credit.records.includes(recordId)) credit.records = [...credit.records, recordId].sort();
  }
  return [...byReporter.values()].sort(
    (a, b) => a.firstReportedAt.getTime() - b.firstReportedAt.getTime() || a.organization.localeCompare(b.organization) || a.reporter.localeCompare(b.reporter),
  );
}

/** A record now shares its flaw with records it did not before: its reporter is told which. */
export interface JoinNotice {
  recordId: string;
  /** The flaw (group id) it is now part of. */
  flawId: string;
  /** The records it joined (new companions), sorted. */
  joined: string[];
}

/**
 * The notices a regroup calls for: every record of `after` whose group holds records its group in
 * `before` did not (a new arrival joining a flaw, or a flaw merged into another), sorted by record.
 */
export function joinNotices(before: readonly FlawGroup[], after: readonly FlawGroup[]): JoinNotice[] {
  const companionsBefore = new Map<string, ReadonlySet<string>>();
  for (const g of before) for (const m of g.members) companionsBefore.set(m, new Set(g.members));
  const notices: JoinNotice[] = [];
  for (const g of after) {
    for (const m of g.members) {
      const had = companionsBefore.get(m) ?? new Set([m]);
      const joined = g.members.filter((x) => x !== m && !had.has(x));
      if (joined.length > 0) notices.push({ recordId: m, flawId: g.id, joined });
    }
  }
  return notices.sort((a, b) => (a.recordId < b.recordId ? -1 : 1));
}
