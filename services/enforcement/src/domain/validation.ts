/**
 * Input rules for referrals, evidence and custody. Every violation names its field as the client
 * spelled it (proto field paths), all of them at once; nothing is stored when any is found.
 */
import { isIP } from 'node:net';
import { parseZonedTime, retryKeyField, textField, uuidField, type FieldViolation, type ZonedTime } from '@rampart/errors';
import { INDICATOR_TYPES, SECTORS, STATUTES, VICTIM_SIZES, type Indicator, type ReferralDetails, type Sector, type Statute, type VictimSize } from './referral';

export const LIMITS = {
  name: 200,
  contact: 320,
  narrative: 20_000,
  indicators: 200,
  indicatorValue: 2_048,
  aiIndicators: 20,
  aiIndicator: 100,
  zone: 64,
  /** A trillion dollars, in cents: beyond any loss on record. */
  lossUsdCents: 100_000_000_000_000,
  reason: 2_000,
  reference: 2_048,
  description: 2_000,
  mediaType: 255,
  handler: 200,
  location: 500,
  purpose: 2_000,
  /** Evidence held by reference may be large; a size beyond 1 PiB is a typo. */
  sizeBytes: 2 ** 50,
} as const;

export interface IndicatorInput { type?: string; value?: string }

export interface ReferralDetailsInput {
  victim?: { name?: string; contact?: string; sector?: string; size?: string };
  lossUsdCents?: number;
  occurredFrom?: string;
  occurredUntil?: string;
  timeZone?: string;
  indicators?: IndicatorInput[];
  narrative?: string;
  suspectedStatutes?: (string | undefined)[];
  aiEnabledIndicators?: string[];
  exploitsKnownExploitedFlaw?: boolean;
}

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const SHA256 = /^[0-9a-f]{64}$/;
const AI_INDICATOR = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Why `value` is not an indicator of `type`, or undefined. */
export function indicatorProblem(type: string, value: string): string | undefined {
  switch (type) {
    case 'ipv4': return isIP(value) === 4 ? undefined : 'is not an IPv4 address';
    case 'ipv6': return isIP(value) === 6 ? undefined : 'is not an IPv6 address';
    case 'domain': return DOMAIN.test(value) ? undefined : 'is not a domain name';
    case 'url': {
      try {
        const u = new URL(value);
        return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'ftp:' ? undefined : 'must be an http, https or ftp URL';
      } catch {
        return 'is not a URL';
      }
    }
    case 'email': return EMAIL.test(value) ? undefined : 'is not an e-mail address';
    case 'file-sha256': return SHA256.test(value) ? undefined : 'must be a SHA-256 in lowercase hex';
    default: return undefined;
  }
}

function indicatorsOf(out: FieldViolation[], given: IndicatorInput[] | undefined): Indicator[] {
  const list = given ?? [];
  if (list.length > LIMITS.indicators) {
    out.push({ field: 'details.indicators', description: `must have at most ${LIMITS.indicators} entries` });
    return [];
  }
  const result: Indicator[] = [];
  list.forEach((i, n) => {
    const at = `details.indicators[${n}]`;
    const type = i.type ?? '';
    if (!(INDICATOR_TYPES as readonly string[]).includes(type)) out.push({ field: `${at}.type`, description: `must be one of ${INDICATOR_TYPES.join(', ')}` });
    const before = out.length;
    const value = textField(out, `${at}.value`, i.value, LIMITS.indicatorValue);
    if (out.length === before && (INDICATOR_TYPES as readonly string[]).includes(type)) {
      const problem = indicatorProblem(type, value);
      if (problem) out.push({ field: `${at}.value`, description: problem });
      else result.push({ type: type as Indicator['type'], value: type === 'domain' || type === 'email' ? value.toLowerCase() : value });
    }
  });
  return result;
}

function zoneOf(out: FieldViolation[], field: string, zone: string | undefined): string {
  const z = (zone ?? '').trim();
  if (z === '') return '';
  if (z.length > LIMITS.zone) out.push({ field, description: `must be at most ${LIMITS.zone} characters` });
  else {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: z });
    } catch {
      out.push({ field, description: 'is not an IANA time zone (e.g. America/Chicago)' });
    }
  }
  return z;
}

/** The details checked and normalised, and every violation (field paths under `prefix`). */
export function validateDetails(input: ReferralDetailsInput | undefined, now: Date, prefix = 'details'): { details?: ReferralDetails; violations: FieldViolation[] } {
  const out: FieldViolation[] = [];
  if (!input) return { violations: [{ field: prefix, description: 'is required' }] };
  const v = input.victim ?? {};
  const name = textField(out, `${prefix}.victim.name`, v.name, LIMITS.name);
  const contact = textField(out, `${prefix}.victim.contact`, v.contact, LIMITS.contact, false);
  const sector = v.sector ?? '';
  if (sector !== 'other' && !(SECTORS as readonly string[]).includes(sector)) out.push({ field: `${prefix}.victim.sector`, description: `must be a critical-infrastructure sector (${SECTORS.join(', ')}) or other` });
  const size = v.size ?? '';
  if (!(VICTIM_SIZES as readonly string[]).includes(size)) out.push({ field: `${prefix}.victim.size`, description: `must be one of ${VICTIM_SIZES.join(', ')}` });
  const loss = input.lossUsdCents ?? 0;
  if (!Number.isSafeInteger(loss) || loss < 0 || loss > LIMITS.lossUsdCents) out.push({ field: `${prefix}.loss_usd_cents`, description: `must be a whole number of cents from 0 to ${LIMITS.lossUsdCents}` });
  const from = parseZonedTime(out, `${prefix}.occurred_from`, input.occurredFrom, false);
  const until = parseZonedTime(out, `${prefix}.occurred_until`, input.occurredUntil, false);
  if (from && until && until.at < from.at) out.push({ field: `${prefix}.occurred_until`, description: 'must not be before occurred_from' });
  for (const [field, t] of [['occurred_from', from], ['occurred_until', until]] as [string, ZonedTime | undefined][]) {
    if (t && t.at.getTime() > now.getTime() + 5 * 60_000) out.push({ field: `${prefix}.${field}`, description: `must not be in the future (now is ${now.toISOString()})` });
  }
  const timeZone = zoneOf(out, `${prefix}.time_zone`, input.timeZone);
  const indicators = indicatorsOf(out, input.indicators);
  const narrative = textField(out, `${prefix}.narrative`, input.narrative, LIMITS.narrative);
  const statutes = (input.suspectedStatutes ?? []).map((s, i) => {
    if (!(STATUTES as readonly (string | undefined)[]).includes(s)) out.push({ field: `${prefix}.suspected_statutes[${i}]`, description: `must be one of ${STATUTES.join(', ')}` });
    return s as Statute;
  });
  const ai = input.aiEnabledIndicators ?? [];
  if (ai.length > LIMITS.aiIndicators) out.push({ field: `${prefix}.ai_enabled_indicators`, description: `must have at most ${LIMITS.aiIndicators} entries` });
  else ai.forEach((a, i) => {
    if (typeof a !== 'string' || a.length > LIMITS.aiIndicator || !AI_INDICATOR.test(a)) out.push({ field: `${prefix}.ai_enabled_indicators[${i}]`, description: 'must be a short lowercase name (letters, digits, hyphens), e.g. llm-phishing' });
  });
  if (out.length > 0) return { violations: out };
  return {
    violations: [],
    details: {
      victim: { name, contact, sector: sector as Sector, size: size as VictimSize },
      lossUsdCents: loss,
      ...(from ? { occurredFrom: from } : {}),
      ...(until ? { occurredUntil: until } : {}),
      timeZone,
      indicators,
      narrative,
      suspectedStatutes: [...new Set(statutes)],
      aiEnabledIndicators: [...new Set(ai)],
      exploitsKnownExploitedFlaw: input.exploitsKnownExploitedFlaw === true,
    },
  };
}

export function validateReferralId(id: string | undefined, field = 'referral_id'): FieldViolation[] {
  const out: FieldViolation[] = [];
  uuidField(out, field, id, 'a referral id');
  return out;
}

export function validateEvidenceId(id: string | undefined, field = 'evidence_id'): FieldViolation[] {
  const out: FieldViolation[] = [];
  uuidField(out, field, id, 'an evidence id');
  return out;
}

export function validateIdempotencyKey(key: string | undefined): FieldViolation[] {
  const out: FieldViolation[] = [];
  retryKeyField(out, 'idempotency_key', key, 'so that a retried filing is recognised');
  return out;
}

export function validateReason(field: string, reason: string | undefined): FieldViolation[] {
  const out: FieldViolation[] = [];
  textField(out, field, reason, LIMITS.reason);
  return out;
}

export function validateExpectedRevision(revision: number): FieldViolation[] {
  return Number.isInteger(revision) && revision >= 1 ? [] : [{ field: 'expected_revision', description: 'is required: the revision you last read' }];
}

/** Agencies a referral may be routed to: FBI, USSS, HSI, or a U.S. Attorney's office by district. */
const AGENCY = /^(FBI|USSS|HSI|USAO-[A-Z]{2,5})$/;

export function validateAgency(value: string | undefined): FieldViolation[] {
  return AGENCY.test(value ?? '') ? [] : [{ field: 'routed_to', description: 'must be FBI, USSS, HSI, or USAO-<district> (e.g. USAO-EDVA)' }];
}

const SUBJECT = /^[A-Za-z0-9._@:+-]{1,200}$/;

export function validateAssignee(value: string | undefined): FieldViolation[] {
  return SUBJECT.test(value ?? '') ? [] : [{ field: 'assignee', description: "must be an analyst's subject (letters, digits and . _ @ : + -, at most 200)" }];
}

export { SHA256 };
