/**
 * Webhook deliveries signed by the Standard Webhooks scheme (standardwebhooks.com): headers
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256
 * of "<id>.<timestamp>.<body>">`), the secret shared as `whsec_<base64>`. The id is the same on every
 * retry of one delivery, so a receiver drops repeats by it. Verification takes `now`, so it is pure
 * and refuses stale or future timestamps (replays) by the scheme's 5-minute tolerance.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The scheme's default: a signature older or newer than this is refused. */
export const WEBHOOK_TOLERANCE_MS = 5 * 60_000;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new secret for an endpoint: 32 random bytes. (Randomness is the only input; no other I/O.) */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(32).toString('base64');
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(WEBHOOK_SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

export function signWebhook(secret: string, messageId: string, at: Date, body: string): WebhookHeaders {
  const timestamp = new Date(Math.floor(at.getTime() / 1000) * 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp.getTime() / 1000),
    'webhook-signature': new Webhook(secret).sign(messageId, timestamp, body),
  };
}

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

/** What a receiver does: timestamp within tolerance of `now`, then any `v1` signature matches. */
export function verifyWebhook(secret: string, headers: Partial<Record<string, string>>, body: string, now: Date): WebhookVerification {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !ts || !signatures) return { ok: false, reason: 'missing webhook-id, webhook-timestamp or webhook-signature' };
  const seconds = Number(ts);
  if (!/^\d{1,12}$/.test(ts) || !Number.isSafeInteger(seconds)) return { ok: false, reason: 'webhook-timestamp is not Unix seconds' };
  if (Math.abs(now.getTime() - seconds * 1000) > WEBHOOK_TOLERANCE_MS) return { ok: false, reason: 'webhook-timestamp is outside the tolerance' };
  let expected: string;
  try {
    expected = new Webhook(secret).sign(id, new Date(seconds * 1000), body);
  } catch (error) {
    return { ok: false, reason: error instanceof WebhookVerificationError ? error.message : 'bad secret' };
  }
  const want = expected.split(',')[1] ?? '';
  const matches = signatures.split(' ').some((s) => {
    const [version, signature] = s.split(',');
    return version === 'v1' && signature !== undefined && timingSafeEqualText(signature, want);
  });
  return matches ? { ok: true } : { ok: false, reason: 'no signature matches' };
}

function timingSafeEqualText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}
