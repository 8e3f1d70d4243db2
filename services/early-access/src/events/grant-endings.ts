/**
 * Ends grants from early access's own events, outside any request: a closed program ends all of
 * its grants (revoked on withdrawal, expired at the public release), a removed partner's grants are
 * revoked. Each grant ends in its own write with its event; a crash part-way is resumed by the
 * redelivery, and grants already ended are skipped. (Credentials are refused from the program's or
 * nomination's own write on; this only brings the grants' records and events in line.)
 */
import { PoisonMessageError, type ConsumerSpec, type EventHandler } from '@rampart/events';
import { endGrant, type Grant } from '../domain/grants';
import type { EarlyAccessStore } from '../store';
import { grantEvent, revocationEvent } from './access-events';

export const GRANT_ENDINGS_CONSUMER: ConsumerSpec = {
  stream: 'ACCESS_EVENTS',
  durable: 'access-grant-endings',
  filterSubjects: ['rampart.access.program.closed', 'rampart.access.nomination.removed'],
  maxDeliver: 10,
};

const PAGE = 100;

async function endAll(store: EarlyAccessStore, programId: string, which: (g: Grant) => boolean, end: (g: Grant) => { next: Grant | undefined; verb: 'revoked' | 'expired'; alsoRevokeCredentials: boolean }, now: () => Date): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const grants = await store.listGrants({ programId }, after, PAGE, true);
    for (const g of grants.filter(which)) await endOne(store, g, end, now);
    if (grants.length < PAGE) return;
    after = grants[grants.length - 1]!.id;
  }
}

async function endOne(store: EarlyAccessStore, first: Grant, end: Parameters<typeof endAll>[3], now: () => Date): Promise<void> {
  let g: Grant | undefined = first;
  for (let attempt = 0; g && attempt < 5; attempt++) {
    const { next, verb, alsoRevokeCredentials } = end(g);
    if (!next) return;
    const at = now();
    const events = [grantEvent(next, verb, at), ...(alsoRevokeCredentials ? [revocationEvent({ organization: next.organization, scope: 'grant', programId: next.programId, grantId: next.id, revision: next.revision, now: at })] : [])];
    if (await store.saveGrant(next, g.revision, events)) return;
    g = await store.getGrant(first.id);
  }
  if (g) throw new Error(`grant ${first.id} keeps changing; ending it will be retried`);
}

export function grantEndingsHandler(store: EarlyAccessStore, now: () => Date = () => new Date()): EventHandler {
  return async (event) => {
    const d = (event.data ?? {}) as Record<string, unknown>;
    const programId = d.programId;
    if (typeof programId !== 'string' || programId === '') throw new PoisonMessageError(`event ${event.id} names no program`);
    if (event.type === 'rampart.access.program.closed.v1') {
      const withdrawn = d.closeReason === 'withdrawn';
      const reason = withdrawn ? 'the developer withdrew the submission' : 'the model was released to the public';
      // The program-wide revocation went out with the closing; grants need no revocation event of their own.
      await endAll(store, programId, () => true, (g) => ({ next: endGrant(g, withdrawn ? 'revoked' : 'expired', 'early-access', reason, now()), verb: withdrawn ? 'revoked' : 'expired', alsoRevokeCredentials: false }), now);
      return;
    }
    if (event.type === 'rampart.access.nomination.removed.v1') {
      const partner = d.partnerOrganization;
      if (typeof partner !== 'string' || partner === '') throw new PoisonMessageError(`event ${event.id} names no partner`);
      // Only while it is still removed: a partner selected again meanwhile keeps its new grants.
      const nomination = await store.getNomination(programId, partner);
      if (nomination?.status !== 'removed') return;
      await endAll(store, programId, (g) => g.principalKind === 'partner' && g.principalOrganization === partner,
        (g) => ({ next: endGrant(g, 'revoked', 'early-access', `${partner} was removed as a trusted partner`, now()), verb: 'revoked', alsoRevokeCredentials: true }), now);
      return;
    }
    throw new PoisonMessageError(`unexpected event type ${event.type}`);
  };
}
