/** What every ClearinghouseService handler shares: its dependencies and the lookup that scopes what a caller may see. */
import { inScope, type Access } from '@rampart/auth';
import { ValidationError } from '@rampart/errors';
import type { VulnerabilityReport } from '../domain/report';
import { validateReportId } from '../domain/validation';
import type { Embargoes } from '../embargoes/embargoes';
import type { Flaws } from '../flaws/wiring';
import type { OperatorDeps } from './operators';
import type { KevStore } from '../scoring/kev-store';
import type { ScanStore } from '../scanning/scan-store';
import type { ClearinghouseStore } from '../store';

export interface ClearinghouseDeps {
  /** Hands every write's events to the outbox relay itself. */
  store: ClearinghouseStore;
  /** Coordinated scanning's collections (src/scanning). */
  scans: ScanStore;
  /** Embargoes and exploitation (src/embargoes): every report read is redacted through them. */
  embargoes: Embargoes;
  /** CISA KEV entries and the CVE -> reports index (src/scoring): reports are scored with their KEV status. */
  kev: KevStore;
  /** Imports and one record per flaw (src/flaws): advisories, vulnerabilities, the alias index, regroups. */
  flaws: Flaws;
  /** Operators, their assets and notifications (src/operators, src/matching). */
  operators: OperatorDeps;
  now?: () => Date;
}

/** Another organisation's report is reported as absent, in the same words: existence does not leak. */
export const reportNotFound = (id: string) => `report ${id} not found`;

/** The report, when the call may see it (NOT_FOUND otherwise); `withBytes`: with the bytes as received. */
export async function loadReport(store: ClearinghouseStore, access: Access, id: string, withBytes = false): Promise<VulnerabilityReport> {
  ValidationError.throwIfAny(validateReportId(id));
  return inScope(access, await store.get(id, withBytes), reportNotFound(id));
}
