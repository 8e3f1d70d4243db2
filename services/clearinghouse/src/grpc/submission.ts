/**
 * SubmitReport: a reporter's report, checked whole (every violation at once), stored with the
 * bytes as received and its `report.received` event in one write. Idempotent by key: the key's
 * `_id` insert reserves the report id, so retries, concurrent or after a crash between the two
 * inserts, all answer with the one report.
 */
import { v7 as uuidv7 } from 'uuid';
import { authorize } from '@rampart/auth';
import { ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { AUTHORIZATION } from '../domain/authorization';
import { keyReused, reportRequestFingerprint } from '../domain/idempotency';
import { receive } from '../domain/lifecycle';
import { validateIdempotencyKey, validateReportDetails } from '../domain/validation';
import { reportEvent } from '../events/report-events';
import { reportScoredEvent } from '../events/scoring-events';
import { scoreOnArrival } from '../scoring/report-scoring';
import type { ClearinghouseDeps } from './context';
import { detailsFromWire, reportToWire } from './mapping';
import { receivedRecord } from './received-bytes';

export function submitReportHandler(kit: HandlerKit, deps: ClearinghouseDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  return unary(kit, async (request: v1.SubmitReportRequest, { caller, signal }): Promise<v1.SubmitReportResponse> => {
    authorize(AUTHORIZATION, 'submitReport', caller);
    const at = now();
    const { details, violations } = validateReportDetails(detailsFromWire(request.details), at);
    ValidationError.throwIfAny([...violations, ...validateIdempotencyKey(request.idempotencyKey)]);
    const fingerprint = reportRequestFingerprint(details!);

    signal.throwIfAborted(); // the caller is gone: reserve nothing it will never hear of
    const reserved = await store.reserveRequest(caller.organization, request.idempotencyKey, uuidv7(), fingerprint, at);
    if (reserved.fingerprint !== fingerprint) throw new ValidationError([keyReused(reserved.reportId)]);
    if (!reserved.reserved) {
      // A retry: the report its first request made (unless that request died between its two inserts).
      const made = await store.get(reserved.reportId);
      if (made) return { report: reportToWire(made) };
    }
    const { report: arrived } = receive({ id: reserved.reportId, organization: caller.organization, details: details!, received: receivedRecord(request), actor: caller.subject, now: at });
    // Scored on receipt from what the reporter gave (preliminary), in the same write and trace as its receipt.
    const report = { ...arrived, scoring: await scoreOnArrival(deps, arrived.id, details!, at) };
    if (!(await store.insert(report, [reportEvent(report, at), reportScoredEvent(report, at)]))) {
      // A concurrent retry stored it first.
      const made = await store.get(report.id);
      if (made) return { report: reportToWire(made) };
    }
    const { content: _bytes, ...digest } = report.received;
    return { report: reportToWire({ ...report, received: digest }) };
  });
}
