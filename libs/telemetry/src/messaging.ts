/**
 * PRODUCER and CONSUMER spans for NATS JetStream, with the OpenTelemetry messaging semantic
 * conventions. Auto-instrumentation does not cover the NATS client, so these are ours.
 */
import { SpanKind, trace, type Context, type Span } from '@opentelemetry/api';
import { endingSpan } from './span-outcome';
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '@opentelemetry/semantic-conventions/incubating';

const tracer = () => trace.getTracer('@rampart/events');

export interface MessageSpanInfo {
  subject: string;
  messageId: string;
  bodySize: number;
  /** Durable consumer name, for process spans. */
  consumerGroup?: string;
  /** JetStream delivery count, for process spans. */
  deliveryCount?: number;
}

async function inSpan<T>(name: string, kind: SpanKind, parent: Context, attributes: Record<string, string | number>, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind, attributes }, parent, (span) => endingSpan(span, () => fn(span)));
}

/** `publish <subject>`: a PRODUCER span, child of `parent` (the request that wrote the event). */
export function withPublishSpan<T>(info: MessageSpanInfo, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(`publish ${info.subject}`, SpanKind.PRODUCER, parent, {
    [ATTR_MESSAGING_SYSTEM]: 'nats',
    [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
    [ATTR_MESSAGING_OPERATION_NAME]: 'publish',
    [ATTR_MESSAGING_DESTINATION_NAME]: info.subject,
    [ATTR_MESSAGING_MESSAGE_ID]: info.messageId,
    [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: info.bodySize,
  }, fn);
}

/** `process <subject>`: a CONSUMER span, child of the producer's context from the headers. */
export function withProcessSpan<T>(info: MessageSpanInfo, parent: Context, fn: (span: Span) => Promise<T>): Promise<T> {
  return inSpan(`process ${info.subject}`, SpanKind.CONSUMER, parent, {
    [ATTR_MESSAGING_SYSTEM]: 'nats',
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: info.subject,
    [ATTR_MESSAGING_MESSAGE_ID]: info.messageId,
    [ATTR_MESSAGING_MESSAGE_BODY_SIZE]: info.bodySize,
    ...(info.consumerGroup ? { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: info.consumerGroup } : {}),
    ...(info.deliveryCount ? { 'messaging.nats.delivery_count': info.deliveryCount } : {}),
  }, fn);
}
