/**
 * What each reader is answered about an embargoed (or TLP-labelled) flaw, on the wire: every
 * response built from a flaw or a report of one goes through `redactFlaw` here. A reader not
 * entitled to the details gets a message built from the summary allow-list alone (never a full
 * message with fields blanked), so a field added to a report or a flaw later is withheld until
 * someone decides otherwise. `redacted_fields` names what was withheld, and the kit's audit record
 * of the call copies it (libs/grpc-kit audit.ts: `withheldFields`), as designation records fields
 * withheld for clearance.
 */
import { enumTable } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import {
  formatZonedTime, isEmbargoActive, redactFlaw, type Embargo, type EmbargoEndCause, type EmbargoParty, type FlawAudience, type Reader, type RedactedFlaw, type WithheldBecause,
} from '../domain/coordination';
import { REPORT_MARKING, type VulnerabilityReport } from '../domain/report';
import { reportToWire } from '../grpc/mapping';
import type { StoredEmbargo } from './embargo-store';
import { reportFlaw, type FlawRecordView, type FlawSubject } from './flaws';

const partyKinds = enumTable<EmbargoParty['kind'], v1.EmbargoPartyKind>([
  ['clearinghouse', v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_CLEARINGHOUSE],
  ['reporter', v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_REPORTER],
  ['vendor', v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_VENDOR],
  ['operator', v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_OPERATOR],
]);
const endCauses = enumTable<EmbargoEndCause, v1.EmbargoEndCause>([
  ['end-date', v1.EmbargoEndCause.EMBARGO_END_CAUSE_END_DATE],
  ['public', v1.EmbargoEndCause.EMBARGO_END_CAUSE_PUBLIC],
  ['exploited', v1.EmbargoEndCause.EMBARGO_END_CAUSE_EXPLOITED],
  ['lifted', v1.EmbargoEndCause.EMBARGO_END_CAUSE_LIFTED],
]);
const withheld = enumTable<WithheldBecause, v1.DetailsWithheld>([
  ['embargo', v1.DetailsWithheld.DETAILS_WITHHELD_EMBARGO],
  ['tlp', v1.DetailsWithheld.DETAILS_WITHHELD_TLP],
  ['clearance', v1.DetailsWithheld.DETAILS_WITHHELD_CLEARANCE],
]);

/** Who the flaw's details are for, with its embargo. */
export function audienceOf(flaw: Pick<FlawSubject, 'sources' | 'marking'>, embargo: Embargo | undefined): FlawAudience {
  return { sources: flaw.sources, marking: flaw.marking, ...(embargo ? { embargo } : {}) };
}

/** The embargo as a reader may see it: all of it for a reader of the details, else its status and end. */
export function embargoToWire(e: StoredEmbargo, details: boolean, now: Date): v1.Embargo {
  const summary = {
    flawId: e.flawId,
    status: isEmbargoActive(e, now) ? v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE : v1.EmbargoStatus.EMBARGO_STATUS_ENDED,
    endsAt: formatZonedTime(e.endsAt),
    endTime: e.endsAt.at,
  };
  if (!details) return v1.Embargo.fromPartial(summary);
  return v1.Embargo.fromPartial({
    ...summary,
    parties: e.parties.map((p) => ({ kind: partyKinds.toWire(p.kind), organization: p.kind === 'clearinghouse' ? '' : p.organization })),
    startedBy: e.startedBy,
    startTime: e.startedAt,
    changes: e.changes.map((c) => (c.kind === 'parties-added'
      ? { kind: c.kind, changedBy: c.by, changeTime: c.at, reason: c.reason, parties: c.parties.map((p) => ({ kind: partyKinds.toWire(p.kind), organization: p.kind === 'clearinghouse' ? '' : p.organization })) }
      : { kind: c.kind, changedBy: c.by, changeTime: c.at, reason: c.reason, previousEndsAt: formatZonedTime(c.previousEnd), newEndsAt: formatZonedTime(c.newEnd) })),
    ...(e.ended ? { ended: { cause: endCauses.toWire(e.ended.cause), endTime: e.ended.at, endedBy: e.ended.by ?? '', detail: e.ended.detail } } : {}),
    revision: e.revision,
  });
}

/** The flaw as `reader` may see it, with why and what was withheld. */
export function flawForReader(flaw: FlawSubject, embargo: StoredEmbargo | undefined, reader: Reader, now: Date): { flaw: v1.EmbargoedFlaw; details: boolean } {
  const r: RedactedFlaw<FlawRecordView> = redactFlaw(flaw.record, audienceOf(flaw, embargo), reader, now);
  const f = r.value;
  return {
    details: r.withheldBecause === undefined,
    flaw: v1.EmbargoedFlaw.fromPartial({
      id: f.id ?? flaw.id, status: f.status ?? '', tlp: f.tlp ?? '', priorityLevel: f.priorityLevel ?? '',
      title: f.title ?? '', description: f.description ?? '', proof: f.proof ?? '',
      affectedProducts: (f.affectedProducts ?? []).map((p) => ({ purl: p.purl, ranges: p.ranges.map((x) => ({ introduced: x.introduced, fixed: x.fixed ?? '', lastAffected: x.lastAffected ?? '' })), versions: p.versions })),
      cweIds: f.cweIds ?? [], aliases: f.aliases ?? [], fingerprints: f.fingerprints ?? [], cvssVectors: f.cvssVectors ?? [],
      reporterOrganizations: f.reporterOrganizations ?? [],
      withheldBecause: r.withheldBecause ? withheld.toWire(r.withheldBecause) : v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED,
      redactedFields: r.redactedFields,
    }),
  };
}

/**
 * A report as `reader` may see it. Its own organisation reads all of it (what it said), embargo or
 * not; any other reader (analysts, auditors) through redactFlaw: by embargo party, by the report's
 * TLP label and by its marking. Not entitled: id, status and details.tlp only, from the allow-list.
 */
export function reportForReader(report: VulnerabilityReport, embargo: StoredEmbargo | undefined, reader: Reader, now: Date): v1.VulnerabilityReport {
  const own = reader.organization !== '' && reader.organization === report.organization;
  const flaw = reportFlaw(report);
  // Its reporter is a party to what it reported, whoever else the embargo names.
  const audienceEmbargo = embargo && own ? { ...embargo, parties: [...embargo.parties, { kind: 'reporter' as const, organization: report.organization }] } : embargo;
  const { details, ...everything } = report;
  const record = { ...everything, ...details, tlp: details.tlp, status: report.status, id: report.id };
  // The report itself is CUI (REPORT_MARKING) for every reader but its own organisation.
  const r = redactFlaw(record, { sources: flaw.sources, marking: own ? 'UNCLASSIFIED' : REPORT_MARKING, ...(audienceEmbargo ? { embargo: audienceEmbargo } : {}) }, reader, now);
  const entitled = r.withheldBecause === undefined;
  const embargoView = embargo ? { embargo: embargoToWire(embargo, entitled, now) } : {};
  if (entitled) return { ...reportToWire(report), ...embargoView, withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED, redactedFields: r.redactedFields };
  const shown = r.value as { id?: string; status?: string; tlp?: string };
  const wire = reportToWire(report);
  return v1.VulnerabilityReport.fromPartial({
    id: shown.id ?? report.id,
    status: shown.status !== undefined ? wire.status : v1.ReportStatus.REPORT_STATUS_UNSPECIFIED,
    details: { tlp: shown.tlp !== undefined ? wire.details!.tlp : v1.TlpLabel.TLP_LABEL_UNSPECIFIED },
    ...embargoView,
    withheldBecause: withheld.toWire(r.withheldBecause!),
    redactedFields: r.redactedFields,
  });
}

/**
 * A report's history as `reader` may see it: the reasons of its status changes are the analysts'
 * words about the flaw, so a reader not entitled to the report's details gets the moves without them.
 */
export function revisionsForReader(report: VulnerabilityReport, embargo: StoredEmbargo | undefined, revisions: v1.ReportRevision[], reader: Reader, now: Date): v1.ReportRevision[] {
  if (reportForReader(report, embargo, reader, now).withheldBecause === v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED) return revisions;
  return revisions.map((r) => (r.statusChange ? { ...r, statusChange: { ...r.statusChange, reasons: [] }, redactedFields: ['statusChange.reasons'] } : r));
}

/** Reports as `reader` may see them, each with its flaw's embargo (one or two `_id` reads a report). */
export async function reportsForReader(embargoes: { embargoOfReport(r: VulnerabilityReport): Promise<StoredEmbargo | undefined> }, reports: readonly VulnerabilityReport[], reader: Reader, now: Date): Promise<v1.VulnerabilityReport[]> {
  const found = await Promise.all(reports.map((r) => embargoes.embargoOfReport(r)));
  return reports.map((r, i) => reportForReader(r, found[i], reader, now));
}
