/** Conformance data and the validators for the formats tests. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@rampart/testing';
import { formatSchemas } from '../src/assets/schemas';
import { formatValidators, type Problem, type Validation } from '../src/domain/formats';

export const CONFORMANCE = path.join(REPO_ROOT, '../shared/conformance');

export const validators = formatValidators(formatSchemas());

/** A JSON document as the tests break it: any shape (what JSON.parse returns). */
export type Json = ReturnType<typeof JSON.parse>;

export function readJson<T = Json>(...parts: string[]): T {
  return JSON.parse(fs.readFileSync(path.join(CONFORMANCE, ...parts), 'utf8')) as T;
}

export function readBytes(...parts: string[]): Uint8Array {
  return fs.readFileSync(path.join(CONFORMANCE, ...parts));
}

/** A deep copy to break in place. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/** Problems as `pointer: message` lines, for readable failures. */
export function lines(problems: readonly Problem[]): string[] {
  return problems.map((p) => `${p.pointer}: ${p.message}`);
}

/** The refusal's pointers include every expected one (and each is an error, not a warning). */
export function expectRefusedAt(v: Validation<unknown>, expected: readonly string[]): void {
  expect(v.ok).toBe(false);
  expect(lines(v.errors)).toEqual(expect.arrayContaining(expected.map((p) => expect.stringMatching(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `)))));
}
