/** What every command shares: where the services are, who the caller is, how to print. */
import { readFileSync } from 'node:fs';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { bearer, callUnary, fieldViolationsOf } from '@rampart/grpc-kit';
import path from 'node:path';

export const DEFAULT_KEY_DIR = path.resolve(process.env.RAMPART_KEY_DIR ?? '.data/keys');

export function tokenFrom(option: string | undefined): string {
  const token = option ?? process.env.RAMPART_TOKEN;
  if (!token) throw new Error('no token: pass --token or set RAMPART_TOKEN (mint one with `rampart token`)');
  return token;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
}

export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** An RPC error as a person reads it: the status, then each rejected field on its own line. */
export function describeRpcError(error: unknown): Error {
  const e = error as ServiceError;
  const violations = fieldViolationsOf(e.metadata);
  return new Error(violations.length > 0 ? `${e.message}\n${violations.map((v) => `  ${v.field}: ${v.description}`).join('\n')}` : e.message);
}

/**
 * Calls one unary RPC with a request built from a partial (see grpc-kit's callUnary), the caller's
 * token, and a client made for the call and closed after it; errors come back as people read them.
 */
export async function invokeRpc<Res>(client: Client, codecs: object, method: string, request: object, token: string | undefined): Promise<Res> {
  try {
    return await callUnary<Res>(client, codecs, method, request, bearer(tokenFrom(token)));
  } catch (error) {
    throw describeRpcError(error);
  } finally {
    client.close();
  }
}

/** Prints a response as proto JSON, with its package's `<Method>Response` codec. */
export function printResponse(codecs: object, method: string, response: unknown): void {
  const type = (codecs as Record<string, { toJSON(o: unknown): unknown } | undefined>)[`${method[0]!.toUpperCase()}${method.slice(1)}Response`];
  if (!type) throw new Error(`the package has no ${method} response`);
  print(type.toJSON(response));
}
