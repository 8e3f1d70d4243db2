/**
 * Revocations as the early-access service publishes them on the developer's own subject,
 * `rampart.developer.<org>.access.credential.revoked` (stream ACCESS_RELEASABLE): one credential,
 * every credential of a grant, or every credential of a program (withdrawal, public release).
 * A revocation is remembered for a day and a margin: no credential outlives 24 hours, so nothing
 * older can matter, and memory stays bounded.
 */
import { MAX_CREDENTIAL_TTL_SECONDS } from './algorithm';
import type { CredentialClaims } from './credential';

export const REVOCATION_STREAM = 'ACCESS_RELEASABLE';
export type RevocationScope = 'credential' | 'grant' | 'program';

/** The data of a `access.credential.revoked` event. */
export interface RevocationData {
  organization: string;
  scope: RevocationScope;
  programId: string;
  grantId?: string;
  credentialId?: string;
  revokedAt: string;
  revision: number;
}

export function revocationSubject(organization: string): string {
  return `rampart.developer.${organization}.access.credential.revoked`;
}

/** How long a revocation is kept: the longest credential life plus a margin for clocks. */
export const REVOCATION_MEMORY_MS = (MAX_CREDENTIAL_TTL_SECONDS + 60 * 60) * 1000;

export class RevocationList {
  private readonly byScope: Record<RevocationScope, Map<string, number>> = { credential: new Map(), grant: new Map(), program: new Map() };

  /** Records one revocation event's data; false when it is not one. */
  add(data: unknown): boolean {
    const d = data as Partial<RevocationData> | null;
    if (!d || typeof d !== 'object' || typeof d.scope !== 'string' || typeof d.revokedAt !== 'string') return false;
    const id = d.scope === 'credential' ? d.credentialId : d.scope === 'grant' ? d.grantId : d.scope === 'program' ? d.programId : undefined;
    const at = Date.parse(d.revokedAt);
    if (typeof id !== 'string' || id === '' || !Number.isFinite(at)) return false;
    this.byScope[d.scope].set(id, at);
    return true;
  }

  /** The scope that revoked this credential, if any. */
  revoked(c: Pick<CredentialClaims, 'credentialId' | 'grantId' | 'programId'>): RevocationScope | undefined {
    if (this.byScope.credential.has(c.credentialId)) return 'credential';
    if (this.byScope.grant.has(c.grantId)) return 'grant';
    if (this.byScope.program.has(c.programId)) return 'program';
    return undefined;
  }

  /** Forgets revocations no live credential can still be affected by. */
  prune(now = Date.now()): void {
    for (const map of Object.values(this.byScope)) {
      for (const [id, at] of map) if (now - at > REVOCATION_MEMORY_MS) map.delete(id);
    }
  }

  get size(): number {
    return this.byScope.credential.size + this.byScope.grant.size + this.byScope.program.size;
  }
}
