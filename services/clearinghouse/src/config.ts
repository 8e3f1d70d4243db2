/** The clearinghouse's configuration: the shared variables, validated at start-up (port 50054). */
import { loadConfig, serviceConfig, z } from '@rampart/config';
import { DEFAULT_CLAIM_LEASE_MS } from './domain/coordination/scan-claim';

const schema = z.object({
  ...serviceConfig(50054),
  // How soon an embargo may end at the earliest, in ms: an hour (the most allowed), less only where embargoes must end within seconds (tests).
  EMBARGO_MINIMUM_NOTICE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(3_600_000),
  // How long a scanner's claim holds a scan job, in ms (never past the job's window): after it another scanner may claim the job. Short only in tests.
  SCAN_CLAIM_LEASE_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(DEFAULT_CLAIM_LEASE_MS),
  // Webhook endpoints on loopback or private addresses, over plain http: never in production (SSRF); tests and air-gapped deployments only.
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  // How long one webhook POST may take, in ms.
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  // E-mail for operators without a webhook (smtp://host:port or smtps://...); unset: no e-mail.
  SMTP_URL: z.string().url().optional(),
  SMTP_FROM: z.string().email().default('clearinghouse@rampart.invalid'),
});

export type ClearinghouseConfig = z.infer<typeof schema>;

export function loadClearinghouseConfig(source: NodeJS.ProcessEnv = process.env): ClearinghouseConfig {
  return loadConfig(schema, source);
}
