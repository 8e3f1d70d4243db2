/**
 * A report's scores and priority, as stored in the report and carried by its events: the CVSS
 * vectors scored (the reporter's, then the analyst's on validation), the SSVC decision an analyst
 * made, the KEV status of the CVE ids it names, the exploitation reported, and the priority that
 * combines them (domain/scoring/priority.ts). Pure: the service reads KEV entries and hands them in.
 *
 * Whatever changes an input (validation, a KEV listing, exploitation reported) recomputes the whole
 * from the stored inputs with `rescore`; the service records and announces the result only when the
 * priority differs (`samePriority`).
 */
import type { FieldViolation } from '@rampart/errors';
import {
  cvssVectorField, decideSsvc, NO_EXPLOITATION, NOT_IN_KEV, prioritise, samePriority, scoreCvss, ssvcDecisionPointsField, kevCveIds,
  type CvssSeverity, type CvssVersion, type ExploitationReports, type KevStatus, type Priority, type SsvcDecision, type SsvcDecisionPoints, type SsvcTable,
} from './scoring';

/** At most one vector per CVSS version (4.0, 3.1, 3.0). */
export const MAX_CVSS_VECTORS = 3;

export type VectorGivenBy = 'reporter' | 'analyst';

export interface ScoredCvss {
  version: CvssVersion;
  /** Canonical form (specification order, no Not Defined metrics). */
  vector: string;
  score: number;
  severity: CvssSeverity;
  givenBy: VectorGivenBy;
}

export interface RecordedSsvc extends SsvcDecision {
  /** The analyst who gave the decision points. */
  decidedBy: string;
}

export interface ReportScoring {
  priority: Priority;
  cvss: ScoredCvss[];
  ssvc?: RecordedSsvc;
  kev: KevStatus;
  /** The CVE ids its KEV status is read by: its own (reportCveIds) and any it gained later (the aliases of the flaw it joined). */
  cveIds: string[];
  exploitation: ExploitationReports;
  scoredAt: Date;
}

/**
 * Checks a list of CVSS vectors strictly (every metric, every value: cvssVectorField), one
 * violation per problem on `<field>[i]`, and at most one vector per version on `<field>`. Returns
 * the vectors as given when all are valid.
 */
export function cvssVectorsField(out: FieldViolation[], field: string, input: readonly string[] | undefined): string[] {
  const vectors = [...(input ?? [])];
  if (vectors.length > MAX_CVSS_VECTORS) out.push({ field, description: `must have at most ${MAX_CVSS_VECTORS} entries, one per CVSS version` });
  const kept = vectors.slice(0, MAX_CVSS_VECTORS);
  const versions = kept.map((v, i) => cvssVectorField(out, `${field}[${i}]`, v)?.version ?? v.slice(0, 8));
  if (new Set(versions).size !== versions.length) out.push({ field, description: 'must give at most one vector per CVSS version' });
  return kept;
}

/** The analyst's SSVC decision points (`ssvc` of TransitionReportRequest), each checked: undefined when not given or invalid. */
export function ssvcField(out: FieldViolation[], field: string, raw: { exploitation?: string; automatable?: string; technicalImpact?: string; missionWellbeing?: string } | undefined): SsvcDecisionPoints | undefined {
  if (!raw) return undefined;
  return ssvcDecisionPointsField(out, field, raw);
}

/** The CVE ids a report names (its CVE record's id and aliases), upper-cased, sorted: the keys of its KEV status. */
export function reportCveIds(report: { details: { cve?: { cveId?: string } }; aliases?: readonly string[] }): string[] {
  return kevCveIds([...(report.details.cve?.cveId ? [report.details.cve.cveId] : []), ...(report.aliases ?? [])]);
}

export interface ScoringInputs {
  /** Vectors already checked (cvssVectorsField); the analyst's replace the reporter's of the same version. */
  vectors: { vector: string; givenBy: VectorGivenBy }[];
  ssvc?: RecordedSsvc;
  kev: KevStatus;
  cveIds: readonly string[];
  exploitation: ExploitationReports;
  preliminary: boolean;
  now: Date;
}

/** Scores every vector and decides the priority. */
export function scoreReport(inputs: ScoringInputs): ReportScoring {
  const byVersion = new Map<string, { vector: string; givenBy: VectorGivenBy }>();
  for (const v of inputs.vectors) {
    const version = v.vector.slice(0, 8);
    const earlier = byVersion.get(version);
    if (!earlier || v.givenBy === 'analyst') byVersion.set(version, v);
  }
  const scores = [...byVersion.values()].map((v) => ({ given: v, score: scoreCvss(v.vector, 'cvss_vectors') }));
  const priority = prioritise({ cvss: scores.map((s) => s.score), ...(inputs.ssvc ? { ssvc: inputs.ssvc } : {}), kev: inputs.kev, exploitation: inputs.exploitation, preliminary: inputs.preliminary });
  return {
    priority,
    cvss: scores.map(({ given, score }) => ({ version: score.version, vector: score.vector, score: score.score, severity: score.severity, givenBy: given.givenBy })),
    ...(inputs.ssvc ? { ssvc: inputs.ssvc } : {}),
    kev: inputs.kev,
    cveIds: [...inputs.cveIds],
    exploitation: inputs.exploitation,
    scoredAt: inputs.now,
  };
}

/** On receipt: from the reporter's own vectors, preliminary. */
export function scoreOnReceipt(vectors: readonly string[], kev: KevStatus, now: Date, cveIds: readonly string[] = []): ReportScoring {
  return scoreReport({ vectors: vectors.map((vector) => ({ vector, givenBy: 'reporter' })), kev, cveIds, exploitation: NO_EXPLOITATION, preliminary: true, now });
}

/** What a recomputation may change; the rest comes from the scoring stored. */
export interface ScoringChange {
  /** With the CVE ids it was read by (kept for later recomputations). */
  kev?: KevStatus;
  cveIds?: readonly string[];
  exploitation?: ExploitationReports;
  /** Validation: no longer preliminary, with the analyst's decision points and vectors if given. */
  validation?: { analyst: string; ssvc?: SsvcDecisionPoints; vectors: readonly string[]; table: SsvcTable };
}

/**
 * The scoring after `change`, from `current` (a report stored before scoring existed has none:
 * its reporter's `reporterVectors` are scored then). Pure.
 */
export function rescore(current: ReportScoring | undefined, reporterVectors: readonly string[], change: ScoringChange, now: Date): ReportScoring {
  const stored = current?.cvss.map((c) => ({ vector: c.vector, givenBy: c.givenBy })) ?? reporterVectors.map((vector) => ({ vector, givenBy: 'reporter' as const }));
  const v = change.validation;
  const ssvc = v?.ssvc ? { ...decideSsvc(v.table, v.ssvc), decidedBy: v.analyst } : current?.ssvc;
  return scoreReport({
    vectors: [...stored, ...(v?.vectors ?? []).map((vector) => ({ vector, givenBy: 'analyst' as const }))],
    ...(ssvc ? { ssvc } : {}),
    kev: change.kev ?? current?.kev ?? NOT_IN_KEV,
    cveIds: change.cveIds ?? current?.cveIds ?? [],
    exploitation: change.exploitation ?? current?.exploitation ?? NO_EXPLOITATION,
    preliminary: v ? false : (current?.priority.preliminary ?? true),
    now,
  });
}

/** Whether `next` says anything new: its priority differs (the only thing announced), or it has inputs `current` lacks. */
export function scoringChanged(current: ReportScoring | undefined, next: ReportScoring): boolean {
  return !current || !samePriority(current.priority, next.priority);
}
