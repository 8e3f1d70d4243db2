/**
 * Authorization as data. Each service keeps one table: for every RPC, who may call it (role,
 * organisation scope, lowest clearance) and why. A handler calls `authorize` before it reads
 * anything, so a refused caller learns nothing about what exists; the access it gets back says
 * which organisation the call is limited to, and `inScope` answers another organisation's entity
 * exactly as a missing one (NOT_FOUND). docs/authorization.md is generated from the tables.
 */
import { NotFoundError, PermissionDeniedError } from '@rampart/errors';
import type { Caller } from './caller';
import { CLEARANCES, clearanceAtLeast, type Clearance, type Role } from './roles';

/**
 * `own`: the caller's organisation's entities only; `any`: every organisation's; `addressed`: those
 * addressed to the agency in the caller's token, in any organisation (a consultee's cases).
 */
export type OrganizationScope = 'own' | 'any' | 'addressed';

export interface Grant {
  readonly role: Role;
  readonly scope: OrganizationScope;
  /** The lowest clearance a caller in this role must hold. */
  readonly clearance: Clearance;
}

export interface RpcRule {
  /** Why these callers and no others, from DESIGN.md's roles; the generated docs carry it. */
  readonly why: string;
  /** Every role not granted here is refused (PERMISSION_DENIED). */
  readonly grants: readonly Grant[];
}

export interface AuthorizationTable<Rpc extends string = string> {
  /** The full gRPC service name, e.g. rampart.intake.v1.IntakeService. */
  readonly service: string;
  /** The reasoning behind the table as a whole (who reads what and who does not), for the docs. */
  readonly reasoning: string;
  /** Keyed by the handler's method name (the proto name with a lowercase first letter). */
  readonly rpcs: { readonly [R in Rpc]: RpcRule };
}

/** What `authorize` granted a call. */
export interface Access {
  readonly grant: Grant;
  /** The organisation the call is limited to; undefined when it may see every organisation's. */
  readonly organization: string | undefined;
  /** `addressed`: the agency an entity must be addressed to ('' when the token names none: nothing is). */
  readonly agency?: string;
}

/** The proto method name of a table key: getCase -> GetCase. */
export function rpcName(rpc: string): string {
  return rpc.charAt(0).toUpperCase() + rpc.slice(1);
}

/**
 * The caller's access to `rpc`, or PERMISSION_DENIED. A caller holding several granted roles gets
 * the broadest scope its clearance allows.
 */
export function authorize<Rpc extends string>(table: AuthorizationTable<Rpc>, rpc: Rpc, caller: Caller): Access {
  const rule: RpcRule | undefined = table.rpcs[rpc];
  // A handler naming an RPC its table lacks is a bug, not a caller's fault.
  if (!rule) throw new Error(`${table.service} has no authorization rule for ${rpc}`);
  const held = rule.grants.filter((g) => caller.roles.includes(g.role));
  const cleared = held.filter((g) => clearanceAtLeast(caller.clearance, g.clearance));
  const grant = cleared.find((g) => g.scope === 'any') ?? cleared[0];
  if (grant) return { grant, organization: grant.scope === 'own' ? caller.organization : undefined, ...(grant.scope === 'addressed' ? { agency: caller.agency ?? '' } : {}) };
  if (held.length === 0) {
    const roles = [...new Set(rule.grants.map((g) => g.role))];
    throw new PermissionDeniedError(roles.length === 0 ? `${rpcName(rpc)} is not open to any caller` : `${rpcName(rpc)} requires one of the roles: ${roles.join(', ')}`);
  }
  const lowest = CLEARANCES.find((c) => held.some((g) => g.clearance === c))!;
  throw new PermissionDeniedError(`${rpcName(rpc)} requires clearance ${lowest} or higher`);
}

/**
 * The entity when the call may see it. A missing entity, another organisation's and, for an
 * `addressed` scope, one not addressed to the caller's agency (`addressedTo` lists the agencies it
 * is; none when not given) answer the same NOT_FOUND, with the same message, so existence does not leak.
 */
export function inScope<T extends { readonly organization: string }>(access: Access, entity: T | undefined, notFound: string, addressedTo: (entity: T) => readonly string[] = () => []): T {
  if (!entity || (access.organization !== undefined && entity.organization !== access.organization)) throw new NotFoundError(notFound);
  if (access.agency !== undefined && (access.agency === '' || !addressedTo(entity).includes(access.agency))) throw new NotFoundError(notFound);
  return entity;
}
