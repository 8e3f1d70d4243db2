/** rampart.intake.v1.IntakeService: authenticate, validate, apply the domain rule, store with its events. */
import { v7 as uuidv7 } from 'uuid';
import { ConflictError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit, type ServiceBinding } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { assertMayChange, assertMayRead, assertMaySubmit, readScope } from '../domain/access';
import { amend, receive, requestFingerprint, withdraw, type Changed } from '../domain/rules';
import type { Submission } from '../domain/submission';
import { validateDetails, validateIdempotencyKey, validateReason, validateSubmissionId } from '../domain/validation';
import { submissionEvent } from '../events/submission-events';
import type { IntakeStore } from '../store';
import { detailsFromWire, revisionToWire, statusFromWire, submissionToWire } from './mapping';

export interface IntakeDeps {
  store: IntakeStore;
  /** Tells the outbox relay a write just added events. */
  eventsWritten: () => void;
  now?: () => Date;
}

/** Withdrawals retry a lost optimistic race this many times; amendments never retry (the caller's revision decides). */
const WITHDRAW_ATTEMPTS = 5;

export function intakeService(kit: HandlerKit, deps: IntakeDeps): ServiceBinding {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  async function loadForChange(caller: Parameters<typeof assertMayChange>[0], id: string): Promise<Submission> {
    ValidationError.throwIfAny(validateSubmissionId(id));
    return assertMayChange(caller, await store.get(id), id);
  }

  async function save(changed: Changed, fromRevision: number, actor: string, at: Date): Promise<boolean> {
    const written = await store.applyChange(changed.submission, fromRevision, changed.revision, [submissionEvent(changed.submission, changed.change, actor, at)]);
    if (written) deps.eventsWritten();
    return written;
  }

  const implementation: intakeV1.IntakeServiceServer = {
    submitModel: unary(kit, async (request: intakeV1.SubmitModelRequest, { caller }) => {
      assertMaySubmit(caller);
      const at = now();
      const { details, violations } = validateDetails(detailsFromWire(request.details), at);
      ValidationError.throwIfAny([...violations, ...validateIdempotencyKey(request.idempotencyKey)]);
      const fingerprint = requestFingerprint(details!);
      const changed = receive({ id: uuidv7(), organization: caller.organization, details: details!, actor: caller.subject, now: at });
      const event = submissionEvent(changed.submission, 'received', caller.subject, at);
      const result = await store.insert(changed.submission, changed.revision, request.idempotencyKey, fingerprint, [event]);
      if (result.created) deps.eventsWritten();
      else if (result.fingerprint !== fingerprint) {
        throw new ValidationError([{ field: 'idempotency_key', description: `was already used for submission ${result.submission.id} with a different body` }]);
      }
      return { submission: submissionToWire(result.submission) };
    }),

    getSubmission: unary(kit, async (request: intakeV1.GetSubmissionRequest, { caller }) => {
      ValidationError.throwIfAny(validateSubmissionId(request.submissionId));
      return { submission: submissionToWire(assertMayRead(caller, await store.get(request.submissionId), request.submissionId)) };
    }),

    listSubmissions: unary(kit, async (request: intakeV1.ListSubmissionsRequest, { caller }) => {
      const organization = readScope(caller);
      const { size, after } = pageRequest(request, 20, 100);
      const status = request.status === intakeV1.SubmissionStatus.SUBMISSION_STATUS_UNSPECIFIED ? undefined : statusFromWire(request.status);
      if (request.status !== intakeV1.SubmissionStatus.SUBMISSION_STATUS_UNSPECIFIED && !status) {
        throw new ValidationError([{ field: 'status', description: 'is not a known submission status' }]);
      }
      const fetched = await store.list({ ...(organization ? { organization } : {}), ...(status ? { status } : {}) }, after, size + 1);
      const { items, nextPageToken } = page(fetched, size, (s) => s.id);
      return { submissions: items.map(submissionToWire), nextPageToken };
    }),

    amendSubmission: unary(kit, async (request: intakeV1.AmendSubmissionRequest, { caller }) => {
      const current = await loadForChange(caller, request.submissionId);
      const at = now();
      const { details, violations } = validateDetails(detailsFromWire(request.details), at, current.details);
      if (request.expectedRevision === 0) violations.push({ field: 'expected_revision', description: 'is required: the revision you last read' });
      ValidationError.throwIfAny(violations);
      const changed = amend(current, { expectedRevision: request.expectedRevision, details: details!, actor: caller.subject, now: at });
      if (!(await save(changed, current.revision, caller.subject, at))) {
        throw new ConflictError(`submission ${current.id} changed while amending: read it again and retry`);
      }
      return { submission: submissionToWire(changed.submission) };
    }),

    withdrawSubmission: unary(kit, async (request: intakeV1.WithdrawSubmissionRequest, { caller }) => {
      ValidationError.throwIfAny([...validateSubmissionId(request.submissionId), ...validateReason(request.reason)]);
      for (let attempt = 0; attempt < WITHDRAW_ATTEMPTS; attempt++) {
        const current = await loadForChange(caller, request.submissionId);
        const at = now();
        const changed = withdraw(current, { reason: request.reason.trim(), actor: caller.subject, now: at });
        if (!changed) return { submission: submissionToWire(current) };
        if (await save(changed, current.revision, caller.subject, at)) return { submission: submissionToWire(changed.submission) };
      }
      throw new ConflictError(`submission ${request.submissionId} keeps changing; retry the withdrawal`);
    }),

    listSubmissionRevisions: unary(kit, async (request: intakeV1.ListSubmissionRevisionsRequest, { caller }) => {
      ValidationError.throwIfAny(validateSubmissionId(request.submissionId));
      const { size, after } = pageRequest(request, 20, 100);
      const found = assertMayRead(caller, await store.history(request.submissionId), request.submissionId);
      const rest = found.history.filter((r) => r.revision > Number(after ?? 0));
      const { items, nextPageToken } = page(rest, size, (r) => String(r.revision));
      return { revisions: items.map(revisionToWire), nextPageToken };
    }),
  };

  return {
    name: 'rampart.intake.v1.IntakeService',
    definition: intakeV1.IntakeServiceService,
    implementation,
    protoFile: 'rampart/intake/v1/intake.proto',
  };
}
