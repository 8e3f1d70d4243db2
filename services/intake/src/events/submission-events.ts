/**
 * Intake's events: `rampart.intake.submission.{received,amended,withdrawn}`. Each carries the whole
 * submission at its new revision, so a consumer that missed one can rebuild from the next.
 */
import { createEvent, eventStream, natsSubject, outboxEntry, type EventName, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { Submission, SubmissionChange } from '../domain/submission';

export const AREA = 'intake';

/** Intake emits one marking class (CUI, government consumers only), so one stream. */
export function intakeStreams(replicas: number): StreamSpec[] {
  return [eventStream(AREA, 'INTAKE_EVENTS', ['submission'], replicas)];
}

export interface SubmissionEventData {
  submissionId: string;
  organization: string;
  revision: number;
  status: Submission['status'];
  modelName: string;
  modelVersion: string;
  description: string;
  modalities: string[];
  trainingComputeFlop?: number;
  parameterCount?: number;
  intendedPartnerReleaseAt: string;
  intendedPublicReleaseAt: string;
  selfReportedEvaluations: { benchmark: string; score: number; evaluationDate: string }[];
  submittedBy: string;
  changedBy: string;
  withdrawal?: { reason: string; withdrawnBy: string; withdrawnAt: string };
}

export function submissionEventName(change: SubmissionChange): EventName {
  return { area: AREA, thing: 'submission', verb: change };
}

export function submissionEvent(submission: Submission, change: SubmissionChange, actor: string, now: Date): OutboxEntry {
  const d = submission.details;
  const data: SubmissionEventData = {
    submissionId: submission.id,
    organization: submission.organization,
    revision: submission.revision,
    status: submission.status,
    modelName: d.modelName,
    modelVersion: d.modelVersion,
    description: d.description,
    modalities: [...d.modalities],
    ...(d.trainingComputeFlop !== undefined ? { trainingComputeFlop: d.trainingComputeFlop } : {}),
    ...(d.parameterCount !== undefined ? { parameterCount: d.parameterCount } : {}),
    intendedPartnerReleaseAt: d.intendedPartnerReleaseAt.toISOString(),
    intendedPublicReleaseAt: d.intendedPublicReleaseAt.toISOString(),
    selfReportedEvaluations: d.selfReportedEvaluations.map((e) => ({ ...e })),
    submittedBy: submission.submittedBy,
    changedBy: actor,
    ...(submission.withdrawal
      ? { withdrawal: { ...submission.withdrawal, withdrawnAt: submission.withdrawal.withdrawnAt.toISOString() } }
      : {}),
  };
  const name = submissionEventName(change);
  return outboxEntry(natsSubject(name), createEvent(name, submission.id, data, now), now);
}
