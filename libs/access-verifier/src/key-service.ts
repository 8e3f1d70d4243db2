/**
 * The verification keys over gRPC (GetVerificationKeys), as published and as read back: the public
 * JWK with the interval the key signed in.
 */
import { credentials, Metadata, type ChannelCredentials } from '@grpc/grpc-js';
import type { JWK } from 'jose';
import { accessV1 } from '@rampart/proto';
import type { PublishedKey } from './keys';
import type { KeySource } from './refreshing-keys';

export function verificationKeyToWire(k: PublishedKey): accessV1.VerificationKey {
  return { kid: k.jwk.kid ?? '', alg: k.jwk.alg ?? '', jwkJson: JSON.stringify(k.jwk), activateTime: k.activeFrom, retireTime: k.retiredAt };
}

/** A wire key as published; one whose JWK does not parse becomes an empty JWK, which verifies nothing. */
export function verificationKeyFromWire(k: accessV1.VerificationKey): PublishedKey {
  let jwk: JWK = {};
  try {
    const parsed: unknown = JSON.parse(k.jwkJson);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) jwk = parsed;
  } catch {
    // left empty: KeySet leaves it out
  }
  return { jwk, ...(k.activateTime ? { activeFrom: k.activateTime } : {}), ...(k.retireTime ? { retiredAt: k.retireTime } : {}) };
}

/**
 * How to reach the service: a channel the caller chose (TLS in production: whoever can change the
 * keys in transit can mint credentials), or plaintext opted into by name (loopback, development).
 */
export type KeyServiceChannel = ({ channel: ChannelCredentials; insecure?: never } | { insecure: true; channel?: never }) & { timeoutMs?: number };

/** The keys from the service, and the client's close (refreshingKeys' stop() calls it). */
export interface KeyService extends KeySource {
  close(): void;
}

/** Fetches the keys from the early-access service with the gateway's own token, over the channel given. */
export function keysFromService(address: string, token: () => string | Promise<string>, options: KeyServiceChannel): KeyService {
  const o = (options ?? {}) as { channel?: unknown; insecure?: unknown; timeoutMs?: number };
  const given = typeof o.channel === 'object' && o.channel !== null ? o.channel as ChannelCredentials : undefined;
  const chosen = given ?? (o.channel === undefined && o.insecure === true ? credentials.createInsecure() : undefined);
  if (!chosen || (o.channel !== undefined && o.insecure !== undefined)) {
    throw new TypeError('keysFromService needs either options.channel (TLS credentials) or options.insecure: true (plaintext, loopback or development only)');
  }
  const client = new accessV1.EarlyAccessServiceClient(address, chosen);
  const timeoutMs = o.timeoutMs ?? 5_000;
  return {
    fetch: async () => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${await token()}`);
      const response = await new Promise<accessV1.GetVerificationKeysResponse>((resolve, reject) =>
        client.getVerificationKeys({}, metadata, { deadline: new Date(Date.now() + timeoutMs) }, (error, r) => (error ? reject(error) : resolve(r))));
      return { issuer: response.issuer, keys: response.keys.map(verificationKeyFromWire) };
    },
    close: () => client.close(),
  };
}
