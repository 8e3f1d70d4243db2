/**
 * The audit records the kit makes (NIST SP 800-53 AU-2, AU-3). The schema, as published in the
 * CloudEvent's `data` on `rampart.<area>.audit.recorded.<marking>`:
 *
 * - `kind: 'call'`: one for every call whose handler ran, so every read of marked or personal data
 *   and every change is recorded by construction: who (subject, organisation, roles, clearance,
 *   agency), what (service, RPC, the entity ids in the request and in the answer, outcome), when,
 *   and which fields were withheld from the answer. Only ids and field paths, never values.
 * - `kind: 'authentication-refused'`: a call refused for its token (missing, malformed, forged,
 *   expired, wrong `typ`, unknown `kid`, bad claims): who the token claimed to be (unverified,
 *   shape-checked; its subject only when it claimed no classified clearance), which RPC, why (a
 *   reason code and the text the caller was told), the peer. Never the token or any part of it. At
 *   most `perSecond` a second for each reason per service process;
 * - `kind: 'authentication-refused-suppressed'`: the count of those beyond it in one window, by
 *   reason and by RPC, so a flood of forged tokens costs the trail one record a second.
 *
 * Every record carries `marking`, the marking of what it reveals (a derived value carries the
 * highest marking of what it derives from): a call's record names the caller (whose identity as the
 * actor of its calls is classified at its clearance, e.g. designation's `decidedBy`), the ids it sent
 * and the ids, outcome and withheld field paths it was answered, all of which the caller was cleared
 * to see; so it is marked with the caller's clearance. A refusal is UNCLASSIFIED: its claims are the
 * caller's own choice, so marking it at the clearance it claimed would let a forger hide its attempts
 * from every lower auditor. What may be classified in it, the subject of an identity that claims a
 * classified clearance, is withheld (`claimed.subjectWithheld`). A summary holds counts only and is
 * UNCLASSIFIED. The trail publishes each record on the subject of its marking, so nats-server
 * permissions grant an auditor exactly the levels up to its clearance.
 */
import type { Caller, ClaimedIdentity, Marking, RefusalReason } from '@rampart/auth';

export interface CallRecord {
  kind: 'call';
  /** The marking of what this record reveals: the caller's clearance. */
  marking: Marking;
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

/**
 * Who a refused token said it was: unverified, each claim kept only when shaped like what it claims;
 * the subject only when the claimed clearance is UNCLASSIFIED or absent, else `subjectWithheld`.
 */
export type RecordedClaim = ClaimedIdentity & { subjectWithheld?: true };

export interface RefusalRecord {
  kind: 'authentication-refused';
  /** Always UNCLASSIFIED: the token chose its claims, so they cannot choose the record's readers. */
  marking: 'UNCLASSIFIED';
  service: string;
  rpc: string;
  claimed: RecordedClaim;
  reason: RefusalReason;
  /** What the caller was told, bounded; never the token. */
  detail: string;
  /** The client's address as grpc-js reports it. */
  peer: string;
  startedAt: string;
  traceId?: string;
}

export interface RefusalSummaryRecord {
  kind: 'authentication-refused-suppressed';
  /** Counts only: UNCLASSIFIED. */
  marking: 'UNCLASSIFIED';
  service: string;
  /** Refusals in the window beyond the per-second limit, not recorded one by one. */
  suppressed: number;
  byReason: Partial<Record<RefusalReason, number>>;
  byRpc: Record<string, number>;
  /** The window: from the first suppressed refusal to the end of its second. */
  from: string;
  to: string;
}

export type AuditRecord = CallRecord | RefusalRecord | RefusalSummaryRecord;

/** Where the kit hands its records; it must never block or throw (see AuditTrail in @rampart/events). */
export interface AuditSink {
  record(record: AuditRecord): void;
}

export const MAX_IDS = 100;
/** Ids are UUIDs or subject-safe tokens; anything else a client sends is recorded by its size only. */
const ID_SHAPE = /^[A-Za-z0-9_:.@-]{1,128}$/;
const MAX_WITHHELD = 500;
const MAX_DEPTH = 8;

export function actionOf(rpc: string): CallRecord['action'] {
  return /^(Get|List)[A-Z]/.test(rpc) ? 'read' : 'change';
}

export function actorOf(caller: Caller): CallRecord['actor'] {
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

/** Visits every message in `value`, depth first, until `visit` returns false; returns false if stopped. */
function walk(value: unknown, path: string, depth: number, visit: (node: Record<string, unknown>, path: string) => boolean): boolean {
  if (depth > MAX_DEPTH) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!walk(value[i], `${path}[${i}]`, depth + 1, visit)) return false;
    return true;
  }
  if (!isRecord(value)) return true;
  if (!visit(value, path)) return false;
  for (const [key, child] of Object.entries(value)) if (!walk(child, path ? `${path}.${key}` : key, depth + 1, visit)) return false;
  return true;
}

/**
 * Adds to `into` the string values of fields that name an entity: `id` (and, when `references`,
 * `...Id`). Stops at MAX_IDS: the rest of a huge message is not even walked.
 */
export function collectIds(message: unknown, into: Set<string>, references: boolean): void {
  if (into.size >= MAX_IDS) return;
  walk(message, '', 0, (node) => {
    for (const [key, value] of Object.entries(node)) {
      if (into.size >= MAX_IDS) return false;
      const names = key === 'id' || (references && /[a-z]Id$/.test(key));
      // A client chooses what it sends: never copy an oversized or odd string into the trail.
      if (names && typeof value === 'string' && value !== '') into.add(ID_SHAPE.test(value) ? value : `<not an id: ${Buffer.byteLength(value)} bytes>`);
    }
    return into.size < MAX_IDS;
  });
}

/** Every `redactedFields` entry in an answer, prefixed with where it was: `cases[2].determinations`. */
export function withheldFieldsOf(response: unknown): string[] {
  const out: string[] = [];
  walk(response, '', 0, (node, path) => {
    const redacted = node.redactedFields;
    if (!Array.isArray(redacted)) return true;
    for (const field of redacted) {
      if (out.length < MAX_WITHHELD && typeof field === 'string') out.push(path ? `${path}.${field}` : field);
    }
    return out.length < MAX_WITHHELD;
  });
  return out;
}
