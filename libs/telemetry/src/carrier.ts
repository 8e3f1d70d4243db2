/**
 * W3C trace context (`traceparent`, `tracestate`) in NATS message headers. Typed structurally so
 * this lib does not depend on the NATS client: its MsgHdrs has `get` and `set`.
 */
import { context, propagation, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';

export interface HeaderCarrier {
  get(key: string): string;
  set(key: string, value: string): void;
}

const setter: TextMapSetter<HeaderCarrier> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

const getter: TextMapGetter<HeaderCarrier | undefined> = {
  get: (carrier, key) => carrier?.get(key) || undefined,
  keys: () => ['traceparent', 'tracestate'],
};

export function injectTraceContext(headers: HeaderCarrier, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, setter);
}

export function extractTraceContext(headers: HeaderCarrier | undefined): Context {
  return propagation.extract(context.active(), headers, getter);
}

/** The active context as a `traceparent` string, for storing with an outbox entry. */
export function currentTraceparent(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return {
    ...(carrier.traceparent ? { traceparent: carrier.traceparent } : {}),
    ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}),
  };
}

/** A context whose parent is the stored `traceparent`, so later work joins the original trace. */
export function contextFromTraceparent(traceparent?: string, tracestate?: string): Context {
  if (!traceparent) return context.active();
  const carrier: Record<string, string> = { traceparent, ...(tracestate ? { tracestate } : {}) };
  return propagation.extract(context.active(), carrier);
}
