/** RFC 8785 (JSON Canonicalization Scheme) and SHA-256, for content hashes and the access log's chain. */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The canonical JSON text of `value` (RFC 8785, by the RFC author's own implementation). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** SHA-256 of the canonical JSON, hex. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}
