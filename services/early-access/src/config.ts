/** Early access's configuration: the shared variables plus its own, validated at start-up. */
import { readFileSync } from 'node:fs';
import { env, loadConfig, serviceConfig, z } from '@rampart/config';
import { CREDENTIAL_ALGORITHM, MAX_CREDENTIAL_TTL_SECONDS } from '@rampart/access-verifier';

/** A private signing key as a JWK: Ed25519, with a key id. */
export interface SigningJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  alg: typeof CREDENTIAL_ALGORITHM;
  kid: string;
  x: string;
  d: string;
}

/**
 * `CREDENTIAL_KEYS_FILE`: a JSON Web Key Set of private Ed25519 keys, shared by every replica (a
 * Kubernetes secret). Every key in it verifies; one signs. Rotate by adding the new key, pointing
 * CREDENTIAL_SIGNING_KID at it, and dropping the old key only a day later, when no credential it
 * signed is still alive.
 */
const KEYS_REQUIRED = 'is required: a JSON Web Key Set file of Ed25519 private keys (`rampart access init-keys` makes one)';
const signingKeys = z.string({ error: KEYS_REQUIRED }).min(1, KEYS_REQUIRED).transform((file, ctx): SigningJwk[] => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `cannot read a JSON key set from ${file}: ${error instanceof Error ? error.message : String(error)}` });
    return z.NEVER;
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'the key set holds no keys' });
    return z.NEVER;
  }
  const kids = new Set<string>();
  for (const [i, key] of (keys as Record<string, unknown>[]).entries()) {
    const ok = key && key.kty === 'OKP' && key.crv === 'Ed25519' && typeof key.x === 'string' && typeof key.d === 'string' && typeof key.kid === 'string' && key.kid !== '';
    if (!ok) ctx.addIssue({ code: 'custom', message: `key ${i} must be an Ed25519 private JWK (kty OKP, crv Ed25519, x, d) with a kid` });
    else if (kids.has(key.kid as string)) ctx.addIssue({ code: 'custom', message: `kid ${String(key.kid)} appears twice` });
    else kids.add(key.kid as string);
  }
  return (keys as SigningJwk[]).map((k) => ({ kty: 'OKP', crv: 'Ed25519', alg: CREDENTIAL_ALGORITHM, kid: k.kid, x: k.x, d: k.d }));
});

const schema = z.object({
  ...serviceConfig(50053),
  CREDENTIAL_KEYS_FILE: signingKeys,
  /** The key that signs; default the first in the file. */
  CREDENTIAL_SIGNING_KID: z.string().optional(),
  /** The credentials' `iss`. */
  CREDENTIAL_ISSUER: z.string().min(1).default('rampart-early-access'),
  /** The longest credential issued, seconds (never above a day). */
  CREDENTIAL_MAX_TTL_S: z.coerce.number().int().min(60).max(MAX_CREDENTIAL_TTL_SECONDS).default(MAX_CREDENTIAL_TTL_SECONDS),
  /** Volume rule: a use whose volume exceeds this factor times the principal's trailing median raises a signal. */
  SIGNAL_VOLUME_FACTOR: z.coerce.number().min(1.5).max(1000).default(10),
  /** Volume rule: how many of the principal's latest uses make its baseline. */
  SIGNAL_BASELINE_USES: z.coerce.number().int().min(3).max(200).default(20),
  /** Volume rule: no signal before the principal has this many uses on record. */
  SIGNAL_BASELINE_MIN_USES: z.coerce.number().int().min(1).max(200).default(5),
  /** A signed checkpoint of each program's access log every this many records. */
  CHECKPOINT_EVERY: env.positiveInt(16),
}).superRefine((c, ctx) => {
  if (c.CREDENTIAL_SIGNING_KID && !c.CREDENTIAL_KEYS_FILE.some((k) => k.kid === c.CREDENTIAL_SIGNING_KID)) {
    ctx.addIssue({ code: 'custom', path: ['CREDENTIAL_SIGNING_KID'], message: 'names no key of CREDENTIAL_KEYS_FILE' });
  }
  if (c.SIGNAL_BASELINE_MIN_USES > c.SIGNAL_BASELINE_USES) {
    ctx.addIssue({ code: 'custom', path: ['SIGNAL_BASELINE_MIN_USES'], message: 'must not exceed SIGNAL_BASELINE_USES' });
  }
});

export type EarlyAccessConfig = z.infer<typeof schema>;

export function loadEarlyAccessConfig(source: NodeJS.ProcessEnv = process.env): EarlyAccessConfig {
  return loadConfig(schema, source);
}
