/**
 * Signed access-log checkpoints: a compact JWS (`typ: rampart-checkpoint+jws`, EdDSA) over the
 * canonical JSON of {programId, sequence, hash, signedAt}. The service verifies its own in
 * VerifyAccessLog; the developer can verify the ones it reads with GetVerificationKeys. A checkpoint
 * stays verifiable after its key is retired, as long as it was signed while the key was active.
 */
import { CREDENTIAL_ALGORITHM } from './algorithm';
import { decodeJsonObject, readCompactJws, verifyEd25519 } from './jws';
import { signedWhileActive, type CredentialKeys } from './keys';

export const CHECKPOINT_TYPE = 'rampart-checkpoint+jws';

/** What a checkpoint signs. */
export interface CheckpointStatement {
  programId: string;
  sequence: number;
  hash: string;
  signedAt: string;
}

/** The statement a checkpoint signs, or undefined when it does not verify with a key active when it was signed. Never throws. */
export function verifyCheckpoint(jws: unknown, keys: CredentialKeys, clockToleranceSeconds = 5): CheckpointStatement | undefined {
  const parsed = readCompactJws(jws);
  if (typeof parsed === 'string') return undefined;
  const key = keys.get(parsed.header.kid);
  if (!key || parsed.header.alg !== CREDENTIAL_ALGORITHM || parsed.header.alg !== key.alg || parsed.header.typ !== CHECKPOINT_TYPE) return undefined;
  if (!verifyEd25519(parsed, key.key)) return undefined;
  const s = decodeJsonObject(parsed.payloadSegment);
  if (!s || typeof s.programId !== 'string' || !Number.isSafeInteger(s.sequence) || typeof s.hash !== 'string' || typeof s.signedAt !== 'string') return undefined;
  const signedAt = new Date(s.signedAt);
  if (!signedWhileActive(key, signedAt, clockToleranceSeconds)) return undefined;
  return { programId: s.programId, sequence: s.sequence as number, hash: s.hash, signedAt: s.signedAt };
}
