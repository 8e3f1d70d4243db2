/**
 * Designation's marking tables: one per record, used by every response and every event built from
 * it (grpc/mapping.ts, events/designation-events.ts go through `redact` on these and nothing else).
 *
 * Values carry the marking they were born with: a case's facts from intake are CUI (a developer's
 * proprietary submission), an evidence item its own marking (SECRET at least), the policy SECRET,
 * what officials write on a case (views, the decision's record) SECRET. A derived value carries
 * the highest marking of what it derives from: the evaluation (policy.ts), and the decision, the
 * authority's judgment of that evaluation.
 *
 * Each table names every field of its record (`satisfies Record<keyof ..., unknown>`): a new field
 * does not compile until it is given a marking.
 */
import { highestMarking, marked, markEach, type Marking } from '@rampart/auth';
import { RELEASE_MARKING, type ReleasableAssessment } from './assessment';
import type { Case } from './case';
import type { Evidence } from './evidence';
import { POLICY_MARKING, type ThresholdPolicy } from './policy';

/** A case's facts from intake, and the case's own bookkeeping. */
export const CASE_BASE_MARKING: Marking = 'CUI';
/** What officials write on a case: consultees' views, who decided, who lapsed. */
export const DELIBERATION_MARKING: Marking = 'SECRET';
/** Determinations stored before they recorded their marking: the highest, until recomputed. */
const UNRECORDED: Marking = 'TOP_SECRET';

/** The marking of a case's evaluation (determinations, missing domains, readiness). */
export function evaluationMarkingOf(c: Case): Marking {
  return highestMarking(POLICY_MARKING, ...c.determinations.map((d) => (d.marking as Marking | undefined) ?? UNRECORDED));
}

/**
 * The decision's outcome and rationale are the authority's judgment of the evaluation, so they
 * are marked as it is, SECRET at least. Read now rather than at the decision: the evaluation's
 * marking only rises (evidence is never removed), so this is never lower than it was then.
 */
export function judgmentMarkingOf(c: Case): Marking {
  return highestMarking(DELIBERATION_MARKING, evaluationMarkingOf(c));
}

export function markCase(c: Case) {
  const evaluation = evaluationMarkingOf(c);
  const judgment = judgmentMarkingOf(c);
  return {
    ...markEach(CASE_BASE_MARKING, {
      id: c.id, organization: c.organization, modelName: c.modelName, modelVersion: c.modelVersion, submissionRevision: c.submissionRevision,
      status: c.status, revision: c.revision, releasedAt: c.releasedAt, createdAt: c.createdAt, updatedAt: c.updatedAt,
    }),
    ...markEach(evaluation, { determinations: c.determinations, missingDomains: c.missingDomains, readyForDecision: c.readyForDecision }),
    // How many items the evaluation counts: ListEvidence shows every item's existence at the case's marking.
    evaluatedEvidence: marked(CASE_BASE_MARKING, c.evaluatedEvidence),
    policyVersion: marked(POLICY_MARKING, c.policyVersion),
    consultation: marked(CASE_BASE_MARKING, c.consultation && {
      requestedBy: c.consultation.requestedBy,
      requestedAt: c.consultation.requestedAt,
      entries: c.consultation.entries.map((e) => ({
        agency: e.agency, title: e.title, required: e.required, deadline: e.deadline,
        // Who answered and when is set exactly when the view is: it tells which agencies answered
        // (and so which lapsed), so it carries the view's marking.
        ...markEach(DELIBERATION_MARKING, { view: e.view, comments: e.comments, recordedBy: e.recordedBy, recordedAt: e.recordedAt }),
      })),
    }),
    decision: marked(CASE_BASE_MARKING, c.decision && {
      effectiveAt: c.decision.effectiveAt,
      decidedAt: c.decision.decidedAt,
      ...markEach(judgment, { outcome: c.decision.outcome, rationale: c.decision.rationale }),
      ...markEach(DELIBERATION_MARKING, { decidedBy: c.decision.decidedBy, lapsedAgencies: c.decision.lapsedAgencies }),
      policyVersion: marked(POLICY_MARKING, c.decision.policyVersion),
    }),
  } satisfies Record<keyof Case, unknown>;
}

/**
 * Below an item's marking a reader learns only that it exists: at which marking, who recorded it
 * and when. Its content is the item's marking, and so is everything computed from the content:
 * the SHA-256 (a suite result is low-entropy text whose hash can be guessed offline; a log's hash
 * confirms a copy someone holds, and a reader who cannot see the log has nothing to check it
 * against) and the size (it measures the notes, the samples).
 */
export function markEvidence(e: Evidence) {
  return {
    ...markEach(CASE_BASE_MARKING, { id: e.id, caseId: e.caseId, kind: e.kind, marking: e.marking, recordedBy: e.recordedBy, recordedAt: e.recordedAt, logFileId: e.logFileId }),
    ...markEach(e.marking, {
      domains: e.domains, countedMetrics: e.countedMetrics, metrics: e.metrics, task: e.task, model: e.model, dataset: e.dataset,
      sourceRevision: e.sourceRevision, totalSamples: e.totalSamples, completedSamples: e.completedSamples, logVersion: e.logVersion,
      suiteName: e.suiteName, suiteVersion: e.suiteVersion, elicitationNotes: e.elicitationNotes, sha256: e.sha256, sizeBytes: e.sizeBytes,
    }),
  } satisfies Record<keyof Evidence, unknown>;
}

export function markPolicy(p: ThresholdPolicy) {
  return markEach(POLICY_MARKING, { version: p.version, rules: p.rules, requiredDomains: p.requiredDomains, createdBy: p.createdBy, createdAt: p.createdAt }) satisfies Record<keyof ThresholdPolicy, unknown>;
}

/** Everything the release carries is marked by the release act itself (assessment.ts). */
export function markAssessment(a: ReleasableAssessment) {
  return markEach(RELEASE_MARKING, {
    caseId: a.caseId, organization: a.organization, modelName: a.modelName, modelVersion: a.modelVersion, submissionRevision: a.submissionRevision,
    outcome: a.outcome, effectiveAt: a.effectiveAt, domains: a.domains, releasedAt: a.releasedAt, tlp: a.tlp,
  }) satisfies Record<keyof ReleasableAssessment, unknown>;
}
