/**
 * What a reader may see of a flaw: redaction by embargo party, by TLP label and by clearance
 * marking, in that order. Every response and every event built from a flaw goes through
 * `redactFlaw` (an event with the reader `streamReader(ceiling)`: a stream's audience is nobody's
 * organisation and holds no role, so it never reads an embargoed flaw's details).
 *
 * Details are everything but the summary. The summary is an allow-list, not a deny-list, so a
 * field added to the flaw record later is a detail until someone decides otherwise:
 *
 *   id             the flaw's Rampart id (that the flaw exists, to be referred to)
 *   status         where it stands (validated, ...)
 *   tlp            its label (the most restrictive of its sources'; tells who may read, not what)
 *   priorityLevel  the coarse priority level alone, so an operator can plan for it; never the
 *                  score, vector, reasons or KEV and SSVC inputs behind it
 *   embargo        only `status` (active, ended) and `endsAt` (when the details come)
 *
 * and only when each is a plain string, number or boolean. Details, for the record: title,
 * description, proof or reproduction, affected products (purls, version ranges), CWE, locations,
 * fingerprints, aliases and CVE ids (a vendor id names the product), scores and their vectors,
 * reporters and credits (who found what), sources and what was received, the embargo's parties
 * (a vendor names the product), its changes (reasons explain the fix) and how it ended.
 *
 * The embargo shown is the audience's (`FlawAudience.embargo`); an `embargo` field of the record
 * itself is never copied out.
 *
 * A reader who may not read the details gets the summary and `redactedFields` naming every
 * withheld field (as @rampart/auth's `redact` names them), and `withheldBecause` says which rule
 * withheld them (for the audit trail: a field name, never a value). A reader who may gets the whole
 * record, its details marked at the flaw's clearance marking and redacted by @rampart/auth's
 * `redact`: a party below that marking still gets only the summary.
 */
import { clearanceAtLeast, markEach, redact, type Caller, type Clearance, type Marking } from '@rampart/auth';
import { embargoEndAt, isEmbargoParty, partyOrganizations, type Embargo, type EmbargoChange, type EmbargoEnd, type EmbargoParty } from './embargo';
import { DEFAULT_REPORT_TLP, mostRestrictiveTlp, tlpAllows, type TlpLabel, type TlpSource } from './tlp';
import { formatZonedTime } from './zoned-time';

/** Fields a reader who may not read the details still sees (see above). */
export const SUMMARY_FIELDS = ['id', 'status', 'tlp', 'priorityLevel'] as const;
/** The embargo fields only a reader of the details sees. */
export const EMBARGO_DETAIL_FIELDS = ['embargo.parties', 'embargo.startedBy', 'embargo.startedAt', 'embargo.changes', 'embargo.ended'] as const;

export type Reader = Pick<Caller, 'organization' | 'roles' | 'clearance'>;

/** Who a flaw's details are for: its sources' labels, the organisations it is shared with, its embargo, its marking. */
export interface FlawAudience {
  /** Each input's organisation and label (one per report or imported record merged into the flaw). */
  sources: readonly TlpSource[];
  /** Organisations the clearinghouse shared the flaw with on need to know (AMBER), besides embargo parties. */
  recipients?: readonly string[];
  embargo?: Embargo;
  /** The details' clearance marking; UNCLASSIFIED when none is given. */
  marking?: Marking;
}

export type WithheldBecause = 'embargo' | 'tlp' | 'clearance';

export type EmbargoSummary = { status: 'active' | 'ended'; endsAt: string };
export type EmbargoView = EmbargoSummary & { parties: EmbargoParty[]; startedBy: string; startedAt: Date; changes: EmbargoChange[]; ended?: EmbargoEnd };

export type FlawView<T> = { [K in Exclude<keyof T, 'embargo'>]?: T[K] } & { embargo?: EmbargoSummary | EmbargoView };

export interface RedactedFlaw<T> {
  value: FlawView<T>;
  /** Withheld field paths, sorted: field names only, never values. */
  redactedFields: string[];
  /** Why the details were withheld; absent when the reader got them. */
  withheldBecause?: WithheldBecause;
}

/** The reader that stands for a stream's audience: no organisation, no role, the stream's ceiling. */
export function streamReader(ceiling: Clearance): Reader {
  return { organization: '', roles: [], clearance: ceiling };
}

/** The label shown on the flaw: the most restrictive of its sources' (the report default when it has none). */
export function flawTlp(audience: Pick<FlawAudience, 'sources'>): TlpLabel {
  return audience.sources.length === 0 ? DEFAULT_REPORT_TLP : mostRestrictiveTlp(...audience.sources.map((s) => s.tlp));
}

/** Whether `reader` may read the flaw's details at `now`, and if not, which rule says no. */
export function detailsWithheldBecause(audience: FlawAudience, reader: Reader, now: Date): WithheldBecause | undefined {
  const { embargo } = audience;
  if (embargo && !embargoEndAt(embargo, now) && !isEmbargoParty(embargo, reader)) return 'embargo';
  const needToKnow = [...(audience.recipients ?? []), ...(embargo ? partyOrganizations(embargo) : [])];
  // A flaw without a recorded source is held as an AMBER report of nobody's: the clearinghouse's and its recipients'.
  const sources = audience.sources.length > 0 ? audience.sources : [{ organization: '', tlp: DEFAULT_REPORT_TLP }];
  if (!sources.every((s) => tlpAllows(s, reader, needToKnow))) return 'tlp';
  if (!clearanceAtLeast(reader.clearance, audience.marking ?? 'UNCLASSIFIED')) return 'clearance';
  return undefined;
}

function isShown(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function embargoSummary(embargo: Embargo, now: Date): EmbargoSummary {
  return { status: embargoEndAt(embargo, now) ? 'ended' : 'active', endsAt: formatZonedTime(embargo.endsAt) };
}

/** `flaw` as `reader` may see it at `now` (see the file's comment for what is a detail). */
export function redactFlaw<T extends { id: string }>(flaw: T, audience: FlawAudience, reader: Reader, now: Date): RedactedFlaw<T> {
  const entries = Object.entries(flaw).filter(([key]) => key !== 'embargo');
  const because = detailsWithheldBecause(audience, reader, now);
  const { embargo } = audience;

  if (because === undefined) {
    // Entitled by party and label: the details' marking still applies, through the one redaction every record uses.
    const summary = Object.fromEntries(entries.filter(([k, v]) => (SUMMARY_FIELDS as readonly string[]).includes(k) && isShown(v)));
    const details = Object.fromEntries(entries.filter(([k]) => !(k in summary)));
    const { value, redactedFields } = redact({ ...markEach('UNCLASSIFIED', summary), ...markEach(audience.marking ?? 'UNCLASSIFIED', details) }, reader.clearance);
    const view = { ...value } as Record<string, unknown>;
    if (embargo) {
      view.embargo = { ...embargoSummary(embargo, now), parties: embargo.parties, startedBy: embargo.startedBy, startedAt: embargo.startedAt, changes: embargo.changes, ...(embargo.ended ? { ended: embargo.ended } : {}) } satisfies EmbargoView;
    }
    return { value: view as FlawView<T>, redactedFields: [...redactedFields].sort() };
  }

  // Built from the allow-list: nothing reaches this view unless it is named above.
  const view: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const [key, value] of entries) {
    if ((SUMMARY_FIELDS as readonly string[]).includes(key) && isShown(value)) view[key] = value;
    else withheld.push(key);
  }
  if (embargo) {
    view.embargo = embargoSummary(embargo, now);
    withheld.push(...EMBARGO_DETAIL_FIELDS);
  }
  return { value: view as FlawView<T>, redactedFields: withheld.sort(), withheldBecause: because };
}
