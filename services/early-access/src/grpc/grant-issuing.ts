/**
 * IssueGrant: the access officer grants a principal access inside the program's window. The kind
 * must match the principal's organisation (a configured government organisation, or a selected
 * partner of the program). Idempotent by key: the key's `_id` insert reserves the grant id, so
 * retries, concurrent or after a crash between the two inserts, all answer with the one grant.
 * The grant's expiry timer follows from its `grant.issued` event (timer-scheduling.ts).
 *
 * The checks run before the insert, and a partner's removal, a moved window or a closing written
 * meanwhile lists the grants it ends before this one exists: so after the insert the partner's
 * selection and the program are read again, and a grant one of them ends is revoked at once.
 */
import { v7 as uuidv7 } from 'uuid';
import { authorize } from '@rampart/auth';
import { ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { AUTHORIZATION } from '../domain/authorization';
import { cutByWindow, endGrant, inSelection, issueGrant, revokedByProgram, statusAt, type Grant, type PrincipalOrganizationFacts } from '../domain/grants';
import { grantRequestFingerprint, idempotencyKeyViolations, keyReused } from '../domain/idempotency';
import { isOrganizationId } from '../domain/ids';
import type { PrincipalKind } from '../domain/window';
import { grantEvent, revocationEvent } from '../events/access-events';
import { loadProgram, selectionRound, type AccessDeps } from './context';
import { grantToWire, principalKinds } from './mapping';

export function issueGrantHandler(kit: HandlerKit, deps: AccessDeps) {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  const wire = (g: Grant) => ({ grant: grantToWire(g, statusAt(g, now())) });

  async function organizationFacts(programId: string, organization: string, kind: PrincipalKind | undefined): Promise<PrincipalOrganizationFacts> {
    const valid = isOrganizationId(organization);
    const round = valid && kind === 'partner' ? await selectionRound(store, programId, organization) : undefined;
    return {
      governmentOrganization: valid && deps.governmentOrganizations.has(organization),
      partnerSelected: round !== undefined,
      ...(round !== undefined ? { partnerSelection: round } : {}),
    };
  }

  return unary(kit, async (request: v1.IssueGrantRequest, { caller, signal }) => {
    const access = authorize(AUTHORIZATION, 'issueGrant', caller);
    // Another organisation's or a missing program answers NOT_FOUND whatever the body says.
    const p = await loadProgram(store, access, request.programId);
    const key = request.idempotencyKey;
    ValidationError.throwIfAny(idempotencyKeyViolations(key));
    const fingerprint = grantRequestFingerprint({ ...request, notBefore: request.notBeforeTime, notAfter: request.notAfterTime });

    // A retry: the grant its first request made, whatever has happened since.
    const earlier = await store.getGrantRequest(caller.organization, key);
    if (earlier && earlier.fingerprint !== fingerprint) throw new ValidationError([keyReused(earlier.grantId)]);
    const made = earlier && (await store.getGrant(earlier.grantId));
    if (made) return wire(made);

    const kind = principalKinds.fromWire(request.principalKind);
    const at = now();
    const grant = issueGrant(p, {
      principal: request.principal, principalOrganization: request.principalOrganization, principalKind: kind, scopes: request.scopes, purpose: request.purpose,
      ...(request.notBeforeTime ? { notBefore: request.notBeforeTime } : {}), ...(request.notAfterTime ? { notAfter: request.notAfterTime } : {}),
    }, { id: earlier?.grantId ?? uuidv7(), ...(await organizationFacts(p.id, request.principalOrganization, kind)), actor: caller.subject, now: at });

    signal.throwIfAborted(); // the caller is gone: grant nothing it will never hear of
    const reserved = await store.reserveGrantRequest(caller.organization, key, grant.id, fingerprint, at);
    if (reserved.fingerprint !== fingerprint) throw new ValidationError([keyReused(reserved.grantId)]);
    const mine = { ...grant, id: reserved.grantId };
    if (!(await store.insertGrant(mine, [grantEvent(mine, 'issued', at)]))) return wire((await store.getGrant(mine.id)) ?? mine); // a concurrent retry stored it first
    // A removal, a moved window or a closing between the checks above and the insert could not name this grant: end it now.
    const ended = await endedSinceChecked(mine);
    return wire(ended ? await revokeIssued(mine, ended) : mine);
  });

  /** Why a grant just stored is already ended by a write made while it was issued, if it is. */
  async function endedSinceChecked(g: Grant): Promise<string | undefined> {
    const [current, round] = await Promise.all([store.getProgram(g.programId), g.principalKind === 'partner' ? selectionRound(store, g.programId, g.principalOrganization) : Promise.resolve(undefined)]);
    if (!current || current.status === 'closed') return 'the program closed while the grant was issued';
    if (cutByWindow(g, current.window) || revokedByProgram(g, current)) return 'an amendment moved the window while the grant was issued: its time box no longer fits';
    if (!inSelection(g, round)) return `${g.principalOrganization} was removed as a trusted partner while the grant was issued`;
    return undefined;
  }

  async function revokeIssued(g: Grant, reason: string): Promise<Grant> {
    const at = now();
    const next = endGrant(g, 'revoked', 'early-access', reason, at);
    if (!next) return g;
    const events = [grantEvent(next, 'revoked', at), revocationEvent({ organization: next.organization, scope: 'grant', programId: next.programId, grantId: next.id, revision: next.revision, now: at })];
    // Lost to another writer (the grant-endings consumer): it ended the grant itself.
    return (await store.saveGrant(next, g.revision, events)) ? next : ((await store.getGrant(g.id)) ?? g);
  }
}
