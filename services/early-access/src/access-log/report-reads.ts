/**
 * What ReportAccess reads for every report, cached per process (read-cache.ts): the program, the
 * credential, its grant, the current agreement versions, the principal's acceptances and (partner
 * grants) the nomination. Without it each report costs about ten `_id` reads.
 *
 * Staleness, the bound that matters for the insider-risk rules:
 * - on the replica that made a change (a revocation, a grant's end, a program's closing or new
 *   dates, a partner's removal, a new agreement version) it is seen by the very next report: every
 *   such write of this process forgets what it changed (`publishers`, `forgetAgreements`);
 * - a change made on another replica is seen here within `REPORT_READ_STALENESS_MS` (500 ms), the
 *   life of every entry whose document can change. Credentials never change once issued
 *   (revocations live in the grant) and an acceptance, once stored, is never withdrawn: those stay.
 * Nothing is cached as absent: a program, credential or acceptance created elsewhere is read.
 */
import type { OutboxDocumentId, OutboxEntry, OutboxPublisher } from '@rampart/events';
import { missingAcceptances, type AgreementKind, type CurrentAgreements } from '../domain/agreements';
import { inSelection, type Grant } from '../domain/grants';
import { selectionOf } from '../domain/partners';
import type { AccessProgram } from '../domain/program';
import type { IssuedCredential } from '../domain/signals';
import { ReadCache } from './read-cache';
import { acceptanceKey, nominationKey, type AccessPublishers, type EarlyAccessStore } from '../store';

export const REPORT_READ_STALENESS_MS = 500;
/** What never changes once stored is kept this long (memory, not correctness, bounds it). */
const IMMUTABLE_MS = 3_600_000;

type Credential = IssuedCredential & { organization: string };

export class ReportReads {
  private readonly programs: ReadCache<AccessProgram>;
  private readonly grants: ReadCache<Grant>;
  private readonly nominations: ReadCache<{ round: number | undefined }>;
  private readonly agreements: ReadCache<CurrentAgreements>;
  private readonly credentials = new ReadCache<Credential>(IMMUTABLE_MS);
  private readonly acceptances = new ReadCache<true>(IMMUTABLE_MS, 50_000);

  constructor(
    private readonly store: EarlyAccessStore,
    ttlMs = REPORT_READ_STALENESS_MS,
  ) {
    this.programs = new ReadCache(ttlMs);
    this.grants = new ReadCache(ttlMs);
    this.nominations = new ReadCache(ttlMs);
    this.agreements = new ReadCache(ttlMs, 1);
  }

  program(id: string): Promise<AccessProgram | undefined> {
    return this.programs.get(id, () => this.store.getProgram(id));
  }

  credential(id: string): Promise<Credential | undefined> {
    return this.credentials.get(id, () => this.store.getCredential(id));
  }

  grant(id: string): Promise<Grant | undefined> {
    return this.grants.get(id, () => this.store.getGrant(id));
  }

  /** The required kinds whose current version `principal` has not accepted for the program. */
  async missingAgreements(p: AccessProgram, principalOrganization: string, principal: string): Promise<{ kind: AgreementKind; reason: string }[]> {
    const current = (await this.agreements.get('current', async () => (await this.store.currentAgreements()).current)) ?? {};
    const accepted = new Set<string>();
    await Promise.all(p.requiredAgreements.map(async (kind) => {
      const head = current[kind];
      if (!head) return;
      const key = { programId: p.id, principalOrganization, principal, kind, contentHash: head.contentHash };
      const found = await this.acceptances.get(acceptanceKey(key), async () => ((await this.store.hasAcceptance(key)) ? true : undefined));
      if (found) accepted.add(head.contentHash);
    }));
    return missingAcceptances(p.requiredAgreements, current, (_kind, hash) => accepted.has(hash));
  }

  /** Selected now; with `grant`, in the selection round the grant was issued in (a partner removed and selected again is not). */
  async partnerSelected(programId: string, organization: string, grant?: Grant): Promise<boolean> {
    const found = await this.nominations.get(nominationKey(programId, organization), async () => ({ round: selectionOf(await this.store.getNomination(programId, organization)) }));
    return found?.round !== undefined && (!grant || inSelection(grant, found.round));
  }

  /** This process published an agreement version. */
  forgetAgreements(): void {
    this.agreements.forgetAll();
  }

  /** The same publishers, each also telling this cache which document this process just wrote. */
  publishers(publishers: AccessPublishers): AccessPublishers {
    const forgetting = (publisher: OutboxPublisher, cache: { forget(key: string): void }): OutboxPublisher => ({
      written: (id: OutboxDocumentId, entries: readonly OutboxEntry[]) => {
        cache.forget(String(id));
        publisher.written(id, entries);
      },
    });
    return {
      ...publishers,
      programs: forgetting(publishers.programs, this.programs),
      grants: forgetting(publishers.grants, this.grants),
      nominations: forgetting(publishers.nominations, this.nominations),
    };
  }
}
