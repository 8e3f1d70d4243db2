/** What every command shares: where the services are, who the caller is, how to print. */
import { readFileSync } from 'node:fs';
import type { ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf } from '@rampart/grpc-kit';
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
