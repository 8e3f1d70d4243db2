/**
 * A durable pull consumer that hands each CloudEvent to a handler, inside a CONSUMER span that
 * continues the producer's trace. Outcomes:
 * - handler resolves: ack;
 * - PoisonMessageError, an unparseable body, or max_deliver reached: copy to the dead-letter
 *   stream with the reason, then term, so the messages behind it keep flowing;
 * - any other error (EarlyEventError included): nak with backoff, redelivered later.
 * Handlers must be idempotent (see applyOnce): JetStream delivers at least once.
 */
import { AckPolicy, DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/nats-core';
import { extractTraceContext, rampartMeter, withProcessSpan, type Logger } from '@rampart/telemetry';
import { backoffDelay, retryUntil, sleep } from './backoff';
import { parseEvent, type CloudEvent } from './envelope';
import { PoisonMessageError } from './errors';
import { deadLetterSubjectPrefix } from './streams';

export interface Delivery {
  subject: string;
  streamSequence: number;
  deliveryCount: number;
  /** Tells JetStream the handler is still at it (restarts the ack wait): long handlers call it as they go. */
  working(): void;
}

export type EventHandler = (event: CloudEvent<unknown>, delivery: Delivery) => Promise<void>;

export interface ConsumerSpec {
  /** The producer's stream. */
  stream: string;
  /** Durable name, `<consumer-service>-<purpose>`. */
  durable: string;
  filterSubjects: string[];
  /** Deliveries before a failing message is dead-lettered. */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Unacknowledged deliveries at once, across every replica (default 1,000); 1 makes the handler run one event at a time cluster-wide. */
  maxAckPending?: number;
}

export interface ConsumerOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  spec: ConsumerSpec;
  /** The consuming service's area: its dead letters go on `rampart.<area>.deadletter.<durable>`. */
  area: string;
  handler: EventHandler;
  logger: Logger;
}

export const DEAD_LETTER_HEADERS = {
  reason: 'Rampart-Dead-Letter-Reason',
  subject: 'Rampart-Original-Subject',
  stream: 'Rampart-Original-Stream',
  sequence: 'Rampart-Original-Sequence',
  consumer: 'Rampart-Consumer',
  deliveries: 'Rampart-Delivery-Count',
} as const;

export class EventConsumer {
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private stopCurrent?: () => void;
  private readonly maxDeliver: number;

  constructor(private readonly options: ConsumerOptions) {
    this.maxDeliver = options.spec.maxDeliver ?? 8;
    this.registerMetrics();
  }

  /** Creates or updates the durable consumer. Idempotent; also run after reconnects. */
  async ensure(): Promise<void> {
    const { jsm, spec } = this.options;
    const config = {
      durable_name: spec.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subjects: spec.filterSubjects,
      max_deliver: this.maxDeliver,
      ack_wait: nanos(spec.ackWaitMs ?? 30_000),
      max_ack_pending: spec.maxAckPending ?? 1_000,
    };
    try {
      await jsm.consumers.info(spec.stream, spec.durable);
      await jsm.consumers.update(spec.stream, spec.durable, config);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(spec.stream, config);
    }
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.stopCurrent?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { js, spec, logger } = this.options;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      // The producer's stream may not exist yet; wait for it rather than fail the service.
      await retryUntil(() => this.ensure(), signal, (error, attempt) =>
        logger.warn({ err: error, attempt, stream: spec.stream, durable: spec.durable }, 'cannot ensure consumer yet'));
      if (signal.aborted) break;
      try {
        const consumer = await js.consumers.get(spec.stream, spec.durable);
        const messages = await consumer.consume({ max_messages: 256 });
        this.stopCurrent = () => void messages.close();
        for await (const msg of messages) {
          await this.handle(msg);
          if (signal.aborted) break;
        }
        await messages.close();
      } catch (error) {
        logger.warn({ err: error, durable: spec.durable }, 'consumer stopped; restarting');
        await sleep(500, signal);
      }
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { spec, handler, logger } = this.options;
    const delivery: Delivery = { subject: msg.subject, streamSequence: msg.seq, deliveryCount: msg.info.deliveryCount, working: () => msg.working() };
    const parent = extractTraceContext(msg.headers);
    const messageId = msg.headers?.get('Nats-Msg-Id') ?? String(msg.seq);
    await withProcessSpan(
      { subject: msg.subject, messageId, bodySize: msg.data.length, consumerGroup: spec.durable, deliveryCount: delivery.deliveryCount },
      parent,
      async (span) => {
        try {
          const event = parseEvent(msg.data);
          span.setAttribute('messaging.message.id', event.id);
          await handler(event, delivery);
          msg.ack();
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          if (error instanceof PoisonMessageError) {
            await this.deadLetter(msg, `poison: ${reason}`);
          } else if (delivery.deliveryCount >= this.maxDeliver) {
            await this.deadLetter(msg, `gave up after ${delivery.deliveryCount} deliveries: ${reason}`);
          } else {
            const delay = backoffDelay(delivery.deliveryCount, 500, 60_000);
            logger.warn({ err: error, subject: msg.subject, seq: msg.seq, delay }, 'event not applied; will redeliver');
            msg.nak(delay);
          }
        }
      },
    );
  }

  /** Copies the message, untouched, to this service's dead-letter stream, then terms it. */
  private async deadLetter(msg: JsMsg, reason: string): Promise<void> {
    const { js, spec, area, logger } = this.options;
    const h = natsHeaders();
    for (const [key, values] of msg.headers ?? []) {
      if (key !== 'Nats-Msg-Id') for (const value of values) h.append(key, value);
    }
    h.set(DEAD_LETTER_HEADERS.reason, reason.replace(/[\r\n]+/g, ' ').slice(0, 1024));
    h.set(DEAD_LETTER_HEADERS.subject, msg.subject);
    h.set(DEAD_LETTER_HEADERS.stream, spec.stream);
    h.set(DEAD_LETTER_HEADERS.sequence, String(msg.seq));
    h.set(DEAD_LETTER_HEADERS.consumer, spec.durable);
    h.set(DEAD_LETTER_HEADERS.deliveries, String(msg.info.deliveryCount));
    await js.publish(`${deadLetterSubjectPrefix(area)}.${spec.durable}`, msg.data, {
      headers: h,
      msgID: `dlq.${spec.stream}.${msg.seq}.${spec.durable}`,
    });
    msg.term(reason.slice(0, 256));
    logger.error({ subject: msg.subject, seq: msg.seq, reason }, 'event dead-lettered');
  }

  private registerMetrics(): void {
    const { jsm, spec } = this.options;
    rampartMeter()
      .createObservableGauge('rampart.consumer.lag', { description: 'Messages not yet delivered to the consumer', unit: '{message}' })
      .addCallback(async (result) => {
        const info = await jsm.consumers.info(spec.stream, spec.durable).catch(() => undefined);
        if (info) result.observe(info.num_pending + info.num_ack_pending, { consumer: spec.durable, stream: spec.stream });
      });
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const text = error instanceof Error ? `${error.message} ${typeof code === 'string' || typeof code === 'number' ? code : ''}` : String(error);
  return /not found|10014/i.test(text);
}
