/** Client helpers for the CLI, tests and service-to-service calls. */
import { credentials, Metadata, type CallOptions } from '@grpc/grpc-js';

export const insecure = () => credentials.createInsecure();

export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function withDeadline(ms: number): CallOptions {
  return { deadline: new Date(Date.now() + ms) };
}
