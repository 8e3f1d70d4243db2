/**
 * Embargo and exploitation events, into CLEARINGHOUSE_EVENTS (DESIGN.md `clearinghouse.embargo.*`,
 * `clearinghouse.exploitation.reported`):
 * - `rampart.clearinghouse.embargo.started` / `.extended` / `.ended`: the flaw as the stream's
 *   audience may read it (`streamReader`: nobody's organisation, no role, the stream's ceiling),
 *   so never an embargoed flaw's details, nor the embargo's parties, changes or how it ended; the
 *   summary (id, status, TLP label, priority level, the embargo's status and end), the embargo's
 *   revision and `redactedFields` naming what was withheld (a consumer entitled to more asks the
 *   gRPC API);
 * - `rampart.clearinghouse.exploitation.reported`: the exploitation report itself (its reporter's
 *   own information: when, indicators of AI-enabled tooling, source), self-contained for
 *   enforcement, with the flaw as the stream's audience may read it and whether the report ended
 *   its embargo.
 */
import { createEvent, natsSubject, outboxEntry, type EventName, type OutboxEntry } from '@rampart/events';
import { formatZonedTime, isEmbargoActive, redactFlaw, streamReader, type Embargo, type ExploitationReport } from '../domain/coordination';
import { audienceOf } from '../embargoes/reader-views';
import type { FlawSubject } from '../embargoes/flaws';
import { AREA } from './report-events';

/** CLEARINGHOUSE_EVENTS is read by clearinghouse and government services, cleared for CUI. */
export const EVENTS_CEILING = 'CUI' as const;

export type EmbargoVerb = 'started' | 'extended' | 'ended';

export const embargoEventName = (verb: EmbargoVerb): EventName => ({ area: AREA, thing: 'embargo', verb });
export const EXPLOITATION_REPORTED: EventName = { area: AREA, thing: 'exploitation', verb: 'reported' };

/** The flaw as the stream's audience may read it at `now`. */
function streamView(flaw: FlawSubject, embargo: Embargo | undefined, now: Date) {
  const { value, redactedFields } = redactFlaw(flaw.record, audienceOf(flaw, embargo), streamReader(EVENTS_CEILING), now);
  return { ...value, redactedFields };
}

export function embargoEvent(verb: EmbargoVerb, embargo: Embargo, revision: number, flaw: FlawSubject, now: Date): OutboxEntry {
  const name = embargoEventName(verb);
  const data = { flawId: embargo.flawId, revision, flaw: streamView(flaw, embargo, now) };
  return outboxEntry(natsSubject(name), createEvent(name, embargo.flawId, data, now), now);
}

/** The event for the flaw's revision-th exploitation document; `embargo` as it stands after the report. */
export function exploitationEvent(report: ExploitationReport, flaw: FlawSubject, revision: number, embargo: Embargo | undefined, embargoEnded: boolean, now: Date): OutboxEntry {
  const data = {
    exploitationId: report.id,
    flawId: flaw.id,
    // The flaw as the reporter named it (its own words: the id it saw exploited).
    namedAs: report.flawId,
    revision,
    observedAt: formatZonedTime(report.observedAt),
    observedTime: report.observedAt.at.toISOString(),
    indicators: report.indicators,
    aiEnabledTooling: report.indicators.length > 0,
    otherIndicators: report.otherIndicators,
    source: report.source,
    tlp: report.tlp,
    reportedBy: report.reportedBy,
    reportedByOrganization: report.reportedByOrganization,
    reportedAt: report.reportedAt.toISOString(),
    embargoEnded,
    flaw: streamView(flaw, embargo, now),
  };
  return outboxEntry(natsSubject(EXPLOITATION_REPORTED), createEvent(EXPLOITATION_REPORTED, flaw.id, data, now), now);
}

/** What a report event keeps of its data while the report's flaw is embargoed: the summary and the move. */
export const REPORT_EVENT_SUMMARY: readonly string[] = ['reportId', 'revision', 'status', 'tlp'];
/** What a vulnerability event keeps: which one, its revision and state (never its records, names, flags or credits). */
export const VULNERABILITY_EVENT_SUMMARY: readonly string[] = ['vulnerabilityId', 'revision', 'state'];
/** What an analyst's merge or split keeps: the decision's id, kind and author (consumers read its records from the store). */
export const GROUPING_EVENT_SUMMARY: readonly string[] = ['decisionId', 'revision', 'kind', 'by', 'at'];

/**
 * Events written while their flaw is embargoed (a report's transition or rescore, a Vulnerability's
 * regroup) carry the summary only, as the stream's audience is no party: their data keeps `summary`
 * (REPORT_EVENT_SUMMARY or VULNERABILITY_EVENT_SUMMARY), the
 * status change without its reasons, the embargo's status and end, and `redactedFields` naming the
 * rest. Entries pass unchanged when no embargo runs.
 */
export function withheldDuringEmbargo(entries: OutboxEntry[], embargo: Embargo | undefined, now: Date, summary: readonly string[] = REPORT_EVENT_SUMMARY): OutboxEntry[] {
  if (!embargo || !isEmbargoActive(embargo, now)) return entries;
  return entries.map((entry) => {
    const event = JSON.parse(entry.payload) as { data?: Record<string, unknown> };
    const data = event.data ?? {};
    const kept: Record<string, unknown> = {};
    const withheld: string[] = [];
    for (const [key, value] of Object.entries(data)) {
      if (summary.includes(key) && (typeof value === 'string' || typeof value === 'number')) kept[key] = value;
      else if (key === 'change' && value && typeof value === 'object') {
        const { reasons: _r, ...move } = value as Record<string, unknown>;
        kept.change = move;
        withheld.push('change.reasons');
      } else withheld.push(key);
    }
    kept.embargo = { status: 'active', endsAt: formatZonedTime(embargo.endsAt) };
    kept.redactedFields = withheld.sort();
    return { ...entry, payload: JSON.stringify({ ...event, data: kept }) };
  });
}
