/**
 * Grants (the access officer's) and their credentials: short-lived tokens for the developer's
 * model gateway, issued to the grant's holder once every required agreement is accepted, verified
 * online here (VerifyCredential) or offline with GetVerificationKeys and the revocations on the
 * developer's subject, revoked one by one or with their grant.
 */
import { v7 as uuidv7 } from 'uuid';
import { authorize, inScope } from '@rampart/auth';
import { CredentialRejectedError, verificationKeyToWire, verifyCredentialToken } from '@rampart/access-verifier';
import { ConflictError, NotFoundError, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { AUTHORIZATION } from '../domain/authorization';
import { assertHolderRole, credentialExpiry, cutByWindow, endGrant, inSelection, isHolder, revokeCredential, revokedByProgram, statusAt, type Grant } from '../domain/grants';
import { idField } from '../domain/ids';
import { phaseAt } from '../domain/window';
import { grantEvent, revocationEvent } from '../events/access-events';
import { programPage, missingAgreements, REASON_LIMIT, selectionRound, type AccessDeps } from './context';
import { issueGrantHandler } from './grant-issuing';
import { grantToWire } from './mapping';

type GrantRpcs = Pick<v1.EarlyAccessServiceServer, 'issueGrant' | 'revokeGrant' | 'listGrants' | 'listMyGrants' | 'issueCredential' | 'revokeCredential' | 'verifyCredential' | 'getVerificationKeys'>;

const grantNotFound = (id: string) => `grant ${id} not found`;
const credentialNotFound = (id: string) => `credential ${id} not found`;

function idAndReason(field: string, id: string, what: string, reason: string | undefined, reasonRequired: boolean): { id: string; reason: string } {
  const out: FieldViolation[] = [];
  idField(out, field, id, what);
  const text = textField(out, 'reason', reason, REASON_LIMIT, reasonRequired);
  ValidationError.throwIfAny(out);
  return { id, reason: text };
}

export function grantHandlers(kit: HandlerKit, deps: AccessDeps): GrantRpcs {
  const { store, signer } = deps;
  const now = deps.now ?? (() => new Date());
  const wire = (g: Grant) => grantToWire(g, statusAt(g, now()));

  async function loadGrant(id: string, field = 'grant_id'): Promise<Grant | undefined> {
    const out: FieldViolation[] = [];
    idField(out, field, id, 'a grant id');
    ValidationError.throwIfAny(out);
    return store.getGrant(id);
  }

  return {
    issueGrant: issueGrantHandler(kit, deps),

    revokeGrant: unary(kit, async (request: v1.RevokeGrantRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'revokeGrant', caller);
      const { id, reason } = idAndReason('grant_id', request.grantId, 'a grant id', request.reason, true);
      for (let attempt = 0; attempt < 5; attempt++) {
        const g = inScope(access, await store.getGrant(id), grantNotFound(id));
        const at = now();
        const next = endGrant(g, 'revoked', caller.subject, reason, at);
        if (!next) return { grant: wire(g) };
        const events = [grantEvent(next, 'revoked', at), revocationEvent({ organization: next.organization, scope: 'grant', programId: next.programId, grantId: next.id, revision: next.revision, now: at })];
        signal.throwIfAborted();
        if (await store.saveGrant(next, g.revision, events)) return { grant: wire(next) };
      }
      throw new ConflictError(`grant ${id} keeps changing; retry`);
    }),

    listGrants: unary(kit, async (request: v1.ListGrantsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listGrants', caller);
      const { items, nextPageToken } = await programPage(store, access, request, { default: 50, max: 200 }, (programId, after, limit) => store.listGrants({ programId }, after, limit), (g) => g.id);
      return { grants: items.map(wire), nextPageToken };
    }),

    listMyGrants: unary(kit, async (request: v1.ListMyGrantsRequest, { caller }) => {
      authorize(AUTHORIZATION, 'listMyGrants', caller);
      const { size, after } = pageRequest(request, 50, 200);
      const { items, nextPageToken } = page(await store.listGrants({ principal: caller.subject, principalOrganization: caller.organization }, after, size + 1), size, (g) => g.id);
      return { grants: items.map(wire), nextPageToken };
    }),

    issueCredential: unary(kit, async (request: v1.IssueCredentialRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'issueCredential', caller);
      const g = await loadGrant(request.grantId);
      // Only the holder learns the grant exists; and it must act in the role of the grant's kind.
      if (!g || !isHolder(g, caller.subject, caller.organization)) throw new NotFoundError(grantNotFound(request.grantId));
      assertHolderRole(g, caller.roles);
      const p = await store.getProgram(g.programId);
      if (!p) throw new NotFoundError(grantNotFound(request.grantId));
      const [missing, partnerSelected] = await Promise.all([
        missingAgreements(store, p, g.principalOrganization, g.principal),
        // A partner grant only in the selection round it was issued in: not again after a removal and a new selection.
        g.principalKind === 'partner' ? selectionRound(store, p.id, g.principalOrganization).then((round) => inSelection(g, round)) : Promise.resolve(false),
      ]);
      const at = now();
      const expiresAt = credentialExpiry({ program: p, grant: g, missingAgreements: missing, partnerSelected, ttlSeconds: request.ttlSeconds, maxTtlSeconds: deps.maxCredentialTtlSeconds, now: at });
      const credentialId = uuidv7();
      // JWT times are whole seconds: the record keeps what the token says.
      const issuedAt = new Date(Math.floor(at.getTime() / 1000) * 1000);
      const expires = new Date(Math.floor(expiresAt.getTime() / 1000) * 1000);
      signal.throwIfAborted();
      await store.insertCredential({ id: credentialId, grantId: g.id, programId: p.id, organization: p.organization, principal: g.principal, principalOrganization: g.principalOrganization, issuedAt, expiresAt: expires });
      const token = await signer.signCredential({
        credentialId, organization: p.organization, programId: p.id, grantId: g.id, principal: g.principal, principalOrganization: g.principalOrganization,
        principalKind: g.principalKind, scopes: g.scopes, issuedAt, notBefore: issuedAt, expiresAt: expires,
      });
      return { credentialId, token, expireTime: expires };
    }),

    revokeCredential: unary(kit, async (request: v1.RevokeCredentialRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'revokeCredential', caller);
      // The reason goes to the audit trail with the request; the releasable revocation carries ids only.
      const { id } = idAndReason('credential_id', request.credentialId, 'a credential id', request.reason, false);
      const credential = inScope(access, await store.getCredential(id), credentialNotFound(id));
      for (let attempt = 0; attempt < 5; attempt++) {
        const g = await store.getGrant(credential.grantId);
        if (!g) throw new NotFoundError(credentialNotFound(id));
        const at = now();
        const next = revokeCredential(g, id, at);
        if (!next) return { credentialId: id, revokeTime: g.revokedCredentials.find((c) => c.id === id)!.at };
        const events = [revocationEvent({ organization: g.organization, scope: 'credential', programId: g.programId, grantId: g.id, credentialId: id, revision: next.revision, now: at })];
        signal.throwIfAborted();
        if (await store.saveGrant(next, g.revision, events)) return { credentialId: id, revokeTime: at };
      }
      throw new ConflictError(`credential ${id}'s grant keeps changing; retry`);
    }),

    verifyCredential: unary(kit, async (request: v1.VerifyCredentialRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'verifyCredential', caller);
      const at = now();
      const refuse = (reason: string) => v1.VerifyCredentialResponse.fromPartial({ valid: false, reason });
      let claims;
      try {
        claims = await verifyCredentialToken(request.token, { issuer: signer.issuer, organization: access.organization ?? caller.organization, keys: signer.keys, clockToleranceSeconds: deps.clockToleranceSeconds, now: at });
      } catch (error) {
        if (error instanceof CredentialRejectedError) return refuse(error.reason);
        throw error;
      }
      const [g, p] = await Promise.all([store.getGrant(claims.grantId), store.getProgram(claims.programId)]);
      if (!g || !p || g.programId !== p.id) return refuse('unknown grant');
      if (g.revokedCredentials.some((c) => c.id === claims.credentialId)) return refuse('revoked');
      const status = statusAt(g, at);
      if (status !== 'active') return refuse(`its grant is ${status}`);
      if (p.status === 'closed') return refuse('revoked (its program is closed)');
      if (cutByWindow(g, p.window) || revokedByProgram(g, p)) return refuse('revoked (an amendment moved the window past its grant)');
      if (!phaseAt(p.window, g.principalKind, at)) return refuse('outside the window');
      // Removed (and perhaps selected again since): the removal's write revoked the grant of that round.
      if (g.principalKind === 'partner' && !inSelection(g, await selectionRound(store, p.id, g.principalOrganization))) return refuse('revoked (its partner was removed)');
      return {
        valid: true, reason: '', credentialId: claims.credentialId, grantId: g.id, programId: p.id, principal: claims.principal,
        principalOrganization: claims.principalOrganization, scopes: claims.scopes, expireTime: claims.expiresAt,
      };
    }),

    getVerificationKeys: unary(kit, async (_request: v1.GetVerificationKeysRequest, { caller }) => {
      authorize(AUTHORIZATION, 'getVerificationKeys', caller);
      return Promise.resolve({
        issuer: signer.issuer,
        keys: signer.publishedKeys.map(verificationKeyToWire),
      });
    }),
  };
}
