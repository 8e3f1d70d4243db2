/**
 * The offline verifier a developer's model gateway (written in TypeScript) embeds: no round trip
 * per request. It checks a credential against the early-access service's keys (synchronously, with
 * node:crypto on imported keys) and refuses one revoked on the developer's own subject, which it
 * follows on JetStream (revocations of the last day replayed at start, new ones within milliseconds).
 *
 * It fails closed: when it cannot confirm it has every revocation published up to `maxStalenessMs`
 * ago (default 2 s: the service's 1 s revocation promise plus 1 s of margin for a slow probe, timed
 * on the monotonic clock), it refuses every credential with code `revocations-stale`, and accepts
 * again once reconnected and caught up. Connect with `maxReconnectAttempts: -1` so that it
 * reconnects for ever.
 *
 *   const service = keysFromService('early-access:50053', () => gatewayToken, { channel: credentials.createSsl(ca) });
 *   const keys = await refreshingKeys(service); // keys.stop() closes the service's client
 *   const verifier = await OfflineVerifier.start({ organization: 'acme', js: jetstream(nc), keys });
 *   const result = await verifier.verify(token); // { valid: true, claims } or { valid: false, code, reason }
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { systemClock, type VerifierClock } from './clock';
import { checkCredential, type CredentialClaims, type RejectionCode, type VerifyOptions } from './credential';
import type { RefreshingKeys } from './refreshing-keys';
import { RevocationFollower } from './revocation-follower';
import { verifierBounds } from './verifier-options';

export type Verification = { valid: true; claims: CredentialClaims } | { valid: false; code: RejectionCode; reason: string };

export interface OfflineVerifierOptions {
  /** The gateway's organisation (the developer's): one NATS subject token. */
  organization: string;
  js: JetStreamClient;
  keys: RefreshingKeys;
  /** Allowed clock difference for credential times, seconds (default 5, at most 300). */
  clockToleranceSeconds?: number;
  /** How long start() waits to catch up on past revocations (default 10 s). */
  startTimeoutMs?: number;
  /** Refuse everything once revocations are not confirmed current for this long (default 2 s, 20 ms to 60 s). */
  maxStalenessMs?: number;
  /** How often currency is confirmed with the server (default 250 ms; at least 10 ms, at most half of maxStalenessMs). */
  probeEveryMs?: number;
  /** The clocks it reads (default the system's); tests move them. */
  clock?: VerifierClock;
  /** Told about anything that stops following revocations for a moment (it resumes by itself). */
  onError?: (error: unknown) => void;
}

export class OfflineVerifier {
  private readonly follower: RevocationFollower;
  private readonly clock: VerifierClock;
  private pruneTimer?: NodeJS.Timeout;

  private constructor(private readonly options: OfflineVerifierOptions, private readonly maxStalenessMs: number, probeEveryMs: number) {
    this.clock = options.clock ?? systemClock;
    this.follower = new RevocationFollower({
      organization: options.organization, js: options.js, probeEveryMs, probeTimeoutMs: Math.max(probeEveryMs, maxStalenessMs / 2), clock: this.clock,
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** Starts following revocations and resolves once the ones already published are applied; a RangeError names an unusable option. */
  static async start(options: OfflineVerifierOptions): Promise<OfflineVerifier> {
    const { maxStalenessMs, probeEveryMs, startTimeoutMs } = verifierBounds(options);
    const verifier = new OfflineVerifier(options, maxStalenessMs, probeEveryMs);
    verifier.follower.start();
    if (!(await verifier.follower.whenCaughtUp(startTimeoutMs))) {
      await verifier.stop();
      throw new Error(`revocations of ${options.organization} not caught up within ${startTimeoutMs} ms`);
    }
    verifier.pruneTimer = setInterval(() => verifier.follower.list.prune(verifier.clock.wallMs()), 10 * 60_000);
    verifier.pruneTimer.unref();
    return verifier;
  }

  /** Never throws: any input gives a verification. */
  async verify(token: string): Promise<Verification> {
    const { keys, organization, clockToleranceSeconds } = this.options;
    const options: VerifyOptions = { issuer: keys.issuer(), organization, keys, now: new Date(this.clock.wallMs()), ...(clockToleranceSeconds !== undefined ? { clockToleranceSeconds } : {}) };
    let result = checkCredential(token, options);
    if (!result.valid && result.code === 'unknown-key' && (await keys.refreshForUnknownKid())) result = checkCredential(token, { ...options, issuer: keys.issuer() });
    if (!result.valid) return result;
    const revoked = this.follower.list.revoked(result.claims);
    if (revoked) return { valid: false, code: 'revoked', reason: revoked === 'credential' ? 'revoked' : `revoked (its ${revoked})` };
    const staleMs = this.follower.currency.staleMs();
    if (staleMs > this.maxStalenessMs) {
      const age = Number.isFinite(staleMs) ? `for ${Math.round(staleMs)} ms` : 'yet';
      return { valid: false, code: 'revocations-stale', reason: `revocations not confirmed current ${age} (over ${this.maxStalenessMs} ms): is NATS reachable?` };
    }
    return result;
  }

  /** The wall time up to which every revocation was last confirmed applied (for logs and health checks). */
  get currentAt(): Date | undefined {
    return this.follower.currency.confirmedAt();
  }

  /** Milliseconds since revocations were last confirmed current (monotonic; Infinity before the first time). */
  get stalenessMs(): number {
    return this.follower.currency.staleMs();
  }

  /** Revocations held in memory (the last day's). */
  get revocationCount(): number {
    return this.follower.list.size;
  }

  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    await this.follower.stop();
  }
}
