/**
 * Where verification keys come from. A key-set file is re-read when a token names a kid it does not
 * hold (at most every few seconds), so a rotated-in key works without a restart.
 */
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

const RELOAD_INTERVAL_MS = 5_000;

export function fileKeySet(path: string): JWTVerifyGetKey {
  const load = () => createLocalJWKSet(JSON.parse(readFileSync(path, 'utf8')) as JSONWebKeySet);
  let current = load();
  let loadedAt = Date.now();
  return async (header, token) => {
    try {
      return await current(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - loadedAt < RELOAD_INTERVAL_MS) throw error;
      current = load();
      loadedAt = Date.now();
      return current(header, token);
    }
  };
}

export interface KeySource {
  jwksFile?: string;
  jwksUrl?: string;
}

export function keySetFrom(source: KeySource): JWTVerifyGetKey {
  if (source.jwksUrl) return createRemoteJWKSet(new URL(source.jwksUrl));
  if (source.jwksFile) return fileKeySet(source.jwksFile);
  throw new Error('no verification keys: set AUTH_JWKS_FILE or AUTH_JWKS_URL');
}
