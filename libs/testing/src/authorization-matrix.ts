/**
 * Calls every cell of a service's authorization matrix over gRPC: every RPC of its table x every
 * role x every clearance x {an entity of the caller's own organisation, one of another
 * organisation, a missing id}. What each cell must answer comes from an expectation written by hand
 * from DESIGN.md, never from the service's own table or `authorize`.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { authorize, CLEARANCES, ROLES, type AuthorizationTable, type Caller, type Clearance, type OrganizationScope, type Role } from '@rampart/auth';

/** Who may call one RPC: role -> "<scope> <lowest clearance>"; absent roles are refused. */
export type ExpectedRule = Partial<Record<Role, `${OrganizationScope} ${Clearance}`>>;

/**
 * own: the entity is the caller's organisation's; other: another organisation's; missing: no such
 * id. For a caller whose scope is `addressed` (a consultee), the entity is addressed to its agency
 * in `own` and `missing`, and not in `other` (see MatrixOptions.agencies).
 */
export type Relation = 'own' | 'other' | 'missing';

export interface Outcome {
  code: status;
  details: string;
  response?: unknown;
}

export interface Probe {
  /**
   * entity: acts on one organisation's entity (another organisation's answers NOT_FOUND to an
   * `own` caller); list: lists entities (an `own` caller sees only its organisation's); none: no
   * organisation involved.
   */
  kind: 'entity' | 'list' | 'none';
  /** A request that, once past authorization, fails or succeeds harmlessly in a way only an authorized caller can reach. */
  call(token: string, relation: Relation): Promise<Outcome>;
  /** The code a caller past authorization gets (for `own` scope and another organisation, see `kind`). */
  passed: Partial<Record<Relation, status>>;
  /** list: the organisations of the entities a response holds. */
  organizationsIn?(response: unknown): string[];
  /** list: for each entity a response holds, the agencies it is addressed to. */
  addresseesIn?(response: unknown): string[][];
}

export interface MatrixOptions {
  expected: Record<string, ExpectedRule>;
  probes: Record<string, Probe>;
  /** A token for one role at one clearance in one organisation, naming `agency` (for roles that carry one). */
  token(role: Role, organization: string, clearance: Clearance, agency: string): Promise<string>;
  /**
   * The agency of the caller: the probed entities are addressed to `addressed` (the caller's agency
   * in the own organisation) and not to `other` (in the other organisation).
   */
  agencies?: { addressed: string; other: string };
  ownOrganization: string;
  otherOrganization: string;
  /** Ids that appear in answers, masked when comparing the answers for another organisation's entity and a missing one. */
  ids: string[];
  concurrency?: number;
}

export interface Cell {
  rpc: string;
  role: Role;
  clearance: Clearance;
  relation: Relation;
}

export interface CellResult extends Cell {
  expected: string;
  got: string;
}

/** The scope a role at a clearance has on an RPC per the expectation, or undefined when refused. */
export function expectedScope(rule: ExpectedRule, role: Role, clearance: Clearance): OrganizationScope | undefined {
  const entry = rule[role];
  if (!entry) return undefined;
  const [scope, lowest] = entry.split(' ') as [OrganizationScope, Clearance];
  return CLEARANCES.indexOf(clearance) >= CLEARANCES.indexOf(lowest) ? scope : undefined;
}

/**
 * The table against an expectation written by hand, for one RPC: every role x clearance x
 * organisation, without a server. Returns the cells that differ (empty when the table is right).
 */
export function tableMismatches<Rpc extends string>(table: AuthorizationTable<Rpc>, rpc: Rpc, expected: ExpectedRule): string[] {
  const mismatches: string[] = [];
  for (const role of ROLES) for (const clearance of CLEARANCES) for (const organization of ['acme', 'globex']) {
    const caller: Caller = { subject: 's', organization, roles: [role], clearance };
    const scope = expectedScope(expected, role, clearance);
    let got: string;
    try {
      const access = authorize(table, rpc, caller);
      got = `${access.grant.role} ${access.grant.scope} ${access.organization ?? '*'}`;
    } catch (error) {
      // PermissionDeniedError (by its kind: this lib does not depend on @rampart/errors).
      got = (error as { kind?: unknown }).kind === 'permission-denied' ? 'denied' : String(error);
    }
    const want = scope ? `${role} ${scope} ${scope === 'own' ? organization : '*'}` : 'denied';
    if (got !== want) mismatches.push(`${role} at ${clearance} in ${organization}: expected ${want}, got ${got}`);
  }
  return mismatches;
}

/**
 * Where a service's RPCs and what must cover them (its authorization table, the expectation, the
 * probes) disagree: each named key set must be exactly the RPCs of the generated `service`
 * definition. Empty when they agree.
 */
export function rpcCoverageGaps(service: object, covering: Record<string, object>): string[] {
  const rpcs = Object.keys(service).sort();
  const gaps: string[] = [];
  for (const [name, keyed] of Object.entries(covering)) {
    const keys = Object.keys(keyed);
    for (const rpc of rpcs) if (!keys.includes(rpc)) gaps.push(`${name} lacks ${rpc}`);
    for (const key of keys) if (!rpcs.includes(key)) gaps.push(`${name} names ${key}, which the service does not have`);
  }
  return gaps;
}

/** Settles a call into its gRPC code and message. */
export function outcomeOf(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (response) => ({ code: status.OK, details: '', response }),
    (error: ServiceError) => ({ code: error.code, details: error.details }),
  );
}

async function pool<T, R>(items: readonly T[], concurrency: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

const name = (code: status) => status[code] ?? String(code);

/**
 * Runs every cell; returns the cells whose answer differs from the expectation (empty when the
 * service enforces exactly what was expected) and how many cells ran.
 */
export async function checkAuthorizationMatrix(options: MatrixOptions): Promise<{ cells: number; mismatches: CellResult[] }> {
  const rpcs = Object.keys(options.probes);
  const cells: Cell[] = rpcs.flatMap((rpc) => {
    const relations: Relation[] = options.probes[rpc]!.kind === 'none' ? ['own'] : options.probes[rpc]!.kind === 'list' ? ['own', 'other'] : ['own', 'other', 'missing'];
    return ROLES.flatMap((role) => CLEARANCES.flatMap((clearance) => relations.map((relation) => ({ rpc, role, clearance, relation }))));
  });

  const tokens = new Map<string, Promise<string>>();
  const tokenFor = (role: Role, organization: string, clearance: Clearance, agency: string) => {
    const key = `${role}|${organization}|${clearance}|${agency}`;
    if (!tokens.has(key)) tokens.set(key, options.token(role, organization, clearance, agency));
    return tokens.get(key)!;
  };
  const agencies = options.agencies ?? { addressed: 'AGENCY-A', other: 'AGENCY-B' };

  const answers = await pool(cells, options.concurrency ?? 8, async (cell) => {
    const other = cell.relation === 'other';
    const organization = other ? options.otherOrganization : options.ownOrganization;
    const agency = other ? agencies.other : agencies.addressed;
    const outcome = await options.probes[cell.rpc]!.call(await tokenFor(cell.role, organization, cell.clearance, agency), cell.relation);
    return { cell, outcome, organization, agency };
  });

  const mismatches: CellResult[] = [];
  const mask = (details: string) => options.ids.reduce((d, id) => d.split(id).join('<id>'), details);
  for (const { cell, outcome, organization, agency } of answers) {
    const probe = options.probes[cell.rpc]!;
    const rule = options.expected[cell.rpc];
    if (!rule) throw new Error(`no expectation for ${cell.rpc}`);
    const scope = expectedScope(rule, cell.role, cell.clearance);
    let expected: status;
    if (!scope) expected = status.PERMISSION_DENIED;
    else if ((scope === 'own' || scope === 'addressed') && cell.relation === 'other' && probe.kind === 'entity') expected = status.NOT_FOUND;
    else expected = probe.passed[cell.relation] ?? status.OK;
    let got = name(outcome.code);
    if (outcome.code === status.OK && scope === 'own' && probe.kind === 'list') {
      const foreign = (probe.organizationsIn?.(outcome.response) ?? []).filter((o) => o !== organization);
      if (foreign.length > 0) got = `OK listing other organisations: ${[...new Set(foreign)].join(', ')}`;
    }
    if (outcome.code === status.OK && scope === 'addressed' && probe.kind === 'list') {
      const addressees = probe.addresseesIn?.(outcome.response);
      if (!addressees) throw new Error(`${cell.rpc} is listed for an addressed scope: its probe must say whom each entity is addressed to`);
      const unaddressed = addressees.filter((to) => !to.includes(agency)).length;
      if (unaddressed > 0) got = `OK listing ${unaddressed} entities not addressed to ${agency}`;
    }
    if (got !== name(expected)) mismatches.push({ ...cell, expected: name(expected), got: `${got} (${outcome.details})` });
  }

  // A caller that may not see an entity gets one answer, whether the entity exists elsewhere or not at all.
  const byCaller = new Map<string, Map<Relation, Outcome>>();
  for (const { cell, outcome } of answers) {
    const key = `${cell.rpc}|${cell.role}|${cell.clearance}`;
    if (!byCaller.has(key)) byCaller.set(key, new Map());
    byCaller.get(key)!.set(cell.relation, outcome);
  }
  for (const [key, outcomes] of byCaller) {
    const other = outcomes.get('other');
    const missing = outcomes.get('missing');
    if (!other || !missing || (other.code !== status.NOT_FOUND && other.code !== status.PERMISSION_DENIED)) continue;
    if (other.code !== missing.code || mask(other.details) !== mask(missing.details)) {
      const [rpc, role, clearance] = key.split('|') as [string, Role, Clearance];
      mismatches.push({ rpc, role, clearance, relation: 'other', expected: `the answer for a missing id: ${name(missing.code)} (${mask(missing.details)})`, got: `${name(other.code)} (${mask(other.details)})` });
    }
  }
  return { cells: cells.length, mismatches };
}
