/** Between the wire (rampart.clearinghouse.v1) and the domain. */
import { enumTable } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import type { CveState, DiscoveryMethod, ReportDetails, ReportRevision, ReportSource, ReportStatus, StatusChange, TlpLabel, VulnerabilityReport } from '../domain/report';
import type { ReportDetailsInput } from '../domain/validation';
import { scoringToWire } from './scoring-mapping';

const { ReportStatus: S, ReportSource: R, DiscoveryMethod: D, TlpLabel: T, CveState: C } = v1;

export const statuses = enumTable<ReportStatus, v1.ReportStatus>([
  ['received', S.REPORT_STATUS_RECEIVED],
  ['invalid', S.REPORT_STATUS_INVALID],
  ['valid', S.REPORT_STATUS_VALID],
  ['accepted', S.REPORT_STATUS_ACCEPTED],
  ['deferred', S.REPORT_STATUS_DEFERRED],
  ['closed', S.REPORT_STATUS_CLOSED],
]);
const sources = enumTable<ReportSource, v1.ReportSource>([
  ['reporter', R.REPORT_SOURCE_REPORTER],
  ['sarif', R.REPORT_SOURCE_SARIF],
  ['osv', R.REPORT_SOURCE_OSV],
  ['csaf', R.REPORT_SOURCE_CSAF],
  ['cve', R.REPORT_SOURCE_CVE],
  ['kev', R.REPORT_SOURCE_KEV],
]);
const methods = enumTable<DiscoveryMethod, v1.DiscoveryMethod>([['human', D.DISCOVERY_METHOD_HUMAN], ['ai_model', D.DISCOVERY_METHOD_AI_MODEL], ['scanner', D.DISCOVERY_METHOD_SCANNER]]);
const labels = enumTable<TlpLabel, v1.TlpLabel>([
  ['CLEAR', T.TLP_LABEL_CLEAR],
  ['GREEN', T.TLP_LABEL_GREEN],
  ['AMBER', T.TLP_LABEL_AMBER],
  ['AMBER+STRICT', T.TLP_LABEL_AMBER_STRICT],
  ['RED', T.TLP_LABEL_RED],
]);
const cveStates = enumTable<CveState, v1.CveState>([['requested', C.CVE_STATE_REQUESTED], ['assigned', C.CVE_STATE_ASSIGNED]]);

/** A number the table does not name: undefined when it is 0 (unset), a value no rule accepts otherwise. */
function fromWire<Dom extends string, W extends number>(table: { fromWire: (w: W) => Dom | undefined }, value: W): string | undefined {
  return value === 0 ? undefined : (table.fromWire(value) ?? `unknown (${value})`);
}

export const statusFromWire = (value: v1.ReportStatus) => fromWire(statuses, value);

/** proto3 strings have no "unset": empty means not given; a present but empty message is given (and checked). */
export function detailsFromWire(d: v1.ReportDetails | undefined): ReportDetailsInput | undefined {
  if (!d) return undefined;
  const cve = d.cve && (d.cve.state !== C.CVE_STATE_UNSPECIFIED || d.cve.cna !== '' || d.cve.cveId !== '') ? d.cve : undefined;
  return {
    title: d.title,
    affectedProducts: d.affectedProducts.map((p) => ({
      purl: p.purl,
      ranges: p.ranges.map((r) => ({ introduced: r.introduced, fixed: r.fixed, lastAffected: r.lastAffected })),
      versions: [...p.versions],
    })),
    cweIds: [...d.cweIds],
    description: d.description,
    proof: d.proof,
    ...(d.discovery ? { discovery: { method: fromWire(methods, d.discovery.method), toolName: d.discovery.toolName, toolVersion: d.discovery.toolVersion } } : {}),
    ...(d.requestedEmbargo ? { requestedEmbargo: { endAt: d.requestedEmbargo.endTime, timeZone: d.requestedEmbargo.timeZone } } : {}),
    tlp: fromWire(labels, d.tlp),
    cvssVectors: [...d.cvssVectors],
    ...(cve ? { cve: { state: fromWire(cveStates, cve.state), cna: cve.cna, cveId: cve.cveId } } : {}),
  };
}

export function detailsToWire(d: ReportDetails): v1.ReportDetails {
  return {
    title: d.title,
    affectedProducts: d.affectedProducts.map((p) => ({
      purl: p.purl,
      ranges: p.ranges.map((r) => ({ introduced: r.introduced, fixed: r.fixed ?? '', lastAffected: r.lastAffected ?? '' })),
      versions: [...p.versions],
    })),
    cweIds: [...d.cweIds],
    description: d.description,
    proof: d.proof ?? '',
    discovery: { method: methods.toWire(d.discovery.method), toolName: d.discovery.toolName ?? '', toolVersion: d.discovery.toolVersion ?? '' },
    requestedEmbargo: d.requestedEmbargo ? { endTime: d.requestedEmbargo.endAt, timeZone: d.requestedEmbargo.timeZone } : undefined,
    tlp: labels.toWire(d.tlp),
    cvssVectors: [...d.cvssVectors],
    cve: d.cve ? { state: cveStates.toWire(d.cve.state), cna: d.cve.cna, cveId: d.cve.cveId ?? '' } : undefined,
  };
}

function changeToWire(c: StatusChange): v1.StatusChange {
  return { fromStatus: statuses.toWire(c.from), toStatus: statuses.toWire(c.to), changedBy: c.changedBy, changeTime: c.changedAt, reasons: [...c.reasons] };
}

export function reportToWire(r: VulnerabilityReport): v1.VulnerabilityReport {
  const { content, ...digest } = r.received;
  return {
    id: r.id,
    organization: r.organization,
    reportedBy: r.reportedBy,
    source: sources.toWire(r.source),
    details: detailsToWire(r.details),
    status: statuses.toWire(r.status),
    revision: r.revision,
    createTime: r.createdAt,
    updateTime: r.updatedAt,
    lastChange: r.lastChange ? changeToWire(r.lastChange) : undefined,
    received: { ...digest, content: content ? Buffer.from(content) : Buffer.alloc(0) },
    scoring: r.scoring ? scoringToWire(r.scoring) : undefined,
    // Set per reader by embargoes/reader-views.ts (every read is redacted there).
    embargo: undefined,
    withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED,
    redactedFields: [],
    // Set on GetReport by grpc/flaws.ts withFlawJoin (the flaw the report joined, once validated).
    flaw: undefined,
  };
}

export function revisionToWire(r: ReportRevision): v1.ReportRevision {
  return {
    revision: r.revision,
    change: r.change,
    status: statuses.toWire(r.status),
    changedBy: r.changedBy,
    changeTime: r.changedAt,
    statusChange: r.statusChange ? changeToWire(r.statusChange) : undefined,
    redactedFields: [],
  };
}
