/**
 * A human step (an analyst's validation, days after a report arrived) is its own piece of work: it
 * starts its OWN trace, linked (OpenTelemetry span links) to the trace of what it acts on, rather
 * than growing that trace for days. The caller's request span is linked too, so both lead to it.
 */
import { context, ROOT_CONTEXT, propagation, SpanKind, trace, type Link } from '@opentelemetry/api';
import { endingSpan } from './span-outcome';

const tracer = () => trace.getTracer('@rampart/telemetry');

function linkTo(traceparent: string | undefined, tracestate: string | undefined): Link[] {
  if (!traceparent) return [];
  const carrier: Record<string, string> = { traceparent, ...(tracestate ? { tracestate } : {}) };
  const linked = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, carrier));
  return linked && trace.isSpanContextValid(linked) ? [{ context: linked, attributes: { 'rampart.link': 'origin' } }] : [];
}

/**
 * Runs `fn` in a new root span `name` (a new trace id) linked to the stored `origin` trace context
 * and to the span active now (the request's). Errors are recorded on the span and rethrown.
 */
export function withLinkedTrace<T>(name: string, origin: { traceparent?: string; tracestate?: string } | undefined, attributes: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const current = trace.getSpanContext(context.active());
  const links: Link[] = [
    ...linkTo(origin?.traceparent, origin?.tracestate),
    ...(current && trace.isSpanContextValid(current) ? [{ context: current, attributes: { 'rampart.link': 'request' } }] : []),
  ];
  return tracer().startActiveSpan(name, { root: true, kind: SpanKind.INTERNAL, links, attributes }, (span) => endingSpan(span, fn));
}
