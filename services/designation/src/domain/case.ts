/**
 * A designation case (one per submission) and the rules of its life: opened by intake's received
 * event, re-opened for evaluation by an amendment, closed for good by a withdrawal; consultation
 * of the configured officials; the designation authority's decision; release to the developer.
 */
import { FailedPreconditionError, PermissionDeniedError } from '@rampart/errors';
import type { CapabilityDomain } from './capability';
import type { Determination, ThresholdPolicy } from './policy';

export type CaseStatus = 'evaluating' | 'consulting' | 'decided' | 'withdrawn';
export type ConsultationView = 'concur' | 'non_concur' | 'comments';
export type DecisionOutcome = 'covered' | 'not_covered';

export interface ConsultationEntry {
  agency: string;
  title: string;
  required: boolean;
  deadline: Date;
  view?: ConsultationView;
  comments?: string;
  recordedBy?: string;
  recordedAt?: Date;
  /** Required, and the deadline passed with no view: recorded once, when the deadline timer fired. */
  lapsed?: true;
}

export interface Consultation {
  requestedBy: string;
  requestedAt: Date;
  entries: ConsultationEntry[];
}

export interface Decision {
  outcome: DecisionOutcome;
  rationale: string;
  effectiveAt: Date;
  decidedBy: string;
  decidedAt: Date;
  policyVersion: number;
  /** Required consultees whose deadline passed without a view: recorded, not waited for. */
  lapsedAgencies: string[];
}

export interface Case {
  /** The intake submission id. */
  id: string;
  organization: string;
  modelName: string;
  modelVersion: string;
  submissionRevision: number;
  status: CaseStatus;
  /** The case's own revision; its events carry it. */
  revision: number;
  determinations: Determination[];
  readyForDecision: boolean;
  missingDomains: CapabilityDomain[];
  /** The threshold policy version the determinations and missing domains were last computed under. */
  policyVersion?: number;
  /**
   * How many of the case's evidence items (its sequences 1 to this) the determinations count, so
   * the next item is added to them without reading the others again (recompute.ts). Absent: none
   * counted under a policy yet.
   */
  evaluatedEvidence?: number;
  consultation?: Consultation;
  decision?: Decision;
  releasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * The case fields that may be absent. A stored case must lose the ones a change removes (an
 * amendment drops the consultation, decision and release), so the store unsets what is absent;
 * the Record makes a new optional field a compile error until it is listed here.
 */
type OptionalCaseField = { [K in keyof Case]-?: undefined extends Case[K] ? K : never }[keyof Case];
const OPTIONAL: Record<OptionalCaseField, true> = { policyVersion: true, evaluatedEvidence: true, consultation: true, decision: true, releasedAt: true };
export const OPTIONAL_CASE_FIELDS = Object.keys(OPTIONAL) as OptionalCaseField[];

/** A consultee the service is configured to consult. */
export interface Consultee {
  agency: string;
  title: string;
  required: boolean;
}

export function assertOpen(c: Case): void {
  if (c.status === 'withdrawn') throw new FailedPreconditionError(`case ${c.id} is closed: the developer withdrew the submission`);
}

export function requestConsultation(c: Case, consultees: Consultee[], deadline: Date, actor: string, now: Date): Case {
  assertOpen(c);
  if (c.status === 'decided') throw new FailedPreconditionError(`case ${c.id} is already decided`);
  if (deadline.getTime() <= now.getTime()) throw new FailedPreconditionError('the consultation deadline must be in the future');
  return {
    ...c,
    status: 'consulting',
    consultation: {
      requestedBy: actor,
      requestedAt: now,
      entries: consultees.map((k) => ({ agency: k.agency, title: k.title, required: k.required, deadline })),
    },
  };
}

export function recordView(c: Case, agency: string | undefined, view: ConsultationView, comments: string, actor: string, now: Date): Case {
  assertOpen(c);
  if (!c.consultation) throw new FailedPreconditionError(`case ${c.id} has no consultation requested`);
  if (c.status === 'decided') throw new FailedPreconditionError(`case ${c.id} is already decided`);
  const index = c.consultation.entries.findIndex((e) => e.agency === agency);
  if (!agency || index < 0) throw new PermissionDeniedError(`agency ${agency ?? '(none in token)'} is not consulted on case ${c.id}`);
  const entries = c.consultation.entries.map((e, i) => (i === index ? { ...e, view, comments, recordedBy: actor, recordedAt: now } : e));
  return { ...c, consultation: { ...c.consultation, entries } };
}

/** The required consultees still awaited at `now` (no view, deadline not passed). */
export function awaitedConsultees(c: Case, now: Date): ConsultationEntry[] {
  return (c.consultation?.entries ?? []).filter((e) => e.required && !e.view && e.deadline.getTime() > now.getTime());
}

/**
 * The consultation deadline came (`at`: when it was due): each required consultee whose deadline
 * has passed with no view recorded is marked lapsed, once. An agency whose view is on record did
 * not lapse. Undefined when nothing lapses now (no consultation, a closed or decided case, a
 * deadline still ahead, every view in, or already recorded), so a stale or repeated deadline
 * changes nothing.
 */
export function lapse(c: Case, at: Date): { next: Case; lapsedAgencies: string[] } | undefined {
  if (!c.consultation || c.status === 'withdrawn' || c.status === 'decided') return undefined;
  const lapsedAgencies: string[] = [];
  const entries = c.consultation.entries.map((e) => {
    if (!e.required || e.view || e.lapsed || e.deadline.getTime() > at.getTime()) return e;
    lapsedAgencies.push(e.agency);
    return { ...e, lapsed: true as const };
  });
  if (lapsedAgencies.length === 0) return undefined;
  return { next: { ...c, consultation: { ...c.consultation, entries } }, lapsedAgencies };
}

export function decide(c: Case, args: { outcome: DecisionOutcome; rationale: string; effectiveAt: Date; actor: string; now: Date; policyVersion: number }): Case {
  assertOpen(c);
  if (c.status === 'decided') throw new FailedPreconditionError(`case ${c.id} is already decided`);
  if (!c.readyForDecision) {
    throw new FailedPreconditionError(`case ${c.id} is not ready for decision: no evidence yet for ${c.missingDomains.join(', ') || 'the required domains (no threshold policy)'}`);
  }
  if (!c.consultation) throw new FailedPreconditionError(`case ${c.id}: request consultation before deciding`);
  const awaited = awaitedConsultees(c, args.now);
  if (awaited.length > 0) {
    throw new FailedPreconditionError(`consultation on case ${c.id} is not complete: awaiting ${awaited.map((e) => `${e.agency} (due ${e.deadline.toISOString()})`).join(', ')}`);
  }
  const lapsedAgencies = c.consultation.entries.filter((e) => e.required && !e.view).map((e) => e.agency);
  return {
    ...c,
    status: 'decided',
    decision: { outcome: args.outcome, rationale: args.rationale, effectiveAt: args.effectiveAt, decidedBy: args.actor, decidedAt: args.now, policyVersion: args.policyVersion, lapsedAgencies },
  };
}

export function assertReleasable(c: Case): Decision {
  assertOpen(c);
  if (c.status !== 'decided' || !c.decision) throw new FailedPreconditionError(`case ${c.id} has no decision to release`);
  return c.decision;
}

/** What designation knows of a submission, from intake's events. */
export interface SubmissionFacts {
  submissionId: string;
  organization: string;
  revision: number;
  modelName: string;
  modelVersion: string;
}

export type SubmissionChange = 'received' | 'amended' | 'withdrawn';

/**
 * A submission changed in intake. Events carry the whole submission, so one that arrives before
 * its predecessor is applied as it is (an amendment can open the case); older ones are stale.
 * Returns undefined when the case does not change.
 */
export function onSubmissionChange(current: Case | undefined, change: SubmissionChange, facts: SubmissionFacts, policy: Pick<ThresholdPolicy, 'version' | 'requiredDomains'> | undefined, now: Date): { next: Case; verb: 'opened' | 'reopened' | 'closed' } | undefined {
  const base = { organization: facts.organization, modelName: facts.modelName, modelVersion: facts.modelVersion, submissionRevision: facts.revision, updatedAt: now };
  if (!current) {
    const status: CaseStatus = change === 'withdrawn' ? 'withdrawn' : 'evaluating';
    return {
      verb: status === 'withdrawn' ? 'closed' : 'opened',
      next: {
        id: facts.submissionId, ...base, status, revision: 1, determinations: [], readyForDecision: false, missingDomains: policy?.requiredDomains ?? [],
        // Under a policy, a new case counts its items from the first (none yet): see recompute.ts.
        ...(policy ? { policyVersion: policy.version, evaluatedEvidence: 0 } : {}), createdAt: now,
      },
    };
  }
  if (current.status === 'withdrawn' || change === 'received' || current.submissionRevision >= facts.revision) return undefined;
  if (change === 'withdrawn') return { verb: 'closed', next: { ...current, ...base, status: 'withdrawn', revision: current.revision + 1 } };
  // An amendment re-opens evaluation: an earlier consultation or decision was about another revision.
  const { consultation: _c, decision: _d, releasedAt: _r, ...rest } = current;
  return { verb: 'reopened', next: { ...rest, ...base, status: 'evaluating', revision: current.revision + 1 } };
}
