/** How every span this library starts ends: a thrown error recorded on it (exception and ERROR status), then ended. */
import { SpanStatusCode, type Span } from '@opentelemetry/api';

export async function endingSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
