/** Between the wire (rampart.designation.v1) and the domain; every outbound record is redacted to the reader. */
import { clearanceAtLeast, type Clearance, type Marking } from '@rampart/auth';
import { designationV1 as v1 } from '@rampart/proto';
import type { CapabilityDomain, DeterminationLevel } from '../domain/capability';
import type { Case, ConsultationView, DecisionOutcome, CaseStatus } from '../domain/case';
import type { Evidence } from '../domain/evidence';
import type { Comparison, DomainRule, ThresholdPolicy } from '../domain/policy';
import type { ReleasableAssessment } from '../domain/assessment';
import { CASE_FIELD_MARKINGS, EVIDENCE_DETAIL_FIELDS, redact } from '../domain/markings';

function table<D extends string, W extends number>(pairs: [D, W][]) {
  const toWire = new Map(pairs);
  const fromWire = new Map(pairs.map(([d, w]) => [w, d]));
  return { toWire: (d: D) => toWire.get(d)!, fromWire: (w: W) => fromWire.get(w) };
}

const D = v1.CapabilityDomain;
export const domains = table<CapabilityDomain, v1.CapabilityDomain>([
  ['vulnerability_discovery', D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY],
  ['exploit_development', D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
  ['autonomous_network_operations', D.CAPABILITY_DOMAIN_AUTONOMOUS_NETWORK_OPERATIONS],
  ['evasion_and_persistence', D.CAPABILITY_DOMAIN_EVASION_AND_PERSISTENCE],
]);
const L = v1.DeterminationLevel;
const levels = table<DeterminationLevel, v1.DeterminationLevel>([['below', L.DETERMINATION_LEVEL_BELOW], ['cannot_rule_out', L.DETERMINATION_LEVEL_CANNOT_RULE_OUT], ['at_or_above', L.DETERMINATION_LEVEL_AT_OR_ABOVE]]);
const C = v1.Comparison;
export const comparisons = table<Comparison, v1.Comparison>([['gte', C.COMPARISON_GREATER_OR_EQUAL], ['gt', C.COMPARISON_GREATER], ['lte', C.COMPARISON_LESS_OR_EQUAL], ['lt', C.COMPARISON_LESS]]);
const S = v1.CaseStatus;
export const statuses = table<CaseStatus, v1.CaseStatus>([['evaluating', S.CASE_STATUS_EVALUATING], ['consulting', S.CASE_STATUS_CONSULTING], ['decided', S.CASE_STATUS_DECIDED], ['withdrawn', S.CASE_STATUS_WITHDRAWN]]);
const V = v1.ConsultationView;
export const views = table<ConsultationView, v1.ConsultationView>([['concur', V.CONSULTATION_VIEW_CONCUR], ['non_concur', V.CONSULTATION_VIEW_NON_CONCUR], ['comments', V.CONSULTATION_VIEW_COMMENTS]]);
const O = v1.DecisionOutcome;
export const outcomes = table<DecisionOutcome, v1.DecisionOutcome>([['covered', O.DECISION_OUTCOME_COVERED], ['not_covered', O.DECISION_OUTCOME_NOT_COVERED]]);
const K = v1.Classification;
export const classifications = table<Marking, v1.Classification>([['UNCLASSIFIED', K.CLASSIFICATION_UNCLASSIFIED], ['CUI', K.CLASSIFICATION_CUI], ['SECRET', K.CLASSIFICATION_SECRET], ['TOP_SECRET', K.CLASSIFICATION_TOP_SECRET]]);

/** A number as the wire carries it: non-finite values spelled out beside a 0. */
function wireNumber(value: number): { value: number; nonFiniteValue: string } {
  return Number.isFinite(value) ? { value, nonFiniteValue: '' } : { value: 0, nonFiniteValue: String(value) };
}

export function caseToWire(c: Case, clearance: Clearance): v1.Case {
  const { value: r, redactedFields } = redact(c, CASE_FIELD_MARKINGS, clearance);
  return v1.Case.fromPartial({
    id: r.id,
    organization: r.organization,
    modelName: r.modelName,
    modelVersion: r.modelVersion,
    submissionRevision: r.submissionRevision,
    status: statuses.toWire(r.status),
    revision: r.revision,
    determinations: (r.determinations ?? []).map((d) => ({
      domain: domains.toWire(d.domain),
      level: levels.toWire(d.level),
      policyVersion: d.policyVersion,
      basis: d.basis.map((b) => {
        const { value, nonFiniteValue } = wireNumber(b.value);
        return { evidenceId: b.evidenceId, metric: b.metric, value, nonFiniteValue, comparison: b.comparison ? comparisons.toWire(b.comparison) : 0, threshold: b.threshold ?? 0, level: levels.toWire(b.level) };
      }),
    })),
    readyForDecision: r.readyForDecision ?? false,
    missingDomains: (r.missingDomains ?? []).map(domains.toWire),
    consultation: r.consultation
      ? {
          requestedBy: r.consultation.requestedBy,
          requestTime: r.consultation.requestedAt,
          entries: r.consultation.entries.map((e) => ({
            agency: e.agency, title: e.title, required: e.required, deadlineTime: e.deadline,
            view: e.view ? views.toWire(e.view) : 0, comments: e.comments ?? '', recordedBy: e.recordedBy ?? '', recordTime: e.recordedAt,
          })),
        }
      : undefined,
    decision: r.decision
      ? {
          outcome: r.decision.outcome ? outcomes.toWire(r.decision.outcome) : 0,
          rationale: r.decision.rationale ?? '',
          effectiveTime: r.decision.effectiveAt,
          decidedBy: r.decision.decidedBy,
          decideTime: r.decision.decidedAt,
          policyVersion: r.decision.policyVersion,
          lapsedAgencies: r.decision.lapsedAgencies ?? [],
        }
      : undefined,
    released: !!r.releasedAt,
    createTime: r.createdAt,
    updateTime: r.updatedAt,
    redactedFields,
  });
}

/** Below the evidence's own marking a reader sees only that it exists: who, when, its hash. */
export function evidenceToWire(e: Evidence, clearance: Clearance): v1.Evidence {
  const visible = clearanceAtLeast(clearance, e.marking);
  const base = { id: e.id, caseId: e.caseId, kind: e.kind, sha256: e.sha256, sizeBytes: e.sizeBytes, marking: classifications.toWire(e.marking), recordedBy: e.recordedBy, recordTime: e.recordedAt };
  if (!visible) {
    return v1.Evidence.fromPartial({ ...base, redactedFields: EVIDENCE_DETAIL_FIELDS });
  }
  return v1.Evidence.fromPartial({
    ...base,
    domains: e.domains.map(domains.toWire),
    countedMetrics: e.countedMetrics,
    metrics: e.metrics.map((m) => ({ scorer: m.scorer, name: m.name, ...wireNumber(m.value) })),
    task: e.task ?? '', model: e.model ?? '', dataset: e.dataset ?? '', sourceRevision: e.sourceRevision ?? '',
    totalSamples: e.totalSamples ?? 0, completedSamples: e.completedSamples ?? 0, logVersion: e.logVersion ?? 0,
    suiteName: e.suiteName ?? '', suiteVersion: e.suiteVersion ?? '', elicitationNotes: e.elicitationNotes ?? '',
  });
}

export function policyToWire(p: ThresholdPolicy): v1.ThresholdPolicy {
  return v1.ThresholdPolicy.fromPartial({
    version: p.version,
    rules: p.rules.map((r) => ({
      domain: domains.toWire(r.domain),
      atOrAbove: r.atOrAbove.map((t) => ({ metric: t.metric, comparison: comparisons.toWire(t.comparison), value: t.value })),
      cannotRuleOut: r.cannotRuleOut.map((t) => ({ metric: t.metric, comparison: comparisons.toWire(t.comparison), value: t.value })),
    })),
    requiredDomains: p.requiredDomains.map(domains.toWire),
    createdBy: p.createdBy,
    createTime: p.createdAt,
  });
}

export function rulesFromWire(rules: v1.DomainRule[]): { rules: (Omit<DomainRule, 'domain'> & { domain?: CapabilityDomain })[] } {
  return {
    rules: rules.map((r) => ({
      domain: domains.fromWire(r.domain),
      atOrAbove: r.atOrAbove.map((t) => ({ metric: t.metric, comparison: comparisons.fromWire(t.comparison)!, value: t.value })),
      cannotRuleOut: r.cannotRuleOut.map((t) => ({ metric: t.metric, comparison: comparisons.fromWire(t.comparison)!, value: t.value })),
    })),
  };
}

export function assessmentToWire(a: ReleasableAssessment): v1.ReleasableAssessment {
  return v1.ReleasableAssessment.fromPartial({
    caseId: a.caseId, organization: a.organization, modelName: a.modelName, modelVersion: a.modelVersion,
    outcome: outcomes.toWire(a.outcome), effectiveTime: a.effectiveAt,
    domains: a.domains.map((d) => ({ domain: domains.toWire(d.domain), statement: d.statement })),
    releaseTime: a.releasedAt, tlp: a.tlp,
  });
}
