/**
 * Embargoes on validated flaws (coordinated disclosure, as CERT/CC's Vultron words it).
 *
 * - Parties: every organisation that reported the flaw, the vendors who write the fix, the named
 *   operators, and the clearinghouse itself (readers with the `clearinghouse-analyst` role).
 *   Parties may be added (with a reason), never removed: a party already knows.
 * - The end is a time with an explicit zone (zoned-time.ts): at least an hour ahead and at most
 *   90 days ahead when set (CERT/CC's default is 45 days, Project Zero's 90).
 * - Extensions move the end later, with who, when, why, and the previous and new end. An earlier
 *   end is never taken as an extension: shortening is its own verb with its own reason. No end
 *   may be set more than 90 days after the change, nor more than 365 days after the start.
 * - It ends by itself when its end passes (`settleEmbargo`, which a durable timer and every read
 *   apply), when the flaw becomes public (`endOnDisclosure`: a public advisory names one of the
 *   flaw's ids), or when exploitation in the wild is reported (`endOnExploitation`); or an analyst
 *   lifts it with a reason. An ended embargo never restarts.
 *
 * While it runs, only parties read the flaw's details (redaction.ts).
 */
import { FailedPreconditionError, isSubjectToken, SUBJECT_TOKEN_RULE, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import type { Caller } from '@rampart/auth';
import { isClearinghouse, type TlpLabel } from './tlp';
import { formatZonedTime, parseZonedTime, type ZonedTime } from './zoned-time';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const EMBARGO_LIMITS = {
  /** The end must be at least this far ahead when set: a shorter embargo protects nothing. */
  minimumNoticeMs: HOUR_MS,
  /** No end may be set more than this far ahead of the moment it is set. */
  maxAheadMs: 90 * DAY_MS,
  /** Nor more than this after the embargo started, however often it is extended. */
  maxTotalMs: 365 * DAY_MS,
  reason: 2_000,
  parties: 100,
} as const;

export type OrganizationPartyKind = 'reporter' | 'vendor' | 'operator';
export type EmbargoParty = { kind: 'clearinghouse' } | { kind: OrganizationPartyKind; organization: string };

export type EmbargoEndCause = 'end-date' | 'public' | 'exploited' | 'lifted';

export interface EmbargoEnd {
  cause: EmbargoEndCause;
  at: Date;
  /** Who lifted it; automatic ends have none. */
  by?: string;
  /** What ended it, in words: the advisory, the exploitation report, the reason. */
  detail: string;
}

export type EmbargoChange =
  | { kind: 'extended' | 'shortened'; by: string; at: Date; reason: string; previousEnd: ZonedTime; newEnd: ZonedTime }
  | { kind: 'parties-added'; by: string; at: Date; reason: string; parties: EmbargoParty[] };

export interface Embargo {
  flawId: string;
  parties: EmbargoParty[];
  startedBy: string;
  startedAt: Date;
  /** The current end; `changes` hold every earlier one. */
  endsAt: ZonedTime;
  changes: EmbargoChange[];
  ended?: EmbargoEnd;
}

/** An embargo as asked for: the end as written, and the organisations beyond the reporters. */
export interface EmbargoInput {
  endsAt?: string;
  vendors?: string[];
  operators?: string[];
}

function organizations(out: FieldViolation[], field: string, values: readonly string[] | undefined): string[] {
  const list = values ?? [];
  list.forEach((org, i) => {
    if (!isSubjectToken(org)) out.push({ field: `${field}[${i}]`, description: `must be an organisation id (${SUBJECT_TOKEN_RULE})` });
  });
  return [...new Set(list.filter(isSubjectToken))];
}

/** `existing` and then each of `orgs` as a party of `kind`, in that order, each party once. */
function partiesOf(existing: readonly EmbargoParty[], kind: OrganizationPartyKind, orgs: readonly string[]): EmbargoParty[] {
  const key = (p: EmbargoParty) => (p.kind === 'clearinghouse' ? 'clearinghouse' : `${p.kind}:${p.organization}`);
  const byKey = new Map<string, EmbargoParty>();
  for (const p of [...existing, ...orgs.map((organization) => ({ kind, organization }))]) if (!byKey.has(key(p))) byKey.set(key(p), p);
  return [...byKey.values()];
}

/**
 * A deployment may ask for a shorter notice than an hour (a test environment whose embargoes must
 * end within seconds); never a longer one than the limits say.
 */
export interface EmbargoOptions {
  minimumNoticeMs?: number;
}

function checkEnd(out: FieldViolation[], field: string, end: ZonedTime | undefined, now: Date, startedAt: Date, options: EmbargoOptions = {}): void {
  if (!end) return;
  const t = end.at.getTime();
  const notice = Math.min(options.minimumNoticeMs ?? EMBARGO_LIMITS.minimumNoticeMs, EMBARGO_LIMITS.minimumNoticeMs);
  if (t < now.getTime() + notice) {
    out.push({ field, description: notice === EMBARGO_LIMITS.minimumNoticeMs ? `must be at least an hour after now (${now.toISOString()})` : `must be at least ${notice} ms after now (${now.toISOString()})` });
  } else if (t > now.getTime() + EMBARGO_LIMITS.maxAheadMs) {
    out.push({ field, description: `must be at most 90 days after now (${now.toISOString()}); extend it later, with a reason, if the fix needs longer` });
  } else if (t > startedAt.getTime() + EMBARGO_LIMITS.maxTotalMs) {
    out.push({ field, description: `must be at most 365 days after the embargo started (${startedAt.toISOString()})` });
  }
}

/**
 * An embargo on `flawId`, with every organisation that reported it as a party. Throws a
 * ValidationError listing every bad field (`ends_at`, `vendors[i]`, `operators[i]`).
 */
export function startEmbargo(flawId: string, reporterOrganizations: readonly string[], input: EmbargoInput, actor: Pick<Caller, 'subject'>, now: Date, options: EmbargoOptions = {}): Embargo {
  const out: FieldViolation[] = [];
  const endsAt = parseZonedTime(out, 'ends_at', input.endsAt);
  checkEnd(out, 'ends_at', endsAt, now, now, options);
  const vendors = organizations(out, 'vendors', input.vendors);
  const operators = organizations(out, 'operators', input.operators);
  const reporters = reporterOrganizations.filter(isSubjectToken);
  let parties = partiesOf([{ kind: 'clearinghouse' }], 'reporter', reporters);
  parties = partiesOf(partiesOf(parties, 'vendor', vendors), 'operator', operators);
  if (parties.length > EMBARGO_LIMITS.parties) out.push({ field: 'operators', description: `an embargo has at most ${EMBARGO_LIMITS.parties} parties (got ${parties.length})` });
  ValidationError.throwIfAny(out);
  return { flawId, parties, startedBy: actor.subject, startedAt: now, endsAt: endsAt!, changes: [] };
}

/** Is `reader` a party to `embargo`? The clearinghouse by role, every other party by organisation. */
export function isEmbargoParty(embargo: Pick<Embargo, 'parties'>, reader: Pick<Caller, 'organization' | 'roles'>): boolean {
  return embargo.parties.some((p) => (p.kind === 'clearinghouse' ? isClearinghouse(reader) : reader.organization !== '' && p.organization === reader.organization));
}

/** The organisations party to `embargo` (the clearinghouse is a role, not one of them). */
export function partyOrganizations(embargo: Pick<Embargo, 'parties'>): string[] {
  return embargo.parties.flatMap((p) => (p.kind === 'clearinghouse' ? [] : [p.organization]));
}

/** How `embargo` stands at `now`: its recorded end, else the end date if it has passed. */
export function embargoEndAt(embargo: Embargo, now: Date): EmbargoEnd | undefined {
  if (embargo.ended) return embargo.ended;
  if (now.getTime() >= embargo.endsAt.at.getTime()) {
    return { cause: 'end-date', at: embargo.endsAt.at, detail: `its end date passed (${formatZonedTime(embargo.endsAt)})` };
  }
  return undefined;
}

export function isEmbargoActive(embargo: Embargo, now: Date): boolean {
  return embargoEndAt(embargo, now) === undefined;
}

/** The embargo with its end recorded once its end date has passed; undefined when nothing changes. */
export function settleEmbargo(embargo: Embargo, now: Date): Embargo | undefined {
  if (embargo.ended) return undefined;
  const end = embargoEndAt(embargo, now);
  return end ? { ...embargo, ended: end } : undefined;
}

function requireActive(embargo: Embargo, now: Date): void {
  const end = embargoEndAt(embargo, now);
  if (end) throw new FailedPreconditionError(`the embargo on ${embargo.flawId} has ended (${end.cause}: ${end.detail})`);
}

/** What a change needs: the new end as written and why. */
export interface EmbargoEndChange {
  endsAt?: string;
  reason?: string;
}

function changeEnd(kind: 'extended' | 'shortened', embargo: Embargo, input: EmbargoEndChange, actor: Pick<Caller, 'subject'>, now: Date, options: EmbargoOptions): Embargo {
  requireActive(embargo, now);
  const out: FieldViolation[] = [];
  const newEnd = parseZonedTime(out, 'ends_at', input.endsAt);
  const reason = textField(out, 'reason', input.reason, EMBARGO_LIMITS.reason);
  if (newEnd) {
    const current = embargo.endsAt.at.getTime();
    const t = newEnd.at.getTime();
    if (kind === 'extended' && t <= current) {
      out.push({ field: 'ends_at', description: `must be after the current end (${formatZonedTime(embargo.endsAt)}): an extension never shortens; shortening is a separate step with its own reason` });
    } else if (kind === 'shortened' && t >= current) {
      out.push({ field: 'ends_at', description: `must be before the current end (${formatZonedTime(embargo.endsAt)}); to move it later, extend it` });
    } else {
      checkEnd(out, 'ends_at', newEnd, now, embargo.startedAt, options);
    }
  }
  ValidationError.throwIfAny(out);
  const change: EmbargoChange = { kind, by: actor.subject, at: now, reason, previousEnd: embargo.endsAt, newEnd: newEnd! };
  return { ...embargo, endsAt: newEnd!, changes: [...embargo.changes, change] };
}

/** Moves the end later, recording who, when, why, and both ends. */
export function extendEmbargo(embargo: Embargo, input: EmbargoEndChange, actor: Pick<Caller, 'subject'>, now: Date, options: EmbargoOptions = {}): Embargo {
  return changeEnd('extended', embargo, input, actor, now, options);
}

/** Moves the end earlier (still at least an hour ahead), recorded as a shortening, never as an extension. */
export function shortenEmbargo(embargo: Embargo, input: EmbargoEndChange, actor: Pick<Caller, 'subject'>, now: Date, options: EmbargoOptions = {}): Embargo {
  return changeEnd('shortened', embargo, input, actor, now, options);
}

/** Adds vendors and operators as parties, with a reason. Parties are never removed. */
export function addEmbargoParties(embargo: Embargo, input: { vendors?: string[]; operators?: string[]; reason?: string }, actor: Pick<Caller, 'subject'>, now: Date): Embargo {
  requireActive(embargo, now);
  const out: FieldViolation[] = [];
  const vendors = organizations(out, 'vendors', input.vendors);
  const operators = organizations(out, 'operators', input.operators);
  const reason = textField(out, 'reason', input.reason, EMBARGO_LIMITS.reason);
  if (vendors.length === 0 && operators.length === 0 && out.length === 0) out.push({ field: 'vendors', description: 'name at least one vendor or operator to add' });
  const parties = partiesOf(partiesOf(embargo.parties, 'vendor', vendors), 'operator', operators);
  if (parties.length > EMBARGO_LIMITS.parties) out.push({ field: 'operators', description: `an embargo has at most ${EMBARGO_LIMITS.parties} parties (got ${parties.length})` });
  ValidationError.throwIfAny(out);
  const added = parties.slice(embargo.parties.length);
  if (added.length === 0) return embargo;
  return { ...embargo, parties, changes: [...embargo.changes, { kind: 'parties-added', by: actor.subject, at: now, reason, parties: added }] };
}

/** An analyst ends the embargo early, with a reason. */
export function liftEmbargo(embargo: Embargo, input: { reason?: string }, actor: Pick<Caller, 'subject'>, now: Date): Embargo {
  requireActive(embargo, now);
  const out: FieldViolation[] = [];
  const reason = textField(out, 'reason', input.reason, EMBARGO_LIMITS.reason);
  ValidationError.throwIfAny(out);
  return { ...embargo, ended: { cause: 'lifted', at: now, by: actor.subject, detail: reason } };
}

/** An advisory seen by an import: its source, the ids it names, and its label when it has one. */
export interface Disclosure {
  /** The feed or document it came from, e.g. `osv:PYSEC-2024-12`. */
  source: string;
  /** Every id the advisory names: its own and its aliases. */
  ids: readonly string[];
  /** A labelled advisory (CSAF's distribution.tlp) is public only at CLEAR; unlabelled feeds are public. */
  tlp?: TlpLabel;
}

/** Ids compare without case or surrounding space (GHSA ids are case-insensitive; CVE ids are upper case by convention). */
export function normalizeFlawId(id: string): string {
  return id.trim().toUpperCase();
}

/**
 * Ends the embargo when `disclosure` is public and names one of `flawIds` (every id the flaw is
 * known by). Withdrawn advisories count: what was published is out. Undefined when nothing changes;
 * an embargo whose end date passed first ends by its date.
 */
export function endOnDisclosure(embargo: Embargo, flawIds: readonly string[], disclosure: Disclosure, now: Date): Embargo | undefined {
  if (embargo.ended) return undefined;
  const settled = settleEmbargo(embargo, now);
  if (settled) return settled;
  if (disclosure.tlp !== undefined && disclosure.tlp !== 'CLEAR') return undefined;
  const ours = new Set(flawIds.map(normalizeFlawId));
  const named = disclosure.ids.find((id) => ours.has(normalizeFlawId(id)));
  if (named === undefined) return undefined;
  return { ...embargo, ended: { cause: 'public', at: now, detail: `a public advisory names ${normalizeFlawId(named)} (${disclosure.source})` } };
}

/** Ends the embargo on a report of exploitation in the wild. Undefined when nothing changes. */
export function endOnExploitation(embargo: Embargo, report: { id: string; observedAt: ZonedTime }, now: Date): Embargo | undefined {
  if (embargo.ended) return undefined;
  const settled = settleEmbargo(embargo, now);
  if (settled) return settled;
  return { ...embargo, ended: { cause: 'exploited', at: now, detail: `exploitation in the wild reported (${report.id}, observed ${formatZonedTime(report.observedAt)})` } };
}
