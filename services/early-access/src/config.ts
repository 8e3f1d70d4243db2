/** Early access's configuration: the shared variables plus its own, validated at start-up. */
import { readFileSync } from 'node:fs';
import { env, loadConfig, serviceConfig, z } from '@rampart/config';
import { CREDENTIAL_ALGORITHM, MAX_CREDENTIAL_TTL_SECONDS } from '@rampart/access-verifier';
import { isOrganizationId } from './domain/ids';

/** A signing key as a JWK: Ed25519, with a key id; private (`d`) unless retired; when it signed (ISO times). */
export interface SigningJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  alg: typeof CREDENTIAL_ALGORITHM;
  kid: string;
  x: string;
  d?: string;
  activeFrom?: string;
  retiredAt?: string;
}

/**
 * `CREDENTIAL_KEYS_FILE`: a JSON Web Key Set of private Ed25519 keys, shared by every replica (a
 * Kubernetes secret). Every key in it verifies what it signed while active; one current key signs.
 * Rotate by adding the new key (verifiers learn it), then pointing CREDENTIAL_SIGNING_KID at it and
 * giving the old key `retiredAt` (an ISO time once every replica signs with the new key) and
 * dropping its `d` (a retired key with its private half is refused): its live credentials verify
 * until they expire, its checkpoints for good; keep its public half while its checkpoints must verify.
 * The signing key's `activeFrom`, if any, must not be later than now (plus the clock tolerance).
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
    const time = (v: unknown) => v === undefined || (typeof v === 'string' && Number.isFinite(Date.parse(v)));
    const ok = key && key.kty === 'OKP' && key.crv === 'Ed25519' && typeof key.x === 'string' && (typeof key.d === 'string' || typeof key.retiredAt === 'string') && typeof key.kid === 'string' && key.kid !== '';
    if (!ok) ctx.addIssue({ code: 'custom', message: `key ${i} must be an Ed25519 private JWK (kty OKP, crv Ed25519, x, d) with a kid (a retired one may omit d)` });
    else if (!time(key.activeFrom) || !time(key.retiredAt)) ctx.addIssue({ code: 'custom', message: `key ${String(key.kid)}: activeFrom and retiredAt must be ISO 8601 times` });
    else if (kids.has(key.kid as string)) ctx.addIssue({ code: 'custom', message: `kid ${String(key.kid)} appears twice` });
    else kids.add(key.kid as string);
  }
  return (keys as SigningJwk[]).map((k) => ({
    kty: 'OKP', crv: 'Ed25519', alg: CREDENTIAL_ALGORITHM, kid: k.kid, x: k.x,
    ...(k.d ? { d: k.d } : {}), ...(k.activeFrom ? { activeFrom: k.activeFrom } : {}), ...(k.retiredAt ? { retiredAt: k.retiredAt } : {}),
  }));
});

/**
 * Why the signing key may not sign yet, if so: its `activeFrom` is later than now plus the clock
 * tolerance, so every verifier would refuse what it signs (`retired-key`).
 */
export function signingKeyNotYetActive(key: SigningJwk, clockToleranceSeconds: number, now: Date): string | undefined {
  if (!key.activeFrom || Date.parse(key.activeFrom) <= now.getTime() + clockToleranceSeconds * 1000) return undefined;
  return `signing key ${key.kid} is active only from ${key.activeFrom}: every verifier would refuse what it signs before then (sign with a key already active)`;
}

/** A retired key keeps its public half only: whoever holds its private half could sign with a backdated iat or signedAt. */
export const retiredWithPrivateHalf = (kid: string) => `key ${kid} is retired but still carries its private half (d): drop d from a retired key`;

/** Organisation ids are NATS subject tokens (domain/ids.ts). */
const governmentOrganizations = (fallback: string) => z.string().default(fallback).transform((value, ctx): string[] => {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = ids.filter((id) => !isOrganizationId(id));
  if (bad.length > 0 || ids.length === 0) {
    ctx.addIssue({ code: 'custom', message: bad.length > 0 ? `${bad.join(', ')}: not organisation ids` : 'must name at least one organisation' });
    return z.NEVER;
  }
  return ids;
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
  /** The organisation ids (as tokens carry them) whose principals may hold government grants, comma-separated. */
  GOVERNMENT_ORGANIZATIONS: governmentOrganizations('nsa,cisa,oncd,fbi,doj,treasury,ostp,nist,dhs'),
}).superRefine((c, ctx) => {
  const signing = c.CREDENTIAL_SIGNING_KID ? c.CREDENTIAL_KEYS_FILE.find((k) => k.kid === c.CREDENTIAL_SIGNING_KID) : c.CREDENTIAL_KEYS_FILE.find((k) => k.d && !k.retiredAt);
  if (c.CREDENTIAL_SIGNING_KID && !signing) ctx.addIssue({ code: 'custom', path: ['CREDENTIAL_SIGNING_KID'], message: 'names no key of CREDENTIAL_KEYS_FILE' });
  else if (!signing?.d || signing.retiredAt) ctx.addIssue({ code: 'custom', path: [c.CREDENTIAL_SIGNING_KID ? 'CREDENTIAL_SIGNING_KID' : 'CREDENTIAL_KEYS_FILE'], message: 'the signing key must be a private key that is not retired' });
  else {
    const early = signingKeyNotYetActive(signing, c.AUTH_CLOCK_TOLERANCE_S, new Date());
    if (early) ctx.addIssue({ code: 'custom', path: [c.CREDENTIAL_SIGNING_KID ? 'CREDENTIAL_SIGNING_KID' : 'CREDENTIAL_KEYS_FILE'], message: early });
  }
  for (const k of c.CREDENTIAL_KEYS_FILE) {
    if (k.retiredAt && k.d) ctx.addIssue({ code: 'custom', path: ['CREDENTIAL_KEYS_FILE'], message: retiredWithPrivateHalf(k.kid) });
  }
  if (c.SIGNAL_BASELINE_MIN_USES > c.SIGNAL_BASELINE_USES) {
    ctx.addIssue({ code: 'custom', path: ['SIGNAL_BASELINE_MIN_USES'], message: 'must not exceed SIGNAL_BASELINE_USES' });
  }
});

export type EarlyAccessConfig = z.infer<typeof schema>;

export function loadEarlyAccessConfig(source: NodeJS.ProcessEnv = process.env): EarlyAccessConfig {
  return loadConfig(schema, source);
}
