/**
 * Vulnerabilities, decisions and import results on the wire. `vulnerabilityView` is the ONE place a
 * stored Vulnerability becomes what a reader receives: embargo redaction wraps it.
 */
import type { Caller } from '@rampart/auth';
import { enumTable } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import type { Problem } from '../domain/formats';
import type { ImportFormat } from '../flaws/advisory-store';
import type { ImportOutcome, ImportResult } from '../flaws/imports';
import type { DecisionDocument, StoredFlagKind, UndoDocument, VulnerabilityDocument, VulnerabilityStateName } from '../flaws/vulnerability-store';

const { AdvisoryFormat: F, ImportOutcome: O, VulnerabilityState: V, FlawFlagKind: K } = v1;

export const importFormats = enumTable<ImportFormat, v1.AdvisoryFormat>([['osv', F.ADVISORY_FORMAT_OSV], ['csaf', F.ADVISORY_FORMAT_CSAF], ['cve', F.ADVISORY_FORMAT_CVE]]);
const outcomes = enumTable<ImportOutcome, v1.ImportOutcome>([['stored', O.IMPORT_OUTCOME_STORED], ['replaced', O.IMPORT_OUTCOME_REPLACED], ['unchanged', O.IMPORT_OUTCOME_UNCHANGED], ['invalid', O.IMPORT_OUTCOME_INVALID]]);
const states = enumTable<VulnerabilityStateName, v1.VulnerabilityState>([['current', V.VULNERABILITY_STATE_CURRENT], ['merged', V.VULNERABILITY_STATE_MERGED], ['split', V.VULNERABILITY_STATE_SPLIT]]);
const flagKinds = enumTable<StoredFlagKind, v1.FlawFlagKind>([
  ['cve-conflict', K.FLAW_FLAG_KIND_CVE_CONFLICT],
  ['cap', K.FLAW_FLAG_KIND_CAP],
  ['decision-conflict', K.FLAW_FLAG_KIND_DECISION_CONFLICT],
  ['likely-duplicate', K.FLAW_FLAG_KIND_LIKELY_DUPLICATE],
]);

const problemToWire = (p: Problem): v1.FormatProblem => ({ pointer: p.pointer, message: p.message, rule: p.rule ?? '' });

export function importResultToWire(index: number, r: ImportResult): v1.ImportResult {
  return {
    index, outcome: outcomes.toWire(r.outcome), advisoryIds: r.advisoryIds,
    errors: r.errors.map(problemToWire), errorCount: r.errorCount, warnings: r.warnings.map(problemToWire), warningCount: r.warningCount,
  };
}

/** Analysts and auditors read it whole; a reporter (one of whose reports it holds) only its own credit and no flags or other reporters' reports. */
export function vulnerabilityView(doc: VulnerabilityDocument, caller: Caller, whole: boolean): v1.Vulnerability {
  const otherReports = new Set(doc.credits.filter((c) => c.sources.includes('reporter') && c.organization !== caller.organization).flatMap((c) => c.recordIds));
  const credits = whole ? doc.credits : doc.credits.filter((c) => c.organization === caller.organization);
  return {
    id: doc._id,
    state: states.toWire(doc.state),
    recordIds: whole ? doc.members : doc.members.filter((m) => !otherReports.has(m)),
    aliases: whole ? doc.names : doc.names.filter((n) => !otherReports.has(n)),
    cveIds: doc.cves,
    withdrawn: doc.withdrawn,
    flags: whole ? doc.flags.map((f) => ({ id: f.id, kind: flagKinds.toWire(f.kind), vulnerabilityIds: f.vulnerabilityIds, recordIds: f.recordIds, sharedIds: f.sharedIds, reason: f.reason, likelihood: f.likelihood ?? '' })) : [],
    credits: credits.map((c) => ({ reporter: c.reporter, organization: c.organization, sources: c.sources, firstReportTime: c.firstReportedAt, recordIds: c.recordIds })),
    mergedInto: doc.mergedInto ?? '',
    splitInto: doc.splitInto ?? [],
    revision: doc.revision,
    createTime: doc.createdAt,
    updateTime: doc.updatedAt,
    // Set per reader by embargoes/vulnerability-views.ts (GetVulnerability and ListVulnerabilities go through it).
    embargo: undefined,
    withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED,
    redactedFields: [],
  };
}

export function decisionToWire(doc: DecisionDocument, undo?: UndoDocument): v1.GroupingDecision {
  return {
    id: doc._id, kind: doc.kind, vulnerabilityIds: doc.vulnerabilityIds, recordIds: doc.recordIds, decidedBy: doc.by, decideTime: doc.at, reason: doc.reason,
    undoneBy: undo?.by ?? '', undoTime: undo?.at, undoReason: undo?.reason ?? '',
  };
}
