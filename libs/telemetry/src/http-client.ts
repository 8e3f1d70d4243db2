/**
 * An outgoing HTTP request the service makes itself (a webhook delivery): a CLIENT span in the
 * current trace, and the W3C `traceparent` for the request's headers, so a receiver that traces
 * continues the same trace. The query string is never recorded (it may carry tokens).
 */
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { endingSpan } from './span-outcome';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';

export async function withHttpClientSpan(method: string, url: URL, send: (headers: Record<string, string>) => Promise<number>): Promise<number> {
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const attributes = { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_FULL]: `${url.origin}${url.pathname}`, [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
  return trace.getTracer('@rampart/telemetry').startActiveSpan(method, { kind: SpanKind.CLIENT, attributes }, (span) => endingSpan(span, async () => {
    const headers: Record<string, string> = {};
    propagation.inject(context.active(), headers);
    const status = await send(headers);
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
    if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
    return status;
  }));
}
