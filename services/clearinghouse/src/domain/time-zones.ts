/**
 * IANA time zone names ("America/New_York", "UTC"), as the runtime's tz database knows them. A
 * bare UTC offset ("+05:00"), which newer runtimes also accept, is not a zone name: refused.
 */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_]*(?:[/+-][A-Za-z0-9_]+)*$/;
export const MAX_ZONE_LENGTH = 64;

/** The zone as the tz database spells it, or undefined when `value` names no zone. */
export function ianaTimeZone(value: string): string | undefined {
  if (value.length > MAX_ZONE_LENGTH || !ZONE_NAME.test(value)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  // The database matches names case-insensitively; keep its spelling, but not its older alias (Kyiv stays Kyiv).
  return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
}
