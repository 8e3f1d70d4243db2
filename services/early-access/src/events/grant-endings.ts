/**
 * Ends grants from early access's own events, outside any request: a closed program ends all of
 * its grants (revoked on withdrawal, expired at the public release), a removed partner's grants and
 * the grants a moved window cut are revoked. Each grant ends in its own write with its event; a
 * crash part-way is resumed by the redelivery, and grants already ended are skipped. (Credentials
 * are refused from the program's or nomination's own write on, which also carried the revocations
 * on the developer's subject; this only brings the grants' records and events in line, and revokes
 * on that subject any grant the write could not name: one issued while it was being made.)
 *
 * Every grant the write named (`revokedGrantIds`) ends, whatever happened since: its revocation is
 * already out, so a partner selected again or a window moved back must not bring it back (the
 * service and offline verifiers would disagree). Only the grants the write could not name are
 * picked by the state now: a removed partner's grants of an earlier selection round, the grants the
 * window as it is now cuts.
 */
import { PoisonMessageError, type ConsumerSpec, type EventHandler } from '@rampart/events';
import { cutByWindow, endGrant, inSelection, type Grant } from '../domain/grants';
import { selectionOf } from '../domain/partners';
import type { EarlyAccessStore } from '../store';
import { grantEvent, revocationEvent } from './access-events';
import { activeGrants, partnerGrantsOf } from './grant-cuts';

export const GRANT_ENDINGS_CONSUMER: ConsumerSpec = {
  stream: 'ACCESS_EVENTS',
  durable: 'access-grant-endings',
  filterSubjects: ['rampart.access.program.closed', 'rampart.access.nomination.removed', 'rampart.access.window.changed'],
  maxDeliver: 10,
};

interface Ending {
  status: 'revoked' | 'expired';
  reason: string;
  /** Grants whose revocation the triggering write already carried. */
  alreadyRevoked: ReadonlySet<string>;
  /** False when the triggering write revoked the whole program on the developer's subject. */
  revokeOnSubject: boolean;
}

async function endAll(store: EarlyAccessStore, programId: string, which: (g: Grant) => boolean, ending: Ending, now: () => Date): Promise<void> {
  for (const g of await activeGrants(store, programId, which)) await endOne(store, g, which, ending, now);
}

async function endOne(store: EarlyAccessStore, first: Grant, which: (g: Grant) => boolean, ending: Ending, now: () => Date): Promise<void> {
  let g: Grant | undefined = first;
  for (let attempt = 0; g && which(g) && attempt < 5; attempt++) {
    const at = now();
    const next = endGrant(g, ending.status, 'early-access', ending.reason, at);
    if (!next) return;
    const revoke = ending.revokeOnSubject && !ending.alreadyRevoked.has(next.id);
    const events = [grantEvent(next, ending.status, at), ...(revoke ? [revocationEvent({ organization: next.organization, scope: 'grant', programId: next.programId, grantId: next.id, revision: next.revision, now: at })] : [])];
    if (await store.saveGrant(next, g.revision, events)) return;
    g = await store.getGrant(first.id);
  }
  if (g && which(g) && g.status === 'active') throw new Error(`grant ${first.id} keeps changing; ending it will be retried`);
}

/** Ends the grants of the program the write named, whatever their state says now. */
async function endNamed(store: EarlyAccessStore, programId: string, ids: ReadonlySet<string>, ending: Ending, now: () => Date): Promise<void> {
  for (const id of ids) {
    const g = await store.getGrant(id);
    if (g && g.programId === programId) await endOne(store, g, () => true, ending, now);
  }
}

function revokedIn(data: Record<string, unknown>): ReadonlySet<string> {
  const ids = data.revokedGrantIds;
  return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
}

export function grantEndingsHandler(store: EarlyAccessStore, now: () => Date = () => new Date()): EventHandler {
  return async (event) => {
    const d = (event.data ?? {}) as Record<string, unknown>;
    const programId = d.programId;
    if (typeof programId !== 'string' || programId === '') throw new PoisonMessageError(`event ${event.id} names no program`);
    switch (event.type) {
      case 'rampart.access.program.closed.v1': {
        const withdrawn = d.closeReason === 'withdrawn';
        const reason = withdrawn ? 'the developer withdrew the submission' : 'the model was released to the public';
        // The program-wide revocation went out with the closing; grants need no revocation event of their own.
        await endAll(store, programId, () => true, { status: withdrawn ? 'revoked' : 'expired', reason, alreadyRevoked: new Set(), revokeOnSubject: false }, now);
        return;
      }
      case 'rampart.access.nomination.removed.v1': {
        const partner = d.partnerOrganization;
        if (typeof partner !== 'string' || partner === '') throw new PoisonMessageError(`event ${event.id} names no partner`);
        const named = revokedIn(d);
        const ending: Ending = { status: 'revoked', reason: `${partner} was removed as a trusted partner`, alreadyRevoked: named, revokeOnSubject: true };
        await endNamed(store, programId, named, ending, now);
        // Unnamed (issued while the removal was written): ended unless of the partner's current selection round.
        const round = selectionOf(await store.getNomination(programId, partner));
        const ofPartner = partnerGrantsOf(partner);
        await endAll(store, programId, (g) => ofPartner(g) && !named.has(g.id) && !inSelection(g, round), ending, now);
        return;
      }
      case 'rampart.access.window.changed.v1': {
        const named = revokedIn(d);
        const ending: Ending = { status: 'revoked', reason: 'an amendment moved the window: its time box no longer fits', alreadyRevoked: named, revokeOnSubject: true };
        await endNamed(store, programId, named, ending, now);
        // Unnamed: cut by the window as it is now (a later change may have cut more).
        const p = await store.getProgram(programId);
        if (!p || p.status === 'closed') return;
        await endAll(store, programId, (g) => !named.has(g.id) && cutByWindow(g, p.window), ending, now);
        return;
      }
      default:
        throw new PoisonMessageError(`unexpected event type ${event.type}`);
    }
  };
}
