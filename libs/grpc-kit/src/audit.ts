/**
 * The audit record of a call (NIST SP 800-53 AU-2, AU-3): who (subject, organisation, roles,
 * clearance), what (service, RPC, the entity ids in the request and in the answer, outcome), when,
 * and which fields were withheld from the answer. The kit makes one for every call whose handler
 * ran, so every read of marked or personal data and every change is recorded by construction;
 * calls refused before that (no valid token, deadline already passed) touched nothing.
 * Only ids and field paths are recorded, never values.
 */
import type { Caller } from '@rampart/auth';

export interface AuditRecord {
  /** Fully qualified gRPC service, e.g. rampart.intake.v1.IntakeService */
  service: string;
  /** e.g. SubmitModel */
  rpc: string;
  /** Get and List RPCs read; every other RPC changes something. */
  action: 'read' | 'change';
  actor: {
    subject: string;
    organization: string;
    roles: string[];
    clearance: string;
    agency?: string;
  };
  /** Ids named in the request (fields `id` or `...Id`), at most MAX_IDS. */
  requestIds: string[];
  /** Ids of the entities in the answer, at most MAX_IDS. */
  resultIds: string[];
  /** The handler's own outcome, e.g. OK or PERMISSION_DENIED. */
  outcome: string;
  /** What the client was answered; differs from `outcome` when the deadline passed or the client cancelled first. */
  answered: string;
  /** Paths of the fields withheld from the answer for the caller's clearance, e.g. `case.determinations`. */
  withheldFields: string[];
  startedAt: string;
  durationMs: number;
  traceId?: string;
}

/** Where the kit hands its records; it must never block or throw (see AuditTrail in @rampart/events). */
export interface AuditSink {
  record(record: AuditRecord): void;
}

export const MAX_IDS = 100;
/** Ids are UUIDs or subject-safe tokens; anything else a client sends is recorded by its size only. */
const ID_SHAPE = /^[A-Za-z0-9_:.@-]{1,128}$/;
const MAX_WITHHELD = 500;
const MAX_DEPTH = 8;

export function actionOf(rpc: string): AuditRecord['action'] {
  return /^(Get|List)[A-Z]/.test(rpc) ? 'read' : 'change';
}

export function actorOf(caller: Caller): AuditRecord['actor'] {
  return {
    subject: caller.subject,
    organization: caller.organization,
    roles: [...caller.roles],
    clearance: caller.clearance,
    ...(caller.agency ? { agency: caller.agency } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !(value instanceof Date);
}

function walk(value: unknown, path: string, depth: number, visit: (node: Record<string, unknown>, path: string) => void): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, depth + 1, visit));
    return;
  }
  if (!isRecord(value)) return;
  visit(value, path);
  for (const [key, child] of Object.entries(value)) walk(child, path ? `${path}.${key}` : key, depth + 1, visit);
}

/** Adds to `into` the string values of fields that name an entity: `id` (and, when `references`, `...Id`). */
export function collectIds(message: unknown, into: Set<string>, references: boolean): void {
  walk(message, '', 0, (node) => {
    for (const [key, value] of Object.entries(node)) {
      if (into.size >= MAX_IDS) return;
      const names = key === 'id' || (references && /[a-z]Id$/.test(key));
      // A client chooses what it sends: never copy an oversized or odd string into the trail.
      if (names && typeof value === 'string' && value !== '') into.add(ID_SHAPE.test(value) ? value : `<not an id: ${Buffer.byteLength(value)} bytes>`);
    }
  });
}

/** Every `redactedFields` entry in an answer, prefixed with where it was: `cases[2].determinations`. */
export function withheldFieldsOf(response: unknown): string[] {
  const out: string[] = [];
  walk(response, '', 0, (node, path) => {
    const redacted = node.redactedFields;
    if (!Array.isArray(redacted)) return;
    for (const field of redacted) {
      if (out.length < MAX_WITHHELD && typeof field === 'string') out.push(path ? `${path}.${field}` : field);
    }
  });
  return out;
}
