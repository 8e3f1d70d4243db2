/**
 * Grants ended by another entity's write: a partner's removal (its partner grants) and an
 * amendment that moved the window (the grants it cut). That write carries, in its own outbox, a
 * revocation of each such grant on the developer's subject, so connected gateways refuse their
 * credentials as soon as the write is published, and the service refuses them from the write on:
 * a partner grant holds the selection round it was issued in (a removal ends the round, a new
 * selection starts another), and the program keeps the ids its window moves revoked
 * (`revokedGrantIds`), so neither a new selection nor a window moved back revives them. The grants'
 * own records follow from the write's event (grant-endings.ts).
 */
import type { OutboxEntry } from '@rampart/events';
import type { Grant } from '../domain/grants';
import type { EarlyAccessStore } from '../store';
import { revocationEvent } from './access-events';

const PAGE = 100;

/**
 * The program's active grants that `which` picks, page by page: a listing (a scan on FerretDB),
 * never on a hot path. Writers that name grants list once and again only when their write lost a race.
 */
export async function activeGrants(store: EarlyAccessStore, programId: string, which: (g: Grant) => boolean): Promise<Grant[]> {
  const picked: Grant[] = [];
  for (let after: string | undefined; ;) {
    const grants = await store.listGrants({ programId }, after, PAGE, true);
    picked.push(...grants.filter(which));
    if (grants.length < PAGE) return picked;
    after = grants[grants.length - 1]!.id;
  }
}

/** One revocation per grant, on the developer's subject. */
export function grantRevocations(grants: readonly Grant[], now: Date): OutboxEntry[] {
  return grants.map((g) => revocationEvent({ organization: g.organization, scope: 'grant', programId: g.programId, grantId: g.id, revision: g.revision, now }));
}

/** A removed partner's grants: its principals' partner grants. */
export const partnerGrantsOf = (partnerOrganization: string) => (g: Grant) => g.principalKind === 'partner' && g.principalOrganization === partnerOrganization;
