/**
 * The joint selection of trusted partners: nominate, approve, veto, remove (either side), list. A
 * removal revokes the partner's grants on the developer's subject in the nomination's own write.
 */
import { authorize, type Access } from '@rampart/auth';
import { ConflictError, NotFoundError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { AUTHORIZATION, type AccessRpc } from '../domain/authorization';
import type { Grant } from '../domain/grants';
import { approve, nominate, remove, veto, type NominationChange, type PartnerNomination } from '../domain/partners';
import { assertOpen } from '../domain/program';
import { nominationEvent } from '../events/access-events';
import { activeGrants, grantRevocations, partnerGrantsOf } from '../events/grant-cuts';
import { loadProgram, programPage, partnerAndReason, sideOf, type AccessDeps } from './context';
import { nominationToWire } from './mapping';

type PartnerRpcs = Pick<v1.EarlyAccessServiceServer, 'nominatePartner' | 'approvePartner' | 'vetoPartner' | 'removePartner' | 'listNominations'>;

interface StepRequest {
  programId: string;
  partnerOrganization: string;
  reason?: string;
}

export function partnerHandlers(kit: HandlerKit, deps: AccessDeps): PartnerRpcs {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());

  /** One step of the selection: read, decide, write with its events; a lost race is re-decided from the new state. */
  function step(rpc: AccessRpc & keyof PartnerRpcs, reasonRequired: boolean, decide: (current: PartnerNomination | undefined, ctx: { access: Access; actor: string; reason: string; developerOrganization: string; programId: string; partner: string; at: Date }) => NominationChange | undefined) {
    return unary(kit, async (request: StepRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, rpc, caller);
      const { partner, reason } = partnerAndReason(request, reasonRequired);
      const p = await loadProgram(store, access, request.programId);
      assertOpen(p);
      // A removal names the partner's grants: listed (a scan) once, and again only after a lost race.
      let listed: Grant[] | undefined;
      for (let attempt = 0; attempt < 5; attempt++) {
        if (attempt > 0) listed = undefined; // lost a race: a grant may have been issued or ended meanwhile
        const current = await store.getNomination(p.id, partner);
        const at = now();
        const change = decide(current, { access, actor: caller.subject, reason, developerOrganization: p.organization, programId: p.id, partner, at });
        if (!change) return { nomination: nominationToWire(current!) };
        // A removal ends the partner's grants: their revocations go out with it (grant-cuts.ts).
        const revoked = change.next.status === 'removed' ? (listed ??= await activeGrants(store, p.id, partnerGrantsOf(partner))) : [];
        const events = [
          ...change.steps.map((s) => nominationEvent(change.next, s, at, change.next.status === 'removed' ? { revokedGrantIds: revoked.map((g) => g.id) } : {})),
          ...grantRevocations(revoked, at),
        ];
        signal.throwIfAborted();
        if (await store.saveNomination(change.next, current?.revision ?? 0, events)) return { nomination: nominationToWire(change.next) };
      }
      throw new ConflictError(`the nomination of ${partner} keeps changing; retry`);
    });
  }

  const existing = (current: PartnerNomination | undefined, programId: string, partner: string): PartnerNomination => {
    if (!current) throw new NotFoundError(`${partner} has not been nominated for program ${programId}`);
    return current;
  };

  return {
    nominatePartner: step('nominatePartner', false, (current, c) =>
      nominate(current, { programId: c.programId, developerOrganization: c.developerOrganization, partnerOrganization: c.partner, governmentOrganization: deps.governmentOrganizations.has(c.partner), side: sideOf(c.access), actor: c.actor, reason: c.reason, now: c.at })),
    approvePartner: step('approvePartner', false, (current, c) => approve(existing(current, c.programId, c.partner), sideOf(c.access), c.actor, c.at)),
    vetoPartner: step('vetoPartner', false, (current, c) => veto(existing(current, c.programId, c.partner), sideOf(c.access), c.actor, c.reason, c.at)),
    removePartner: step('removePartner', false, (current, c) => remove(existing(current, c.programId, c.partner), sideOf(c.access), c.actor, c.reason, c.at)),

    listNominations: unary(kit, async (request: v1.ListNominationsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listNominations', caller);
      const { items, nextPageToken } = await programPage(store, access, request, { default: 50, max: 200 }, (id, after, limit) => store.listNominations(id, after, limit), (n) => n.key);
      return { nominations: items.map(nominationToWire), nextPageToken };
    }),
  };
}
