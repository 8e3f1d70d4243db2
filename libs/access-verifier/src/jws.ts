/**
 * A compact JWS (RFC 7515), read only as far as verification needs: three base64url segments, a
 * JSON object header, and the signature checked with node:crypto on a ready KeyObject. Synchronous
 * on purpose: jose verifies through WebCrypto, whose per-call hop to the thread pool cost a third of
 * the rate of bare `crypto.verify` when verifying one request at a time.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';

/** The longest compact JWS accepted: credentials and checkpoints are a few hundred bytes. */
export const MAX_JWS_LENGTH = 8192;
/** An Ed25519 signature, 64 bytes, is 86 base64url characters. */
const ED25519_SIGNATURE_CHARS = 86;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

export interface JwsHeader {
  alg: string;
  kid: string;
  typ?: string;
  [name: string]: unknown;
}

export interface CompactJws {
  header: JwsHeader;
  /** The payload segment, still base64url: decoded only after the signature verifies. */
  payloadSegment: string;
  /** What was signed: `<header>.<payload>`. */
  signingInput: string;
  signatureSegment: string;
}

export type JwsProblem = 'malformed' | 'header';

/** Splits and decodes a compact JWS's header; a problem rather than an exception for any input. */
export function readCompactJws(token: unknown): CompactJws | JwsProblem {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_JWS_LENGTH) return 'malformed';
  const first = token.indexOf('.');
  const second = first < 0 ? -1 : token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) return 'malformed';
  const headerSegment = token.slice(0, first);
  const payloadSegment = token.slice(first + 1, second);
  const signatureSegment = token.slice(second + 1);
  if (payloadSegment === '' || !BASE64URL.test(headerSegment) || !BASE64URL.test(payloadSegment) || !BASE64URL.test(signatureSegment)) return 'malformed';
  const header = decodeJsonObject(headerSegment);
  if (!header) return 'malformed';
  // No extension is understood, so none may be critical (RFC 7515 4.1.11); b64 false changes what is signed.
  if (typeof header.alg !== 'string' || typeof header.kid !== 'string' || header.kid === '' || 'crit' in header || 'b64' in header) return 'header';
  if (header.typ !== undefined && typeof header.typ !== 'string') return 'header';
  return { header: header as JwsHeader, payloadSegment, signingInput: token.slice(0, second), signatureSegment };
}

/** The base64url segment as a JSON object (not an array, not a primitive), or undefined. */
export function decodeJsonObject(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Ed25519 over the signing input; false for a signature of the wrong size or any crypto error. */
export function verifyEd25519(jws: CompactJws, key: KeyObject): boolean {
  // 86 characters carry 516 bits for 512: the last one must leave the 4 spare bits zero, or one
  // signature would have 16 spellings.
  if (jws.signatureSegment.length !== ED25519_SIGNATURE_CHARS || !'AQgw'.includes(jws.signatureSegment[ED25519_SIGNATURE_CHARS - 1]!)) return false;
  try {
    // The segments are base64url (checked), so latin1 gives exactly their ASCII bytes.
    return cryptoVerify(null, Buffer.from(jws.signingInput, 'latin1'), key, Buffer.from(jws.signatureSegment, 'base64url'));
  } catch {
    return false;
  }
}
