/** What every EarlyAccessService handler shares: its dependencies and the lookups that scope what a caller may see. */
import { inScope, type Access, type Caller } from '@rampart/auth';
import { NotFoundError, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { page, pageRequest } from '@rampart/store';
import type { AgreementKind } from '../domain/agreements';
import { organizationField, programIdField } from '../domain/ids';
import { selectionOf, type Side } from '../domain/partners';
import type { AccessProgram } from '../domain/program';
import type { VolumePolicy } from '../domain/signals';
import type { BaselineStore } from '../access-log/baseline-store';
import type { AccessLogStore } from '../access-log/log-store';
import type { ReportReads } from '../access-log/report-reads';
import type { Signer } from '../signing';
import type { EarlyAccessStore } from '../store';

export interface AccessDeps {
  store: EarlyAccessStore;
  log: AccessLogStore;
  baselines: BaselineStore;
  /** ReportAccess's cached reads; without it each report reads everything. */
  reads?: ReportReads;
  signer: Signer;
  /** The organisations whose principals may hold government grants (GOVERNMENT_ORGANIZATIONS). */
  governmentOrganizations: ReadonlySet<string>;
  maxCredentialTtlSeconds: number;
  volumePolicy: VolumePolicy;
  /** Allowed clock difference when checking credentials. */
  clockToleranceSeconds: number;
  now?: () => Date;
}

export const REASON_LIMIT = 1_000;

/** Another organisation's program is reported as absent, in the same words: existence does not leak. */
export const programNotFound = (id: string) => `program ${id} not found`;

export function programId(value: string, field = 'program_id'): string {
  const out: FieldViolation[] = [];
  programIdField(out, value, field);
  ValidationError.throwIfAny(out);
  return value;
}

/** The program, when the call may see it (NOT_FOUND otherwise). */
export async function loadProgram(store: EarlyAccessStore, access: Access, id: string): Promise<AccessProgram> {
  return inScope(access, await store.getProgram(programId(id)), programNotFound(id));
}

/**
 * One page of what a program holds (`list` by the program's id, paged by `key`), for a caller whose
 * access covers the program: `size + 1` fetched, so the page knows whether another follows.
 */
export async function programPage<T>(
  store: EarlyAccessStore,
  access: Access,
  request: { programId: string; pageSize: number; pageToken: string },
  sizes: { default: number; max: number },
  list: (programId: string, after: string | undefined, limit: number) => Promise<T[]>,
  key: (item: T) => string,
): Promise<{ items: T[]; nextPageToken: string }> {
  const p = await loadProgram(store, access, request.programId);
  const { size, after } = pageRequest(request, sizes.default, sizes.max);
  return page(await list(p.id, after, size + 1), size, key);
}

/**
 * A grant holder's view of a program: government principals (evaluators) see any program; a
 * partner's staff only programs that selected their organisation, others answer as missing.
 */
export async function loadProgramForHolder(store: EarlyAccessStore, caller: Caller, id: string): Promise<AccessProgram> {
  const p = await store.getProgram(programId(id));
  if (!p) throw new NotFoundError(programNotFound(id));
  if (caller.roles.includes('evaluator')) return p;
  const nomination = await store.getNomination(p.id, caller.organization);
  if (nomination?.status !== 'selected') throw new NotFoundError(programNotFound(id));
  return p;
}

/** Which side of the joint selection a caller acts for. */
export function sideOf(access: Access): Side {
  return access.grant.role === 'developer' ? 'developer' : 'government';
}

export function partnerAndReason(request: { partnerOrganization: string; reason?: string }, reasonRequired: boolean): { partner: string; reason: string } {
  const out: FieldViolation[] = [];
  const partner = organizationField(out, 'partner_organization', request.partnerOrganization);
  const reason = textField(out, 'reason', request.reason, REASON_LIMIT, reasonRequired);
  ValidationError.throwIfAny(out);
  return { partner, reason };
}

/** The required kinds whose current version `principal` has not accepted for the program. */
export async function missingAgreements(store: EarlyAccessStore, p: AccessProgram, principalOrganization: string, principal: string): Promise<{ kind: AgreementKind; reason: string }[]> {
  const { current } = await store.currentAgreements();
  const checks = await Promise.all(p.requiredAgreements.map(async (kind) => {
    const head = current[kind];
    if (!head) return { kind, reason: `no ${kind} agreement is published` };
    const accepted = await store.hasAcceptance({ programId: p.id, principalOrganization, principal, kind, contentHash: head.contentHash });
    return accepted ? undefined : { kind, reason: `version ${head.version} of the ${kind} agreement is not accepted` };
  }));
  return checks.filter((c): c is { kind: AgreementKind; reason: string } => c !== undefined);
}

export async function isSelectedPartner(store: EarlyAccessStore, programId: string, organization: string): Promise<boolean> {
  return (await selectionRound(store, programId, organization)) !== undefined;
}

/** The partner's selection round now (partners.ts selectionOf); undefined when it is not selected. */
export async function selectionRound(store: EarlyAccessStore, programId: string, organization: string): Promise<number | undefined> {
  return selectionOf(await store.getNomination(programId, organization));
}
