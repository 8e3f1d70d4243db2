/** Referral RPCs: filing, reading as each role may, the workflow's steps and the priority policy. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { v5 as uuidv5 } from 'uuid';
import { authorize, inScope, type Access, type Caller } from '@rampart/auth';
import { ConflictError, NotFoundError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import {
  AUTHORIZATION, scoreReferral, TERMINAL, transition, validateAgency, validateAssignee, validateDetails, validateExpectedRevision, validateIdempotencyKey,
  validatePolicy, validateReason, validateReferralId, VERB_OF, viewOf, type PriorityPolicy, type Referral, type StepDeadlines, type ReferralStatus, type ReferralView, type WorkflowCommand,
} from '../domain';
import { referralEvent } from '../events/referral-events';
import type { EnforcementStore } from '../store';
import { detailsFromWire, policyToWire, referralToWire, statuses } from './mapping';

export interface ReferralDeps {
  store: EnforcementStore;
  now: () => Date;
  deadlines: StepDeadlines;
}

/** Filed referrals' ids: UUID v5 of the organisation and its idempotency key, so a retry names the same one. */
const FILING_NAMESPACE = '8a1d3c52-4b7e-4f0a-9e61-2c5b7d9f0a13';
const notFound = (id: string) => `referral ${id} not found`;
const OPEN: readonly ReferralStatus[] = ['candidate', 'received', 'under_review', 'accepted'];
/** Open referrals rescored by one policy change at most (a larger backlog is rescored by RescoreReferral's successor, a sweep). */
const RESCORE_LIMIT = 10_000;

/** What each role sees: analysts everything, auditors without victims' personal data, referrers status. */
export function viewFor(access: Access): ReferralView {
  return access.grant.role === 'enforcement-analyst' ? 'full' : access.grant.role === 'auditor' ? 'redacted' : 'status';
}

export function referralHandlers(kit: HandlerKit, deps: ReferralDeps) {
  const { store, now, deadlines } = deps;

  const load = async (access: Access, id: string): Promise<Referral> => {
    ValidationError.throwIfAny(validateReferralId(id));
    return inScope(access, await store.get(id), notFound(id));
  };

  /** One workflow step: load, decide, write with its event; a lost race is the caller's to retry. */
  const step = async (rpc: keyof typeof AUTHORIZATION.rpcs, caller: Caller, id: string, expectedRevision: number, command: (current: Referral) => WorkflowCommand, signal: AbortSignal) => {
    const access = authorize(AUTHORIZATION, rpc, caller);
    ValidationError.throwIfAny([...validateReferralId(id), ...validateExpectedRevision(expectedRevision)]);
    const current = await load(access, id);
    const cmd = command(current);
    const at = now();
    let next = transition(current, expectedRevision, cmd, at);
    // A candidate accepted as a referral is scored afresh on its corrected facts.
    if (cmd.kind === 'accept-candidate') next = { ...next, priority: scoreReferral({ details: next.details, receivedAt: next.receivedAt }, await store.currentPolicy(), at) };
    signal.throwIfAborted();
    if (!(await store.apply(next, current.revision, [referralEvent(next, VERB_OF[cmd.kind], caller.subject, at)]))) {
      throw new ConflictError(`referral ${id} changed meanwhile: read it again and retry`);
    }
    return { referral: referralToWire(deadlines, viewOf(next, viewFor(access)), at) };
  };

  return {
    fileReferral: unary(kit, async (request: v1.FileReferralRequest, { caller, signal }): Promise<v1.FileReferralResponse> => {
      const access = authorize(AUTHORIZATION, 'fileReferral', caller);
      const at = now();
      const input = detailsFromWire(request.details);
      const { details, violations } = validateDetails(input, at);
      ValidationError.throwIfAny([...violations, ...validateIdempotencyKey(request.idempotencyKey)]);
      const fingerprint = createHash('sha256').update(canonicalize(input) ?? '').digest('hex');
      const id = uuidv5(`${caller.organization}\n${request.idempotencyKey}`, FILING_NAMESPACE);
      const policy = await store.currentPolicy();
      const referral: Referral = {
        id, organization: caller.organization, source: 'filed', status: 'received', revision: 1, details: details!, links: [], filedBy: caller.subject,
        receivedAt: at, statusSince: at, priority: scoreReferral({ details: details!, receivedAt: at }, policy, at),
      };
      signal.throwIfAborted();
      const result = await store.insert(referral, [referralEvent(referral, 'received', caller.subject, at)], fingerprint);
      if (!result.created && (result.referral.organization !== caller.organization || result.fingerprint !== fingerprint)) {
        throw new ValidationError([{ field: 'idempotency_key', description: 'was already used for another filing with a different body' }]);
      }
      return { referral: referralToWire(deadlines, viewOf(result.referral, viewFor(access)), at) };
    }),

    getReferral: unary(kit, async (request: v1.GetReferralRequest, { caller }): Promise<v1.GetReferralResponse> => {
      const access = authorize(AUTHORIZATION, 'getReferral', caller);
      return { referral: referralToWire(deadlines, viewOf(await load(access, request.referralId), viewFor(access)), now()) };
    }),

    listReferrals: unary(kit, async (request: v1.ListReferralsRequest, { caller }): Promise<v1.ListReferralsResponse> => {
      const access = authorize(AUTHORIZATION, 'listReferrals', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const status = request.status === v1.ReferralStatus.REFERRAL_STATUS_UNSPECIFIED ? undefined : statuses.fromWire(request.status);
      if (request.status !== v1.ReferralStatus.REFERRAL_STATUS_UNSPECIFIED && !status) throw new ValidationError([{ field: 'status', description: 'is not a known referral status' }]);
      const fetched = await store.list({ ...(access.organization !== undefined ? { organization: access.organization } : {}), ...(status ? { status } : {}) }, after, size + 1);
      const { items, nextPageToken } = page(fetched, size, (r) => r.id);
      const at = now();
      return { referrals: items.map((r) => referralToWire(deadlines, viewOf(r, viewFor(access)), at)), nextPageToken };
    }),

    acceptCandidate: unary(kit, async (request: v1.AcceptCandidateRequest, { caller, signal }): Promise<v1.AcceptCandidateResponse> => {
      let corrected: Referral['details'] | undefined;
      if (request.details) {
        const { details, violations } = validateDetails(detailsFromWire(request.details), now());
        ValidationError.throwIfAny(violations);
        corrected = details;
      }
      // Without corrections the candidate's own facts go on.
      return step('acceptCandidate', caller, request.referralId, request.expectedRevision, (current) => ({ kind: 'accept-candidate', details: corrected ?? current.details }), signal);
    }),

    dismissCandidate: unary(kit, async (request: v1.DismissCandidateRequest, { caller, signal }) => {
      ValidationError.throwIfAny(validateReason('reason', request.reason));
      return step('dismissCandidate', caller, request.referralId, request.expectedRevision, () => ({ kind: 'dismiss', reason: request.reason.trim() }), signal);
    }),

    assignReferral: unary(kit, async (request: v1.AssignReferralRequest, { caller, signal }) => {
      ValidationError.throwIfAny(validateAssignee(request.assignee));
      return step('assignReferral', caller, request.referralId, request.expectedRevision, () => ({ kind: 'assign', assignee: request.assignee }), signal);
    }),

    startReview: unary(kit, async (request: v1.StartReviewRequest, { caller, signal }) =>
      step('startReview', caller, request.referralId, request.expectedRevision, () => ({ kind: 'start-review' }), signal)),

    acceptReferral: unary(kit, async (request: v1.AcceptReferralRequest, { caller, signal }) => {
      ValidationError.throwIfAny(validateAgency(request.routedTo));
      return step('acceptReferral', caller, request.referralId, request.expectedRevision, () => ({ kind: 'accept', routedTo: request.routedTo }), signal);
    }),

    declineReferral: unary(kit, async (request: v1.DeclineReferralRequest, { caller, signal }) => {
      ValidationError.throwIfAny(validateReason('reason', request.reason));
      return step('declineReferral', caller, request.referralId, request.expectedRevision, () => ({ kind: 'decline', reason: request.reason.trim() }), signal);
    }),

    closeReferral: unary(kit, async (request: v1.CloseReferralRequest, { caller, signal }) => {
      ValidationError.throwIfAny(validateReason('outcome', request.outcome));
      return step('closeReferral', caller, request.referralId, request.expectedRevision, () => ({ kind: 'close', outcome: request.outcome.trim() }), signal);
    }),

    getPriorityPolicy: unary(kit, async (request: v1.GetPriorityPolicyRequest, { caller }): Promise<v1.GetPriorityPolicyResponse> => {
      authorize(AUTHORIZATION, 'getPriorityPolicy', caller);
      if (!Number.isInteger(request.version) || request.version < 0) throw new ValidationError([{ field: 'version', description: 'must be 0 (the current one) or a policy version' }]);
      const policy = request.version === 0 ? await store.currentPolicy() : await store.policy(request.version);
      if (!policy) throw new NotFoundError(`priority policy version ${request.version} not found`);
      return { policy: policyToWire(policy) };
    }),

    setPriorityPolicy: unary(kit, async (request: v1.SetPriorityPolicyRequest, { caller, signal }): Promise<v1.SetPriorityPolicyResponse> => {
      authorize(AUTHORIZATION, 'setPriorityPolicy', caller);
      ValidationError.throwIfAny([...validatePolicy(request.weights, request.recencyHalfLifeDays), ...(request.expectedVersion >= 1 ? [] : [{ field: 'expected_version', description: 'is required: the current version you last read' }])]);
      const current = await store.currentPolicy();
      if (request.expectedVersion !== current.version) throw new ConflictError(`the current priority policy is version ${current.version}, not ${request.expectedVersion}: read it again`);
      const at = now();
      const policy: PriorityPolicy = { version: current.version + 1, weights: { ...request.weights! }, recencyHalfLifeDays: request.recencyHalfLifeDays, setBy: caller.subject, setAt: at };
      signal.throwIfAborted();
      if (!(await store.insertPolicy(policy))) throw new ConflictError(`priority policy version ${policy.version} was set meanwhile: read it again`);
      return { policy: policyToWire(policy), rescored: await rescoreOpen(store, policy, caller.subject, now, signal) };
    }),
  };
}

/** Rescores every open referral under `policy` (each its own change and `referral.rescored` event); how many changed. */
export async function rescoreOpen(store: EnforcementStore, policy: PriorityPolicy, actor: string, now: () => Date, signal?: AbortSignal): Promise<number> {
  let rescored = 0;
  let after: string | undefined;
  for (let seen = 0; seen < RESCORE_LIMIT;) {
    const batch = await store.list({ statuses: OPEN }, after, 100);
    if (batch.length === 0) break;
    for (const r of batch) {
      signal?.throwIfAborted();
      for (let attempt = 0; attempt < 3; attempt++) {
        const current = attempt === 0 ? r : await store.get(r.id);
        if (!current || TERMINAL.has(current.status) || current.priority.policyVersion >= policy.version) break;
        const at = now();
        const next = { ...current, revision: current.revision + 1, priority: scoreReferral({ details: current.details, receivedAt: current.receivedAt }, policy, at) };
        if (await store.apply(next, current.revision, [referralEvent(next, 'rescored', actor, at)])) {
          rescored++;
          break;
        }
      }
    }
    seen += batch.length;
    after = batch[batch.length - 1]!.id;
  }
  return rescored;
}
