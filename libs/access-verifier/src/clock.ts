/**
 * The two clocks the verifier reads. The wall clock dates credentials (their `iat`, `nbf`, `exp` are
 * wall times) and chooses where a replay starts; it can step either way (NTP, a VM resumed). How long
 * ago revocations were last confirmed current is measured on the monotonic clock, which does not.
 */
export interface VerifierClock {
  /** Epoch milliseconds. */
  wallMs(): number;
  /** Milliseconds from an arbitrary origin, never going back. */
  monotonicMs(): number;
}

export const systemClock: VerifierClock = {
  wallMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};
