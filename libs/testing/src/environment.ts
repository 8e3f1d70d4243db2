/**
 * The servers a test run shares (FerretDB and Jaeger), started once by jest's global setup, or
 * given from outside: RAMPART_TEST_MONGODB_URI (a real MongoDB, e.g. a container) and
 * RAMPART_TEST_JAEGER_QUERY with RAMPART_TEST_OTLP_ENDPOINT.
 */
import { randomUUID } from 'node:crypto';

export interface SharedServers {
  mongodbUri: string;
  jaegerQuery: string;
  otlpEndpoint: string;
}

export function sharedServers(): SharedServers {
  const mongodbUri = process.env.RAMPART_TEST_MONGODB_URI;
  const jaegerQuery = process.env.RAMPART_TEST_JAEGER_QUERY;
  const otlpEndpoint = process.env.RAMPART_TEST_OTLP_ENDPOINT;
  if (!mongodbUri || !jaegerQuery || !otlpEndpoint) {
    throw new Error('test servers are not set up: run tests through jest (its global setup starts them), see README');
  }
  return { mongodbUri, jaegerQuery, otlpEndpoint };
}

/** A database of one's own on the shared server. */
export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${randomUUID().slice(0, 8)}`;
}
