/** Enforcement's configuration: the shared variables, validated at start-up (port 50055). */
import { loadConfig, serviceConfig, z } from '@rampart/config';

const ms = (fallback: number) => z.coerce.number().int().min(1_000).max(3_650 * DAY).default(fallback);
const DAY = 86_400_000;

const schema = z.object({
  ...serviceConfig(50055),
  // How long a referral may wait at each step before it is overdue and an alert is raised (referral.overdue).
  DEADLINE_CANDIDATE_MS: ms(2 * DAY),
  DEADLINE_RECEIVED_MS: ms(3 * DAY),
  DEADLINE_UNDER_REVIEW_MS: ms(14 * DAY),
  DEADLINE_ACCEPTED_MS: ms(180 * DAY),
  // The key custody checkpoints are signed with (HMAC-SHA256), base64 of at least 32 bytes; shared by every replica (a secret).
  CUSTODY_CHECKPOINT_KEY: z.string({ error: 'is required: base64 of at least 32 random bytes (openssl rand -base64 32)' })
    .transform((v, ctx) => {
      const key = Buffer.from(v, 'base64');
      if (key.length < 32) {
        ctx.addIssue({ code: 'custom', message: 'must be base64 of at least 32 random bytes (openssl rand -base64 32)' });
        return z.NEVER;
      }
      return key;
    }),
  // The largest item UploadEvidence stores itself (GridFS), in bytes; larger evidence is held elsewhere, by reference.
  EVIDENCE_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1_024).max(256 * 1024 * 1024).default(16 * 1024 * 1024),
  // A signed checkpoint every this many custody entries of an item: VerifyCustody reads at most this many.
  CUSTODY_CHECKPOINT_EVERY: z.coerce.number().int().min(2).max(10_000).default(100),
});

export type EnforcementConfig = z.infer<typeof schema>;

/** The step deadlines the configuration sets. */
export function stepDeadlinesOf(c: EnforcementConfig) {
  return { candidate: c.DEADLINE_CANDIDATE_MS, received: c.DEADLINE_RECEIVED_MS, under_review: c.DEADLINE_UNDER_REVIEW_MS, accepted: c.DEADLINE_ACCEPTED_MS };
}

export function loadEnforcementConfig(source: NodeJS.ProcessEnv = process.env): EnforcementConfig {
  return loadConfig(schema, source);
}
