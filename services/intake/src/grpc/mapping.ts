/** Between the wire (rampart.intake.v1) and the domain. */
import { intakeV1 } from '@rampart/proto';
import type { ModelDetailsInput } from '../domain/validation';
import type { Modality, ModelDetails, Submission, SubmissionRevision, SubmissionStatus } from '../domain/submission';

const { Modality: M, SubmissionStatus: S } = intakeV1;

const MODALITY_TO_DOMAIN: Partial<Record<intakeV1.Modality, Modality>> = {
  [M.MODALITY_TEXT]: 'text',
  [M.MODALITY_CODE]: 'code',
  [M.MODALITY_IMAGE]: 'image',
  [M.MODALITY_AUDIO]: 'audio',
  [M.MODALITY_VIDEO]: 'video',
  [M.MODALITY_TOOL_USE]: 'tool_use',
};
const MODALITY_TO_WIRE = Object.fromEntries(Object.entries(MODALITY_TO_DOMAIN).map(([k, v]) => [v, Number(k)])) as Record<Modality, intakeV1.Modality>;

export function statusFromWire(status: intakeV1.SubmissionStatus): SubmissionStatus | undefined {
  if (status === S.SUBMISSION_STATUS_RECEIVED) return 'received';
  if (status === S.SUBMISSION_STATUS_WITHDRAWN) return 'withdrawn';
  return undefined;
}

function statusToWire(status: SubmissionStatus): intakeV1.SubmissionStatus {
  return status === 'received' ? S.SUBMISSION_STATUS_RECEIVED : S.SUBMISSION_STATUS_WITHDRAWN;
}

/** proto3 scalars have no "unset": 0 for compute and parameters means not known. */
export function detailsFromWire(d: intakeV1.ModelDetails | undefined): ModelDetailsInput | undefined {
  if (!d) return undefined;
  return {
    modelName: d.modelName,
    modelVersion: d.modelVersion,
    description: d.description,
    modalities: d.modalities.map((m) => MODALITY_TO_DOMAIN[m] ?? `unknown (${m})`),
    ...(d.trainingComputeFlop !== 0 ? { trainingComputeFlop: d.trainingComputeFlop } : {}),
    ...(d.parameterCount !== 0 ? { parameterCount: d.parameterCount } : {}),
    ...(d.intendedPartnerReleaseTime ? { intendedPartnerReleaseAt: d.intendedPartnerReleaseTime } : {}),
    ...(d.intendedPublicReleaseTime ? { intendedPublicReleaseAt: d.intendedPublicReleaseTime } : {}),
    selfReportedEvaluations: d.selfReportedEvaluations.map((e) => ({ benchmark: e.benchmark, score: e.score, evaluationDate: e.evaluationDate })),
    pointsOfContact: d.pointsOfContact.map((c) => ({ name: c.name, email: c.email, role: c.role })),
  };
}

export function detailsToWire(d: ModelDetails): intakeV1.ModelDetails {
  return {
    modelName: d.modelName,
    modelVersion: d.modelVersion,
    description: d.description,
    modalities: d.modalities.map((m) => MODALITY_TO_WIRE[m]),
    trainingComputeFlop: d.trainingComputeFlop ?? 0,
    parameterCount: d.parameterCount ?? 0,
    intendedPartnerReleaseTime: d.intendedPartnerReleaseAt,
    intendedPublicReleaseTime: d.intendedPublicReleaseAt,
    selfReportedEvaluations: d.selfReportedEvaluations.map((e) => ({ ...e })),
    pointsOfContact: d.pointsOfContact.map((c) => ({ ...c })),
  };
}

export function submissionToWire(s: Submission): intakeV1.Submission {
  return {
    id: s.id,
    organization: s.organization,
    details: detailsToWire(s.details),
    status: statusToWire(s.status),
    revision: s.revision,
    submittedBy: s.submittedBy,
    createTime: s.createdAt,
    updateTime: s.updatedAt,
    withdrawal: s.withdrawal ? { reason: s.withdrawal.reason, withdrawnBy: s.withdrawal.withdrawnBy, withdrawTime: s.withdrawal.withdrawnAt } : undefined,
  };
}

export function revisionToWire(r: SubmissionRevision): intakeV1.SubmissionRevision {
  return { revision: r.revision, details: detailsToWire(r.details), changedBy: r.changedBy, changeTime: r.changedAt, change: r.change };
}
