/** Between the wire (rampart.intake.v1) and the domain. */
import { enumTable } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import type { ModelDetailsInput } from '../domain/validation';
import type { Modality, ModelDetails, Submission, SubmissionRevision, SubmissionStatus } from '../domain/submission';

const { Modality: M, SubmissionStatus: S } = intakeV1;

const modalities = enumTable<Modality, intakeV1.Modality>([
  ['text', M.MODALITY_TEXT],
  ['code', M.MODALITY_CODE],
  ['image', M.MODALITY_IMAGE],
  ['audio', M.MODALITY_AUDIO],
  ['video', M.MODALITY_VIDEO],
  ['tool_use', M.MODALITY_TOOL_USE],
]);
const statuses = enumTable<SubmissionStatus, intakeV1.SubmissionStatus>([['received', S.SUBMISSION_STATUS_RECEIVED], ['withdrawn', S.SUBMISSION_STATUS_WITHDRAWN]]);

export const statusFromWire = statuses.fromWire;

/** proto3 scalars have no "unset": 0 for compute and parameters means not known. */
export function detailsFromWire(d: intakeV1.ModelDetails | undefined): ModelDetailsInput | undefined {
  if (!d) return undefined;
  return {
    modelName: d.modelName,
    modelVersion: d.modelVersion,
    description: d.description,
    modalities: d.modalities.map((m) => modalities.fromWire(m) ?? `unknown (${m})`),
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
    modalities: d.modalities.map(modalities.toWire),
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
    status: statuses.toWire(s.status),
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
