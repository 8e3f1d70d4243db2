/**
 * Small rules every canonical mapping shares: text fields, CWE ids, CVSS vectors, timestamps,
 * version ranges. Inputs are validated documents, but the helpers still take nothing for granted.
 */
import type { AffectedRange, Severity, SeverityType } from './advisory-record';

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Distinct non-empty strings, first occurrence kept. */
export function distinct(values: Iterable<unknown>): string[] {
  const out = new Set<string>();
  for (const v of values) if (typeof v === 'string' && v.length > 0) out.add(v);
  return [...out];
}

/** `CWE-79` from `CWE-79`, `cwe-79` or 79; undefined for anything else ("NVD-CWE-Other", "n/a"). */
export function cweId(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return `CWE-${value}`;
  if (typeof value !== 'string') return undefined;
  const m = /^CWE-(\d{1,9})$/i.exec(value.trim());
  return m ? `CWE-${Number(m[1])}` : undefined;
}

/** The CVSS version of a vector, by its prefix (v2 vectors have none). */
export function severityType(vector: string): SeverityType | undefined {
  if (vector.startsWith('CVSS:4.0/')) return 'CVSS_V4';
  if (vector.startsWith('CVSS:3.0/') || vector.startsWith('CVSS:3.1/')) return 'CVSS_V3';
  if (/^\(?AV:[LAN]\/AC:[HML]\/Au:[MSN]\//.test(vector)) return 'CVSS_V2';
  return undefined;
}

/** A CVSS vector as a severity; the vector's own prefix decides the version, whatever a source declares. */
export function severity(vector: unknown): Severity | undefined {
  const v = text(vector);
  const type = v ? severityType(v) : undefined;
  return v && type ? { type, vector: v } : undefined;
}

export function distinctSeverities(values: Iterable<Severity | undefined>): Severity[] {
  const seen = new Set<string>();
  const out: Severity[] = [];
  for (const s of values) {
    if (!s || seen.has(s.vector)) continue;
    seen.add(s.vector);
    out.push(s);
  }
  return out;
}

/**
 * An RFC 3339 timestamp with a zone. CVE 5.1 allows one without ("GMT is assumed", says its
 * schema): it is given `Z` so every stored timestamp compares alike.
 */
export function timestamp(value: unknown): string | undefined {
  const t = text(value);
  if (!t) return undefined;
  return /(Z|[+-]\d{2}:\d{2})$/i.test(t) || !/T\d{2}:\d{2}/.test(t) ? t : `${t}Z`;
}

/** OSV-style events (`introduced`, `fixed`, `last_affected`, `limit`) to ranges: each `introduced` opens one. */
export function rangesFromEvents(events: readonly Record<string, unknown>[]): AffectedRange[] {
  const ranges: AffectedRange[] = [];
  let open: AffectedRange | undefined;
  for (const e of events) {
    const introduced = text(e.introduced);
    const fixed = text(e.fixed);
    const lastAffected = text(e.last_affected);
    const limit = text(e.limit);
    if (introduced !== undefined) {
      if (open) ranges.push(open);
      open = { introduced };
    } else if (fixed !== undefined || lastAffected !== undefined) {
      ranges.push({ ...(open ?? {}), ...(fixed !== undefined ? { fixed } : { lastAffected }) });
      open = undefined;
    } else if (limit !== undefined) {
      if (open) open.limit = limit;
      else if (ranges.length > 0) ranges[ranges.length - 1]!.limit = limit;
    }
  }
  if (open) ranges.push(open);
  return ranges;
}
