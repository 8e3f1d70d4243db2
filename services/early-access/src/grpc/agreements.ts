/** Agreement templates (the access officer publishes versions) and principals' acceptances. */
import { authorize } from '@rampart/auth';
import { ConflictError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { acceptAgreement, agreementDraft, ALL_AGREEMENT_KINDS, CONTENT_HASH, publishAgreement, publishedBefore, type AgreementTemplate, type CurrentAgreements } from '../domain/agreements';
import { AUTHORIZATION } from '../domain/authorization';
import { assertOpen } from '../domain/program';
import { programPage, loadProgramForHolder, type AccessDeps } from './context';
import { acceptanceToWire, agreementKinds, agreementToWire } from './mapping';

type AgreementRpcs = Pick<v1.EarlyAccessServiceServer, 'publishAgreement' | 'listAgreements' | 'acceptAgreement' | 'listAcceptances'>;

export function agreementHandlers(kit: HandlerKit, deps: AccessDeps): AgreementRpcs {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    publishAgreement: unary(kit, async (request: v1.PublishAgreementRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'publishAgreement', caller);
      // Every bad field is refused before anything is read.
      const draft = agreementDraft({ kind: agreementKinds.fromWire(request.kind), title: request.title, text: request.text });
      // A retry whose first attempt stored the next version (its answer lost): that version, not CONFLICT.
      const earlier = async () => {
        const version = publishedBefore(draft, request.expectedVersion, (await store.currentAgreements()).current);
        return version === undefined ? undefined : store.getAgreement(draft.kind, version);
      };
      const stored = await earlier();
      if (stored) return { agreement: agreementToWire(stored) };
      const decide = (current: CurrentAgreements) => {
        const template = publishAgreement({ ...draft, expectedVersion: request.expectedVersion, current, actor: caller.subject, now: now() });
        signal.throwIfAborted(); // the caller is gone: publish nothing it will never hear of
        return template;
      };
      try {
        return { agreement: agreementToWire(await store.publishAgreement(draft.kind, decide)) };
      } catch (error) {
        // A concurrent retry of the same publish got there first.
        const raced = error instanceof ConflictError ? await earlier() : undefined;
        if (raced) return { agreement: agreementToWire(raced) };
        throw error;
      }
    }),

    listAgreements: unary(kit, async (_request: v1.ListAgreementsRequest, { caller }) => {
      authorize(AUTHORIZATION, 'listAgreements', caller);
      const { current } = await store.currentAgreements();
      const templates = await Promise.all(ALL_AGREEMENT_KINDS.map((kind) => (current[kind] ? store.getAgreement(kind, current[kind].version) : Promise.resolve(undefined))));
      return { agreements: templates.filter((t): t is AgreementTemplate => !!t).map(agreementToWire) };
    }),

    acceptAgreement: unary(kit, async (request: v1.AcceptAgreementRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'acceptAgreement', caller);
      // What the principal says it accepts is checked before anything is read.
      const kind = agreementKinds.fromWire(request.kind);
      ValidationError.throwIfAny([
        ...(kind ? [] : [{ field: 'kind', description: `must be one of ${ALL_AGREEMENT_KINDS.join(', ')}` }]),
        ...(CONTENT_HASH.test(request.contentHash) ? [] : [{ field: 'content_hash', description: 'must be the SHA-256 (64 lowercase hex digits) of the version you read' }]),
      ]);
      const p = await loadProgramForHolder(store, caller, request.programId);
      assertOpen(p);
      const { current } = await store.currentAgreements();
      const acceptance = acceptAgreement({
        programId: p.id, kind, contentHash: request.contentHash, required: p.requiredAgreements, current,
        principal: caller.subject, principalOrganization: caller.organization, now: now(),
      });
      signal.throwIfAborted();
      return { acceptance: acceptanceToWire(await store.insertAcceptance(acceptance)) };
    }),

    listAcceptances: unary(kit, async (request: v1.ListAcceptancesRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listAcceptances', caller);
      const { items, nextPageToken } = await programPage(store, access, request, { default: 50, max: 500 }, (id, after, limit) => store.listAcceptances(id, after, limit), (a) => a.key);
      return { acceptances: items.map(acceptanceToWire), nextPageToken };
    }),
  };
}
