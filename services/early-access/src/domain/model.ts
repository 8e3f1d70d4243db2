/**
 * What early access knows of a model, only from other services' events: intake's submission
 * (organisation, model, release dates, withdrawal) and designation's releasable assessment (the
 * outcome as released to the developer). Never the classified decision: a model counts as covered
 * here only once the developer has been told so.
 */
export interface SubmissionFacts {
  submissionId: string;
  organization: string;
  modelName: string;
  modelVersion: string;
  /** Intake's revision of the submission. */
  revision: number;
  withdrawn: boolean;
  partnerReleaseAt: Date;
  publicReleaseAt: Date;
}

export type AssessmentOutcome = 'covered' | 'not_covered';

export interface ReleasedAssessment {
  /** Designation's case id: the submission id. */
  caseId: string;
  organization: string;
  outcome: AssessmentOutcome;
  effectiveAt: Date;
  releasedAt: Date;
}

/**
 * Whether the developer may open a program for the submission, as one yes or no. Every "no" reads
 * the same to the caller (see program.ts), so the answer tells a developer nothing beyond what its
 * own released assessments already say.
 */
export function mayOpenProgram(organization: string, submission: SubmissionFacts | undefined, assessment: ReleasedAssessment | undefined): boolean {
  return !!submission && !!assessment && submission.organization === organization && assessment.organization === organization &&
    !submission.withdrawn && assessment.outcome === 'covered';
}
