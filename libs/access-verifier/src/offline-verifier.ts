/**
 * The offline verifier a developer's model gateway (written in TypeScript) embeds: no round trip
 * per request. It checks a credential's signature against the early-access service's keys and
 * refuses one revoked on the developer's own subject, which it follows on JetStream with an ordered
 * consumer (revocations of the last day replayed at start, new ones within milliseconds).
 *
 *   const keys = await refreshingKeys(keysFromService('early-access:50053', () => gatewayToken));
 *   const verifier = await OfflineVerifier.start({ organization: 'acme', js: jetstream(nc), keys });
 *   const result = await verifier.verify(token); // { valid: true, claims } or { valid: false, reason }
 */
import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { CredentialRejectedError, verifyCredentialToken, type CredentialClaims } from './credential';
import type { RefreshingKeys } from './keys';
import { REVOCATION_MEMORY_MS, REVOCATION_STREAM, RevocationList, revocationSubject } from './revocations';

export type Verification = { valid: true; claims: CredentialClaims } | { valid: false; reason: string };

export interface OfflineVerifierOptions {
  /** The gateway's organisation (the developer's). */
  organization: string;
  js: JetStreamClient;
  keys: RefreshingKeys;
  clockToleranceSeconds?: number;
  /** How long start() waits to catch up on past revocations. */
  startTimeoutMs?: number;
  /** Told about anything that stops following revocations for a moment (it resumes by itself). */
  onError?: (error: unknown) => void;
}

export class OfflineVerifier {
  private readonly revocations = new RevocationList();
  private messages?: ConsumerMessages;
  private stopped = false;
  private loop?: Promise<void>;
  private pruneTimer?: NodeJS.Timeout;

  private constructor(private readonly options: OfflineVerifierOptions) {}

  /** Starts following revocations and resolves once the ones already published are applied. */
  static async start(options: OfflineVerifierOptions): Promise<OfflineVerifier> {
    const verifier = new OfflineVerifier(options);
    await verifier.follow(options.startTimeoutMs ?? 10_000);
    verifier.pruneTimer = setInterval(() => verifier.revocations.prune(), 10 * 60_000);
    verifier.pruneTimer.unref();
    return verifier;
  }

  async verify(token: string, now?: Date): Promise<Verification> {
    let claims: CredentialClaims;
    try {
      claims = await verifyCredentialToken(token, {
        issuer: this.options.keys.issuer(),
        organization: this.options.organization,
        keys: this.options.keys.getKey,
        ...(this.options.clockToleranceSeconds !== undefined ? { clockToleranceSeconds: this.options.clockToleranceSeconds } : {}),
        ...(now ? { now } : {}),
      });
    } catch (error) {
      if (error instanceof CredentialRejectedError) return { valid: false, reason: error.reason };
      throw error;
    }
    const revoked = this.revocations.revoked(claims);
    if (revoked) return { valid: false, reason: revoked === 'credential' ? 'revoked' : `revoked (its ${revoked})` };
    return { valid: true, claims };
  }

  /** Revocations held in memory (the last day's). */
  get revocationCount(): number {
    return this.revocations.size;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruneTimer);
    await this.messages?.close();
    await this.loop;
  }

  private async follow(startTimeoutMs: number): Promise<void> {
    const { js, organization } = this.options;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    this.loop = (async () => {
      let since = new Date(Date.now() - REVOCATION_MEMORY_MS);
      while (!this.stopped) {
        try {
          const consumer = await js.consumers.get(REVOCATION_STREAM, {
            filter_subjects: [revocationSubject(organization)],
            deliver_policy: DeliverPolicy.StartTime,
            opt_start_time: since.toISOString(),
          });
          if ((await consumer.info(true)).num_pending === 0) caughtUp();
          this.messages = await consumer.consume();
          for await (const m of this.messages) {
            try {
              const event = m.json<{ data?: unknown; time?: string }>();
              this.revocations.add(event.data);
            } catch (error) {
              this.options.onError?.(error);
            }
            since = new Date(m.info.timestampNanos / 1e6);
            if (m.info.pending === 0) caughtUp();
          }
        } catch (error) {
          this.options.onError?.(error);
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, 500));
      }
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`revocations of ${organization} not caught up within ${startTimeoutMs} ms`)), startTimeoutMs);
    });
    try {
      await Promise.race([ready, timeout]);
    } catch (error) {
      await this.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
