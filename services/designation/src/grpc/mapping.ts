/**
 * Between the wire (rampart.designation.v1) and the domain. Every outbound record is read only
 * through its marking table (domain/markings.ts), redacted to the reader's clearance.
 */
import { enumTable } from '@rampart/grpc-kit';
import { redact, type Clearance, type Marking } from '@rampart/auth';
import { designationV1 as v1 } from '@rampart/proto';
import type { CapabilityDomain, DeterminationLevel } from '../domain/capability';
import type { Case, ConsultationView, DecisionOutcome, CaseStatus } from '../domain/case';
import type { Evidence } from '../domain/evidence';
import type { Comparison, DomainRule, ThresholdPolicy } from '../domain/policy';
import type { ReleasableAssessment } from '../domain/assessment';
import { markAssessment, markCase, markEvidence, markPolicy } from '../domain/markings';

const D = v1.CapabilityDomain;
export const domains = enumTable<CapabilityDomain, v1.CapabilityDomain>([
  ['vulnerability_discovery', D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY],
  ['exploit_development', D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
  ['autonomous_network_operations', D.CAPABILITY_DOMAIN_AUTONOMOUS_NETWORK_OPERATIONS],
  ['evasion_and_persistence', D.CAPABILITY_DOMAIN_EVASION_AND_PERSISTENCE],
]);
const L = v1.DeterminationLevel;
const levels = enumTable<DeterminationLevel, v1.DeterminationLevel>([['below', L.DETERMINATION_LEVEL_BELOW], ['cannot_rule_out', L.DETERMINATION_LEVEL_CANNOT_RULE_OUT], ['at_or_above', L.DETERMINATION_LEVEL_AT_OR_ABOVE]]);
const C = v1.Comparison;
export const comparisons = enumTable<Comparison, v1.Comparison>([['gte', C.COMPARISON_GREATER_OR_EQUAL], ['gt', C.COMPARISON_GREATER], ['lte', C.COMPARISON_LESS_OR_EQUAL], ['lt', C.COMPARISON_LESS]]);
const S = v1.CaseStatus;
export const statuses = enumTable<CaseStatus, v1.CaseStatus>([['evaluating', S.CASE_STATUS_EVALUATING], ['consulting', S.CASE_STATUS_CONSULTING], ['decided', S.CASE_STATUS_DECIDED], ['withdrawn', S.CASE_STATUS_WITHDRAWN]]);
const V = v1.ConsultationView;
export const views = enumTable<ConsultationView, v1.ConsultationView>([['concur', V.CONSULTATION_VIEW_CONCUR], ['non_concur', V.CONSULTATION_VIEW_NON_CONCUR], ['comments', V.CONSULTATION_VIEW_COMMENTS]]);
const O = v1.DecisionOutcome;
export const outcomes = enumTable<DecisionOutcome, v1.DecisionOutcome>([['covered', O.DECISION_OUTCOME_COVERED], ['not_covered', O.DECISION_OUTCOME_NOT_COVERED]]);
const K = v1.Classification;
export const classifications = enumTable<Marking, v1.Classification>([['UNCLASSIFIED', K.CLASSIFICATION_UNCLASSIFIED], ['CUI', K.CLASSIFICATION_CUI], ['SECRET', K.CLASSIFICATION_SECRET], ['TOP_SECRET', K.CLASSIFICATION_TOP_SECRET]]);

/** A number as the wire carries it: non-finite values spelled out beside a 0. */
function wireNumber(value: number): { value: number; nonFiniteValue: string } {
  return Number.isFinite(value) ? { value, nonFiniteValue: '' } : { value: 0, nonFiniteValue: String(value) };
}

export function caseToWire(c: Case, clearance: Clearance): v1.Case {
  const { value: r, redactedFields } = redact(markCase(c), clearance);
  return v1.Case.fromPartial({
    id: r.id,
    organization: r.organization,
    modelName: r.modelName,
    modelVersion: r.modelVersion,
    submissionRevision: r.submissionRevision,
    status: r.status ? statuses.toWire(r.status) : 0,
    revision: r.revision,
    determinations: (r.determinations ?? []).map((d) => ({
      domain: domains.toWire(d.domain),
      level: levels.toWire(d.level),
      policyVersion: d.policyVersion,
      basis: d.basis.map((b) => {
        const { value, nonFiniteValue } = wireNumber(b.value);
        return { evidenceId: b.evidenceId, metric: b.metric, value, nonFiniteValue, comparison: b.comparison ? comparisons.toWire(b.comparison) : 0, threshold: b.threshold ?? 0, level: levels.toWire(b.level) };
      }),
      // Absent from determinations stored before the basis was bounded (they listed every metric).
      omittedBasisCount: d.omittedBasis ?? 0,
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
          decidedBy: r.decision.decidedBy ?? '',
          decideTime: r.decision.decidedAt,
          policyVersion: r.decision.policyVersion ?? 0,
          lapsedAgencies: r.decision.lapsedAgencies ?? [],
        }
      : undefined,
    released: r.releasedAt !== undefined,
    createTime: r.createdAt,
    updateTime: r.updatedAt,
    redactedFields,
  });
}

/** Below the evidence's own marking a reader sees only that it exists: at which marking, who recorded it, when. */
export function evidenceToWire(e: Evidence, clearance: Clearance): v1.Evidence {
  const { value: r, redactedFields } = redact(markEvidence(e), clearance);
  return v1.Evidence.fromPartial({
    id: r.id, caseId: r.caseId, kind: r.kind, marking: r.marking ? classifications.toWire(r.marking) : 0, recordedBy: r.recordedBy, recordTime: r.recordedAt,
    sha256: r.sha256, sizeBytes: r.sizeBytes,
    domains: (r.domains ?? []).map(domains.toWire),
    countedMetrics: r.countedMetrics ?? [],
    metrics: (r.metrics ?? []).map((m) => ({ scorer: m.scorer, name: m.name, ...wireNumber(m.value) })),
    task: r.task, model: r.model, dataset: r.dataset, sourceRevision: r.sourceRevision,
    totalSamples: r.totalSamples, completedSamples: r.completedSamples, logVersion: r.logVersion,
    suiteName: r.suiteName, suiteVersion: r.suiteVersion, elicitationNotes: r.elicitationNotes,
    redactedFields,
  });
}

/** A policy is SECRET throughout; below that a reader gets nothing of it. */
export function policyToWire(p: ThresholdPolicy, clearance: Clearance): v1.ThresholdPolicy {
  const { value: r } = redact(markPolicy(p), clearance);
  const thresholds = (list: DomainRule['atOrAbove']) => list.map((t) => ({ metric: t.metric, comparison: comparisons.toWire(t.comparison), value: t.value }));
  return v1.ThresholdPolicy.fromPartial({
    version: r.version,
    rules: (r.rules ?? []).map((rule) => ({ domain: domains.toWire(rule.domain), atOrAbove: thresholds(rule.atOrAbove), cannotRuleOut: thresholds(rule.cannotRuleOut) })),
    requiredDomains: (r.requiredDomains ?? []).map(domains.toWire),
    createdBy: r.createdBy,
    createTime: r.createdAt,
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

export function assessmentToWire(a: ReleasableAssessment, clearance: Clearance): v1.ReleasableAssessment {
  const { value: r } = redact(markAssessment(a), clearance);
  return v1.ReleasableAssessment.fromPartial({
    caseId: r.caseId, organization: r.organization, modelName: r.modelName, modelVersion: r.modelVersion,
    outcome: r.outcome ? outcomes.toWire(r.outcome) : 0, effectiveTime: r.effectiveAt,
    domains: (r.domains ?? []).map((d) => ({ domain: domains.toWire(d.domain), statement: d.statement })),
    releaseTime: r.releasedAt, tlp: r.tlp,
  });
}
