/** A model version an AI developer submits to ask whether it is a covered frontier model. */

export const MODALITIES = ['text', 'code', 'image', 'audio', 'video', 'tool_use'] as const;
export type Modality = (typeof MODALITIES)[number];

export interface CyberEvaluation {
  benchmark: string;
  score: number;
  /** YYYY-MM-DD, UTC. */
  evaluationDate: string;
}

export interface PointOfContact {
  name: string;
  email: string;
  role: string;
}

/** What the developer says about the model; an amendment replaces it whole. */
export interface ModelDetails {
  modelName: string;
  modelVersion: string;
  description: string;
  modalities: Modality[];
  /** Absent when the developer does not know or does not say. */
  trainingComputeFlop?: number;
  parameterCount?: number;
  intendedPartnerReleaseAt: Date;
  intendedPublicReleaseAt: Date;
  selfReportedEvaluations: CyberEvaluation[];
  pointsOfContact: PointOfContact[];
}

export type SubmissionStatus = 'received' | 'withdrawn';
export type SubmissionChange = 'received' | 'amended' | 'withdrawn';

export interface Withdrawal {
  reason: string;
  withdrawnBy: string;
  withdrawnAt: Date;
}

export interface Submission {
  id: string;
  organization: string;
  details: ModelDetails;
  status: SubmissionStatus;
  /** 1 on receipt; every change adds one. */
  revision: number;
  submittedBy: string;
  createdAt: Date;
  updatedAt: Date;
  withdrawal?: Withdrawal;
}

export interface SubmissionRevision {
  revision: number;
  details: ModelDetails;
  changedBy: string;
  changedAt: Date;
  change: SubmissionChange;
}

/** Submissions hold developers' proprietary plans: controlled unclassified information. */
export const SUBMISSION_MARKING = 'CUI' as const;
