/** The ids and texts of the scanning RPCs, checked before anything is read. */
import { textField, uuidField, type FieldViolation } from '@rampart/errors';

const JOB_ID = /^scan-job-[0-9a-f]{32}$/;
export const MAX_CANCEL_REASON_CHARS = 1_000;

export function validateRequestId(id: string | undefined, field = 'request_id'): FieldViolation[] {
  const out: FieldViolation[] = [];
  uuidField(out, field, id, 'a scan request id');
  return out;
}

export function validateJobId(id: string | undefined, field = 'job_id'): FieldViolation[] {
  if (!id) return [{ field, description: 'is required' }];
  return JOB_ID.test(id) ? [] : [{ field, description: 'must be a scan job id (scan-job- and 32 lowercase hex digits)' }];
}

export function validateCancelReason(out: FieldViolation[], reason: string | undefined): string {
  return textField(out, 'reason', reason, MAX_CANCEL_REASON_CHARS);
}
