/** rampart.intake.v1.IntakeService: authenticate, validate, apply the domain rule, store with its events. */
import { v7 as uuidv7 } from 'uuid';
import { authorize, inScope, type Access } from '@rampart/auth';
import { ConflictError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit, type ServiceBinding } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { encodePageToken, page, pageRequest } from '@rampart/store';
import { AUTHORIZATION } from '../domain/authorization';
import { amend, receive, requestFingerprint, withdraw, type Changed } from '../domain/rules';
import type { Submission } from '../domain/submission';
import { validateDetails, validateIdempotencyKey, validateReason, validateSubmissionId } from '../domain/validation';
import { submissionEvent } from '../events/submission-events';
import type { IntakeStore } from '../store';
import { detailsFromWire, revisionToWire, statusFromWire, submissionToWire } from './mapping';

export interface IntakeDeps {
  /** Hands every write's events to the outbox relay itself. */
  store: IntakeStore;
  now?: () => Date;
}

/** Withdrawals retry a lost optimistic race this many times; amendments never retry (the caller's revision decides). */
const WITHDRAW_ATTEMPTS = 5;

export function intakeService(kit: HandlerKit, deps: IntakeDeps): ServiceBinding {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  /** Another organisation's submission is reported as absent, in the same words: existence does not leak. */
  const notFound = (id: string) => `submission ${id} not found`;

  async function loadForChange(access: Access, id: string): Promise<Submission> {
    ValidationError.throwIfAny(validateSubmissionId(id));
    return inScope(access, await store.get(id), notFound(id));
  }

  function save(changed: Changed, fromRevision: number, actor: string, at: Date): Promise<boolean> {
    return store.applyChange(changed.submission, fromRevision, changed.revision, [submissionEvent(changed.submission, changed.change, actor, at)]);
  }

  const implementation: intakeV1.IntakeServiceServer = {
    submitModel: unary(kit, async (request: intakeV1.SubmitModelRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'submitModel', caller);
      const at = now();
      const { details, violations } = validateDetails(detailsFromWire(request.details), at);
      ValidationError.throwIfAny([...violations, ...validateIdempotencyKey(request.idempotencyKey)]);
      const fingerprint = requestFingerprint(details!);
      const changed = receive({ id: uuidv7(), organization: caller.organization, details: details!, actor: caller.subject, now: at });
      const event = submissionEvent(changed.submission, 'received', caller.subject, at);
      signal.throwIfAborted(); // the caller is gone: store nothing it will never hear of
      const result = await store.insert(changed.submission, changed.revision, request.idempotencyKey, fingerprint, [event]);
      if (!result.created && result.fingerprint !== fingerprint) {
        throw new ValidationError([{ field: 'idempotency_key', description: `was already used for submission ${result.submission.id} with a different body` }]);
      }
      return { submission: submissionToWire(result.submission) };
    }),

    getSubmission: unary(kit, async (request: intakeV1.GetSubmissionRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'getSubmission', caller);
      ValidationError.throwIfAny(validateSubmissionId(request.submissionId));
      return { submission: submissionToWire(inScope(access, await store.get(request.submissionId), notFound(request.submissionId))) };
    }),

    listSubmissions: unary(kit, async (request: intakeV1.ListSubmissionsRequest, { caller }) => {
      const { organization } = authorize(AUTHORIZATION, 'listSubmissions', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const status = request.status === intakeV1.SubmissionStatus.SUBMISSION_STATUS_UNSPECIFIED ? undefined : statusFromWire(request.status);
      if (request.status !== intakeV1.SubmissionStatus.SUBMISSION_STATUS_UNSPECIFIED && !status) {
        throw new ValidationError([{ field: 'status', description: 'is not a known submission status' }]);
      }
      const fetched = await store.list({ ...(organization ? { organization } : {}), ...(status ? { status } : {}) }, after, size + 1);
      const { items, nextPageToken } = page(fetched, size, (s) => s.id);
      return { submissions: items.map(submissionToWire), nextPageToken };
    }),

    amendSubmission: unary(kit, async (request: intakeV1.AmendSubmissionRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'amendSubmission', caller);
      const current = await loadForChange(access, request.submissionId);
      const at = now();
      const { details, violations } = validateDetails(detailsFromWire(request.details), at, current.details);
      if (request.expectedRevision === 0) violations.push({ field: 'expected_revision', description: 'is required: the revision you last read' });
      ValidationError.throwIfAny(violations);
      const changed = amend(current, { expectedRevision: request.expectedRevision, details: details!, actor: caller.subject, now: at });
      signal.throwIfAborted();
      if (!(await save(changed, current.revision, caller.subject, at))) {
        throw new ConflictError(`submission ${current.id} changed while amending: read it again and retry`);
      }
      return { submission: submissionToWire(changed.submission) };
    }),

    withdrawSubmission: unary(kit, async (request: intakeV1.WithdrawSubmissionRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'withdrawSubmission', caller);
      ValidationError.throwIfAny([...validateSubmissionId(request.submissionId), ...validateReason(request.reason)]);
      for (let attempt = 0; attempt < WITHDRAW_ATTEMPTS; attempt++) {
        const current = await loadForChange(access, request.submissionId);
        const at = now();
        const changed = withdraw(current, { reason: request.reason.trim(), actor: caller.subject, now: at });
        if (!changed) return { submission: submissionToWire(current) };
        signal.throwIfAborted();
        if (await save(changed, current.revision, caller.subject, at)) return { submission: submissionToWire(changed.submission) };
      }
      throw new ConflictError(`submission ${request.submissionId} keeps changing; retry the withdrawal`);
    }),

    listSubmissionRevisions: unary(kit, async (request: intakeV1.ListSubmissionRevisionsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listSubmissionRevisions', caller);
      ValidationError.throwIfAny(validateSubmissionId(request.submissionId));
      const { size, after } = pageRequest(request, 20, 100);
      const afterRevision = after === undefined ? 0 : /^[1-9]\d{0,8}$/.test(after) ? Number(after) : undefined;
      if (afterRevision === undefined) throw new ValidationError([{ field: 'page_token', description: 'is not a token this service issued' }]);
      const found = inScope(access, await store.revisionsPage(request.submissionId, afterRevision, size), notFound(request.submissionId));
      const last = found.revisions.at(-1)?.revision ?? afterRevision;
      return { revisions: found.revisions.map(revisionToWire), nextPageToken: last < found.total ? encodePageToken(String(last)) : '' };
    }),
  };

  return {
    name: 'rampart.intake.v1.IntakeService',
    definition: intakeV1.IntakeServiceService,
    implementation,
  };
}
