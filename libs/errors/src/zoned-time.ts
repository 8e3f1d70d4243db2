/**
 * Instants that carry their time zone: embargo ends, scan windows, when exploitation was observed.
 *
 * People coordinating across time zones write "17:00 New York time"; a bare "2026-05-01T17:00:00"
 * is three different instants to three parties, so a time without an explicit offset is refused,
 * never guessed. Accepted (RFC 3339 with RFC 9557's optional zone suffix):
 *
 *   2026-05-01T17:00:00Z
 *   2026-05-01T17:00:00-04:00
 *   2026-05-01T17:00:00.250-04:00[America/New_York]      (the offset must be the zone's at that instant)
 *
 * Refused: no offset; `-00:00` (RFC 3339's "offset unknown"); an offset beyond ±14:00 (no zone has
 * one); a zone suffix without an offset (a local time is ambiguous at a DST change); an unknown IANA
 * zone; impossible dates (Feb 30, hour 24, leap second 60). The record keeps the instant and the
 * zone: the IANA name when given, else the offset as written (`Z` or `±hh:mm`), so the parties'
 * wall-clock time can be shown back as it was meant.
 */
import type { FieldViolation } from './index';

export interface ZonedTime {
  /** The instant. */
  at: Date;
  /** An IANA zone (`America/New_York`) or a fixed offset (`Z`, `+05:30`). */
  zone: string;
}

/** Longer input is refused before any parsing (the longest IANA name is about 32 characters). */
const MAX_CHARS = 100;
const FORMAT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))?(?:\[(!?)([^\]]*)\])?$/;
const IANA_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;
const MAX_OFFSET_MINUTES = 14 * 60;
export const ZONED_TIME_EXAMPLE = '2026-05-01T17:00:00-04:00 or 2026-05-01T17:00:00-04:00[America/New_York]';

/**
 * Parses `value` as a zoned time; pushes one violation on `out` naming `field` and returns
 * undefined when it is missing (and `required`) or malformed.
 */
export function parseZonedTime(out: FieldViolation[], field: string, value: string | undefined, required = true): ZonedTime | undefined {
  const text = (value ?? '').trim();
  if (text === '') {
    if (required) out.push({ field, description: `is required (a date and time with its time zone, e.g. ${ZONED_TIME_EXAMPLE})` });
    return undefined;
  }
  const result = zonedTimeOf(text);
  if (typeof result === 'string') {
    out.push({ field, description: result });
    return undefined;
  }
  return result;
}

/** The zoned time `text` denotes, or why it is refused. */
export function zonedTimeOf(text: string): ZonedTime | string {
  if (text.length > MAX_CHARS) return `must be at most ${MAX_CHARS} characters`;
  const m = FORMAT.exec(text);
  if (!m) return `must be a date and time with its time zone, e.g. ${ZONED_TIME_EXAMPLE}`;
  const [, y, mo, d, h, mi, s, frac, z, sign, oh, om, , zoneName] = m;
  if (!z && !sign) {
    return zoneName === undefined
      ? `must carry a time zone offset (Z or ±hh:mm), e.g. ${ZONED_TIME_EXAMPLE}: a time without one means different instants to different parties`
      : 'must carry the offset before the zone name (e.g. 2026-05-01T17:00:00-04:00[America/New_York]): a local time alone is ambiguous when clocks change';
  }
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s ?? '0');
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return `names a date that does not exist (${y}-${mo}-${d})`;
  if (hour > 23 || minute > 59 || second > 59) return `names a time of day that does not exist (${h}:${mi}${s === undefined ? '' : `:${s}`})`;
  let offsetMinutes = 0;
  if (sign) {
    const magnitude = Number(oh) * 60 + Number(om);
    if (Number(om) > 59 || magnitude > MAX_OFFSET_MINUTES) return `has an offset (${sign}${oh}:${om}) that no time zone uses (at most ±14:00)`;
    if (sign === '-' && magnitude === 0) return 'has the offset -00:00, which RFC 3339 reserves for "offset unknown": write Z or +00:00 for UTC';
    offsetMinutes = sign === '-' ? -magnitude : magnitude;
  }
  const ms = Number(((frac ?? '') + '000').slice(0, 3));
  const local = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0-99 to 1900-1999; set the year explicitly so "0050" means 50.
  const localDate = new Date(local);
  localDate.setUTCFullYear(year);
  const at = new Date(localDate.getTime() - offsetMinutes * 60_000);
  const offsetText = z ? 'Z' : `${sign}${oh}:${om}`;
  if (zoneName === undefined) return { at, zone: offsetText };

  if (!IANA_NAME.test(zoneName) || !isKnownZone(zoneName)) return `names a time zone (${JSON.stringify(zoneName.slice(0, 40))}) that is not in the IANA time zone database`;
  const zoneOffset = offsetMinutesAt(zoneName, at);
  if (zoneOffset !== offsetMinutes) {
    return `has the offset ${offsetText}, but ${zoneName} is at ${formatOffset(zoneOffset)} at that time: correct one of them`;
  }
  // Keep the name as written, in the database's spelling when only the case differs (`america/chicago`).
  const canonical = formatterOf(zoneName)!.resolvedOptions().timeZone;
  return { at, zone: canonical.toLowerCase() === zoneName.toLowerCase() ? canonical : zoneName };
}

function daysIn(year: number, month: number): number {
  return [31, year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

/** One formatter per IANA zone (a few hundred exist), as making one is costly. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(zone: string): Intl.DateTimeFormat | undefined {
  const key = zone.toLowerCase();
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    } catch {
      return undefined;
    }
    formatters.set(key, f);
  }
  return f;
}

function isKnownZone(name: string): boolean {
  return formatterOf(name) !== undefined;
}

/** Minutes east of UTC in `zone` (IANA name or fixed offset) at `at`. */
export function offsetMinutesAt(zone: string, at: Date): number {
  const fixed = /^([+-])(\d{2}):(\d{2})$/.exec(zone);
  if (zone === 'Z') return 0;
  if (fixed) return (fixed[1] === '-' ? -1 : 1) * (Number(fixed[2]) * 60 + Number(fixed[3]));
  const name = formatterOf(zone)?.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT(?:([+-])(\d{1,2})(?::(\d{2}))?)?$/.exec(name);
  if (!m?.[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? '0'));
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return '+00:00';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The zoned time as its parties read it: wall-clock time, offset and zone name (RFC 9557). */
export function formatZonedTime(t: ZonedTime): string {
  const offset = offsetMinutesAt(t.zone, t.at);
  const wall = new Date(t.at.getTime() + offset * 60_000).toISOString().slice(0, -1);
  const trimmed = wall.endsWith('.000') ? wall.slice(0, -4) : wall;
  if (t.zone === 'Z') return `${trimmed}Z`;
  if (/^[+-]\d{2}:\d{2}$/.test(t.zone)) return `${trimmed}${t.zone}`;
  return `${trimmed}${formatOffset(offset)}[${t.zone}]`;
}
