/**
 * The offline verifier's options, checked before it starts: each bound keeps failing closed
 * meaningful. A zero, negative, NaN or infinite bound would disable it or spin a tight loop, a probe
 * period as long as the bound would leave it stale for ever, and an organisation that is not one
 * subject token (`*`, `>`, `a.b`) would follow other organisations' revocations (or none).
 */
import { isSubjectToken, SUBJECT_TOKEN_RULE } from '@rampart/errors';

/** The default staleness bound: revocation reaches connected verifiers within 1 s; 1 s of margin. */
export const DEFAULT_MAX_STALENESS_MS = 2_000;
/** The loosest staleness bound accepted: past a minute a revocation is no longer prompt. */
export const MAX_STALENESS_LIMIT_MS = 60_000;
/** The shortest probe period: the server is asked no more than 100 times a second. */
export const MIN_PROBE_EVERY_MS = 10;
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_CLOCK_TOLERANCE_SECONDS = 300;

export interface VerifierBounds {
  maxStalenessMs: number;
  probeEveryMs: number;
  startTimeoutMs: number;
}

/** The bounds to run with; a RangeError naming the option when one is unusable. */
export function verifierBounds(o: { organization: unknown; maxStalenessMs?: unknown; probeEveryMs?: unknown; startTimeoutMs?: unknown; clockToleranceSeconds?: unknown }): VerifierBounds {
  if (!isSubjectToken(o.organization)) throw new RangeError(`organization must be one NATS subject token: ${SUBJECT_TOKEN_RULE}`);
  const maxStalenessMs = o.maxStalenessMs ?? DEFAULT_MAX_STALENESS_MS;
  if (!within(maxStalenessMs, 2 * MIN_PROBE_EVERY_MS, MAX_STALENESS_LIMIT_MS)) {
    throw new RangeError(`maxStalenessMs must be a number of milliseconds from ${2 * MIN_PROBE_EVERY_MS} to ${MAX_STALENESS_LIMIT_MS}`);
  }
  const probeEveryMs = o.probeEveryMs ?? Math.min(250, maxStalenessMs / 4);
  // Half the bound at most: a confirmation needs a period plus a round trip to arrive.
  if (!within(probeEveryMs, MIN_PROBE_EVERY_MS, maxStalenessMs / 2)) {
    throw new RangeError(`probeEveryMs must be a number of milliseconds from ${MIN_PROBE_EVERY_MS} to half of maxStalenessMs (${maxStalenessMs / 2})`);
  }
  const startTimeoutMs = o.startTimeoutMs ?? 10_000;
  if (!within(startTimeoutMs, 1, MAX_TIMER_MS)) throw new RangeError(`startTimeoutMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  if (o.clockToleranceSeconds !== undefined && !within(o.clockToleranceSeconds, 0, MAX_CLOCK_TOLERANCE_SECONDS)) {
    throw new RangeError(`clockToleranceSeconds must be a number of seconds from 0 to ${MAX_CLOCK_TOLERANCE_SECONDS}`);
  }
  return { maxStalenessMs, probeEveryMs, startTimeoutMs };
}

function within(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
