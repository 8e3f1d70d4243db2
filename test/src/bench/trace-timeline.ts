/**
 * Where a traced request's time went: its spans read back from Jaeger's query API (v3, OTLP JSON)
 * with their times, as offsets from a moment the bench took (wall clock, same host). For benchmarks
 * only: the tests' `getTrace` (libs/testing) reads names and links, not times.
 */
import { randomBytes } from 'node:crypto';

export interface TimedSpan {
  name: string;
  /** ms from the bench's origin (e.g. just before the call) to the span's start. */
  startMs: number;
  durationMs: number;
}

interface OtlpSpan {
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

/** A new sampled W3C `traceparent` and its trace id, for a client to send with one call. */
export function newTraceparent(): { traceId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

/** The trace's spans, ordered by start, relative to `originEpochMs`; empty when Jaeger has none (yet). */
export async function timedSpans(queryUrl: string, traceId: string, originEpochMs: number): Promise<TimedSpan[]> {
  const response = await fetch(`${queryUrl}/api/v3/traces/${traceId}`);
  if (!response.ok) return [];
  const body = (await response.json()) as { result?: { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] } };
  const spans: TimedSpan[] = [];
  for (const rs of body.result?.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const start = Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000;
        const end = Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000;
        spans.push({ name: s.name, startMs: start - originEpochMs, durationMs: end - start });
      }
    }
  }
  return spans.sort((a, b) => a.startMs - b.startMs);
}

/** Spans of one operation seen in a window: how many, and the longest. */
export interface OperationInWindow {
  name: string;
  count: number;
  totalMs: number;
  longest: TimedSpan[];
}

/**
 * What else `service` did between two wall-clock moments: for each operation (span name) not in
 * `skip`, its spans that started in the window (up to 1,000 traces an operation), relative to `fromEpochMs`.
 */
export async function operationsInWindow(queryUrl: string, service: string, fromEpochMs: number, toEpochMs: number, skip: ReadonlySet<string>): Promise<{ listed: string[]; seen: OperationInWindow[] }> {
  const listed = await fetch(`${queryUrl}/api/v3/operations?service=${encodeURIComponent(service)}`);
  if (!listed.ok) throw new Error(`jaeger operations: HTTP ${listed.status} ${await listed.text()}`);
  const ops = (await listed.json()) as { operations?: { name: string }[] };
  const out: OperationInWindow[] = [];
  for (const { name } of ops.operations ?? []) {
    if (skip.has(name)) continue;
    const query = new URLSearchParams({
      'query.service_name': service,
      'query.operation_name': name,
      'query.start_time_min': new Date(fromEpochMs).toISOString(),
      'query.start_time_max': new Date(toEpochMs).toISOString(),
      'query.search_depth': '1000',
    });
    const response = await fetch(`${queryUrl}/api/v3/traces?${query.toString()}`);
    if (response.status === 404) continue; // none in the window
    if (!response.ok) throw new Error(`jaeger traces of ${name}: HTTP ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { result?: { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] } };
    const spans: TimedSpan[] = [];
    for (const rs of body.result?.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
      if (s.name !== name) continue;
      const start = Number(BigInt(s.startTimeUnixNano) / 1000n) / 1000;
      const end = Number(BigInt(s.endTimeUnixNano) / 1000n) / 1000;
      if (start >= fromEpochMs && start <= toEpochMs) spans.push({ name, startMs: start - fromEpochMs, durationMs: end - start });
    }
    if (spans.length === 0) continue;
    spans.sort((a, b) => b.durationMs - a.durationMs);
    out.push({ name, count: spans.length, totalMs: spans.reduce((a, s) => a + s.durationMs, 0), longest: spans.slice(0, 3) });
  }
  return { listed: (ops.operations ?? []).map((o) => o.name), seen: out.sort((a, b) => b.totalMs - a.totalMs) };
}
