/**
 * One record per flaw, on CLEARINGHOUSE_EVENTS (CUI):
 * - `rampart.clearinghouse.record.imported`: a feed's record stored (new or replaced bytes; valid or
 *   not). Subject `<source>:<record id>`; data its ids and state, never its text. The regroup consumer
 *   groups it; embargoes may end on it (an import naming a flaw's id makes the flaw public).
 * - `rampart.clearinghouse.grouping.decided` / `.undone`: an analyst's merge or split, and its undo.
 * - `rampart.clearinghouse.vulnerability.validated`: a Vulnerability came to be, or its records,
 *   names, flags or credits changed; `.merged`: records of two or more vulnerabilities became one
 *   (on the one they became, and on each one merged away); `.split`: a vulnerability's records went
 *   to several (on each); `.flagged`: a merge the rule refused (two CVE ids, the cap, a decision it
 *   could not apply) or a likely duplicate by fingerprint, for an analyst.
 * Data carries ids, flags and credits only: a flaw's description and proof stay in its records.
 */
import { createEvent, natsSubject, outboxEntry, type EventName, type OutboxEntry } from '@rampart/events';
import { AREA } from './report-events';

export type VulnerabilityVerb = 'validated' | 'merged' | 'split' | 'flagged';

const name = (thing: string, verb: string): EventName => ({ area: AREA, thing, verb });

export interface RecordImportedData {
  advisoryId: string;
  revision: number;
  source: string;
  recordId: string;
  /** The record's id as grouped (normalised). */
  flawId: string;
  state: 'accepted' | 'invalid';
  aliases: string[];
  withdrawn: boolean;
  sha256: string;
  importedBy: string;
  importedAt: string;
}

export function recordImportedEvent(data: RecordImportedData, now: Date): OutboxEntry {
  const n = name('record', 'imported');
  return outboxEntry(natsSubject(n), createEvent(n, data.advisoryId, data, now), now);
}

export interface GroupingEventData {
  decisionId: string;
  revision: number;
  kind: 'merge' | 'split';
  vulnerabilityIds: string[];
  recordIds: string[];
  by: string;
  at: string;
  reason: string;
  undone?: { by: string; at: string; reason: string };
}

export function groupingEvent(verb: 'decided' | 'undone', data: GroupingEventData, now: Date): OutboxEntry {
  const n = name('grouping', verb);
  return outboxEntry(natsSubject(n), createEvent(n, data.decisionId, data, now), now);
}

export interface VulnerabilityEventData {
  vulnerabilityId: string;
  revision: number;
  state: string;
  recordIds: string[];
  aliases: string[];
  cveIds: string[];
  withdrawn: boolean;
  flags: { id: string; kind: string; vulnerabilityIds: string[]; recordIds: string[]; reason: string }[];
  credits: { reporter: string; organization: string; sources: string[]; recordIds: string[] }[];
  mergedInto?: string;
  splitInto?: string[];
  /** On `.merged`: the vulnerabilities whose records it now holds. */
  mergedFrom?: string[];
  /** On `.flagged`: the flags new with this change. */
  newFlags?: string[];
}

export function vulnerabilityEvent(verb: VulnerabilityVerb, data: VulnerabilityEventData, now: Date): OutboxEntry {
  const n = name('vulnerability', verb);
  return outboxEntry(natsSubject(n), createEvent(n, data.vulnerabilityId, data, now), now);
}

/** Subjects the regroup consumer applies, one at a time across replicas. */
export const REGROUP_SUBJECTS = [
  natsSubject(name('record', 'imported')),
  natsSubject(name('report', 'validated')),
  natsSubject(name('grouping', 'decided')),
  natsSubject(name('grouping', 'undone')),
];
