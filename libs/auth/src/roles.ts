/** Roles and clearances exactly as ../shared/DESIGN.md names them. */

export const ROLES = [
  'developer',
  'gateway',
  'evaluator',
  'policy-admin',
  'designation-authority',
  'consultee',
  'access-officer',
  'partner',
  'reporter',
  'vendor',
  'clearinghouse-analyst',
  'operator',
  'enforcement-analyst',
  'referrer',
  'auditor',
] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Lowest first; a reader sees a field only when its clearance is at least the field's marking. */
export const CLEARANCES = ['UNCLASSIFIED', 'CUI', 'SECRET', 'TOP_SECRET'] as const;
export type Clearance = (typeof CLEARANCES)[number];
/** A stored field's marking uses the same scale as a reader's clearance. */
export type Marking = Clearance;

export function isClearance(value: unknown): value is Clearance {
  return typeof value === 'string' && (CLEARANCES as readonly string[]).includes(value);
}

export function clearanceAtLeast(have: Clearance, need: Marking): boolean {
  return CLEARANCES.indexOf(have) >= CLEARANCES.indexOf(need);
}
