/**
 * Notifications delivered to operators: each revision on CLEARINGHOUSE_RELEASABLE is POSTed to
 * every webhook endpoint of its operator, signed by the Standard Webhooks scheme with that
 * endpoint's secret, `webhook-id` the notification's id (the same on every retry, so receivers
 * drop repeats); operators without a webhook get an e-mail to their primary contact (SMTP).
 * A failed delivery throws: the consumer naks it and JetStream redelivers with backoff, for as long
 * as it takes (max_deliver far beyond any outage): nothing is lost while an endpoint is down, and an
 * endpoint that took it is not sent it again (`clearinghouse_deliveries`, `_id` per notification and
 * endpoint). The endpoint's address is checked on the connection itself (the lookup), so DNS cannot
 * rebind it to a private address between the check and the request; redirects are not followed.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Collection, Db } from 'mongodb';
import nodemailer, { type Transporter } from 'nodemailer';
import type { CloudEvent, Delivery } from '@rampart/events';
import { PoisonMessageError } from '@rampart/events';
import type { ServiceRuntime } from '@rampart/grpc-kit';
import { isDuplicateKeyError } from '@rampart/store';
import { withHttpClientSpan } from '@rampart/telemetry';
import { isPublicAddress, signWebhook, type Notification } from '../domain/notifications';
import { RELEASABLE_STREAM } from '../events/operator-events';
import type { OperatorStore } from '../operators/operator-store';

export interface DeliveryConfig {
  WEBHOOK_ALLOW_PRIVATE: boolean;
  WEBHOOK_TIMEOUT_MS: number;
  SMTP_URL?: string | undefined;
  SMTP_FROM: string;
}

interface DeliveredDocument {
  _id: string;
  at: Date;
  status: number;
}

export const WEBHOOK_CONSUMER = {
  stream: RELEASABLE_STREAM,
  durable: 'clearinghouse-notification-delivery',
  filterSubjects: ['rampart.operator.*.clearinghouse.notification.>'],
  // Never dead-lettered for an endpoint that is down: retried with backoff (at most a minute apart) until it answers.
  maxDeliver: 1_000_000,
  ackWaitMs: 60_000,
};

/** Resolves as usual, then refuses any address that is not public (DNS rebinding, private networks). */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses;
      const bad = list.find((a) => !allowPrivate && !isPublicAddress(a.address));
      if (bad || list.length === 0) return callback(Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EADDRNOTPUBLIC' }), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** One POST in a CLIENT span of the delivery's trace (the receiver gets its traceparent); the answer's status. */
function post(url: string, body: string, headers: Record<string, string>, config: DeliveryConfig): Promise<number> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return withHttpClientSpan('POST', target, (trace) => new Promise((resolve, reject) => {
    const request = client.request(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...trace, ...headers },
      lookup: guardedLookup(config.WEBHOOK_ALLOW_PRIVATE),
      timeout: config.WEBHOOK_TIMEOUT_MS,
    }, (response) => {
      response.resume(); // the answer's body is not read: only its status counts
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${config.WEBHOOK_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  }));
}

export class NotificationDelivery {
  private readonly delivered: Collection<DeliveredDocument>;
  private readonly mailer?: Transporter;

  constructor(db: Db, private readonly operators: OperatorStore, private readonly config: DeliveryConfig) {
    this.delivered = db.collection<DeliveredDocument>('clearinghouse_deliveries');
    if (config.SMTP_URL) this.mailer = nodemailer.createTransport(config.SMTP_URL);
  }

  private async once(id: string, send: () => Promise<number>): Promise<void> {
    if (await this.delivered.findOne({ _id: id })) return;
    const status = await send();
    if (status < 200 || status >= 300) throw new Error(`delivery ${id} answered HTTP ${status}: retried later`);
    try {
      await this.delivered.insertOne({ _id: id, at: new Date(), status });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async deliver(event: CloudEvent<unknown>): Promise<void> {
    const n = event.data as Notification | null;
    if (!n || typeof n.operatorId !== 'string' || typeof n.vulnerabilityId !== 'string') throw new PoisonMessageError('not a notification');
    const operator = await this.operators.operator(n.operatorId);
    if (!operator) throw new PoisonMessageError(`operator ${n.operatorId} is not registered`);
    const body = JSON.stringify(event);
    const failures: unknown[] = [];
    for (const endpoint of operator.webhooks) {
      const secret = operator.webhookSecrets[endpoint.id];
      if (!secret) continue;
      // One failing endpoint does not hold back the others: each is tried, the delivery retried if any failed.
      await this.once(`${event.id}:${endpoint.id}`, () => post(endpoint.url, body, { ...signWebhook(secret, event.id, new Date(), body) }, this.config)).catch((e: unknown) => failures.push(e));
    }
    if (operator.webhooks.length === 0 && this.mailer) {
      const to = operator.contacts.find((c) => c.primary)?.email;
      if (to) await this.once(`${event.id}:email`, async () => {
        await this.mailer!.sendMail({ from: this.config.SMTP_FROM, to, subject: `[${n.tlp === 'CLEAR' ? 'TLP:CLEAR' : `TLP:${n.tlp}`}] ${n.kind}: ${n.vulnerabilityId} affects ${n.affected.length} of your components`, text: mailText(n) });
        return 200; // the SMTP server took it (sendMail throws otherwise)
      });
    }
    if (failures.length) throw new Error(`${failures.length} endpoint(s) failed: ${failures.map(String).join('; ')}`, { cause: failures[0] });
  }
}

function mailText(n: Notification): string {
  return [
    `${n.vulnerabilityId}, revision ${n.revision} (${n.kind}); priority ${n.priority}${n.kevListed ? ', in CISA KEV' : ''}; TLP:${n.tlp}.`,
    ...n.changes.map((c) => `- ${c}`),
    'Affected:',
    ...n.affected.map((c) => `- ${c.purl || `${c.cpe ?? ''} ${c.version}`} in asset ${c.assetId}${c.fixedVersions.length ? `; fixed in ${c.fixedVersions.join(', ')}` : ''}`),
  ].join('\n');
}

export function openDelivery(runtime: ServiceRuntime, db: Db, operators: OperatorStore, config: DeliveryConfig): NotificationDelivery {
  const delivery = new NotificationDelivery(db, operators, config);
  runtime.consume(WEBHOOK_CONSUMER, (event: CloudEvent<unknown>, _d: Delivery) => delivery.deliver(event), 'notification-delivery');
  return delivery;
}
