/**
 * SubmitReport's idempotency key, as intake's SubmitModel and early access's IssueGrant have it:
 * chosen by the client, unique within its organisation; a retry with the same key gets the same
 * report, the same key with a different body is refused.
 */
import { createHash } from 'node:crypto';
import type { FieldViolation } from '@rampart/errors';
import type { ReportDetails } from './report';

/**
 * SHA-256 of the checked details as JSON (dates as ISO strings; the validator builds every field
 * in one order): what a retry must repeat.
 */
export function reportRequestFingerprint(details: ReportDetails): string {
  return createHash('sha256').update(JSON.stringify(details)).digest('hex');
}

export function keyReused(reportId: string): FieldViolation {
  return { field: 'idempotency_key', description: `was already used for report ${reportId} with a different body` };
}
