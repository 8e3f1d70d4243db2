/** Reads traces back from Jaeger's query API (v3: OTLP JSON), the way an operator's tools would. */
import { waitFor } from './servers';

export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  service: string;
  attributes: Record<string, string | number | boolean>;
  /** Span links (trace and span ids), e.g. from a human step's new trace back to the request's. */
  links: { traceId: string; spanId: string }[];
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  links?: { traceId: string; spanId: string }[];
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpAttribute {
  key: string;
  value: OtlpValue;
}

function valueOf(v: OtlpValue): string | number | boolean {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return v.boolValue ?? '';
}

function attrs(list: OtlpAttribute[] | undefined): Record<string, string | number | boolean> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));
}

export async function getTrace(queryUrl: string, traceId: string): Promise<TraceSpan[]> {
  const response = await fetch(`${queryUrl}/api/v3/traces/${traceId}`);
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`jaeger query: HTTP ${response.status}`);
  const body = (await response.json()) as {
    result?: { resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
  };
  const spans: TraceSpan[] = [];
  for (const rs of body.result?.resourceSpans ?? []) {
    const service = String(attrs(rs.resource?.attributes)['service.name'] ?? '');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: Number(s.kind),
          service,
          attributes: attrs(s.attributes),
          links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
        });
      }
    }
  }
  return spans;
}

/** Waits until the trace holds spans satisfying `complete` (export is batched and asynchronous). */
export async function waitForTrace(queryUrl: string, traceId: string, complete: (spans: TraceSpan[]) => boolean, timeoutMs = 20_000): Promise<TraceSpan[]> {
  let spans: TraceSpan[] = [];
  try {
    await waitFor(`trace ${traceId}`, async () => complete((spans = await getTrace(queryUrl, traceId))), timeoutMs, 250);
  } catch (error) {
    throw new Error(`${(error as Error).message}; spans so far: ${spans.map((s) => `${s.service}:${s.name}`).join(', ') || 'none'}`, { cause: error });
  }
  return spans;
}
