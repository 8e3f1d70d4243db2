/**
 * The early-access service's public keys, as a jose key lookup. Keys come from GetVerificationKeys
 * (or any fetch); a credential naming a key not yet known triggers one re-fetch, at most every few
 * seconds, so a rotated-in signing key is picked up without a restart and without letting forged
 * kids turn every request into a fetch.
 */
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { accessV1 } from '@rampart/proto';

export type FetchKeys = () => Promise<{ keys: JSONWebKeySet; issuer: string }>;

export interface RefreshingKeys {
  getKey: JWTVerifyGetKey;
  issuer(): string;
  refresh(): Promise<void>;
}

export async function refreshingKeys(fetchKeys: FetchKeys, minRefreshMs = 5_000): Promise<RefreshingKeys> {
  let current = await fetchKeys();
  let local = createLocalJWKSet(current.keys);
  let fetchedAt = Date.now();
  let inFlight: Promise<void> | undefined;
  const refresh = () => {
    inFlight ??= fetchKeys().then((next) => {
      current = next;
      local = createLocalJWKSet(next.keys);
      fetchedAt = Date.now();
    }).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  return {
    getKey: async (header, token) => {
      try {
        return await local(header, token);
      } catch (error) {
        if (!(error instanceof errors.JWKSNoMatchingKey) || Date.now() - fetchedAt < minRefreshMs) throw error;
        await refresh().catch(() => undefined);
        return local(header, token);
      }
    },
    issuer: () => current.issuer,
    refresh,
  };
}

/** Fetches the keys over gRPC from the early-access service with the gateway's own token (TLS in production). */
export function keysFromService(address: string, token: () => string | Promise<string>, options: { channel?: ChannelCredentials; timeoutMs?: number } = {}): FetchKeys {
  const client = new accessV1.EarlyAccessServiceClient(address, options.channel ?? credentials.createInsecure());
  const timeoutMs = options.timeoutMs ?? 5_000;
  return async () => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await token()}`);
    const response = await new Promise<accessV1.GetVerificationKeysResponse>((resolve, reject) =>
      client.getVerificationKeys({}, metadata, { deadline: new Date(Date.now() + timeoutMs) }, (error, r) => (error ? reject(error) : resolve(r))));
    return { issuer: response.issuer, keys: { keys: response.keys.map((k) => JSON.parse(k.jwkJson) as JSONWebKeySet['keys'][number]) } };
  };
}
