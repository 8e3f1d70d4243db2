/** Shared by the scoring tests: conformance files, violations, and generators of valid CVSS vectors. */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { ValidationError } from '@rampart/errors';
import { REPO_ROOT } from '@rampart/testing';
import { CVSS_METRICS, type CvssVersion } from '../src/domain/scoring';

export const CONFORMANCE = path.join(REPO_ROOT, '../shared/conformance');

export const readConformance = (...parts: string[]) => fs.readFileSync(path.join(CONFORMANCE, ...parts), 'utf8');

export function violationsOf(fn: () => unknown): { field: string; description: string }[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.violations];
    throw error;
  }
  throw new Error('expected a ValidationError');
}

/**
 * A valid vector of `version`: every base metric, any subset of the others (`X` among their values),
 * written in a shuffled order when `shuffle` (the parser accepts any order).
 */
export function cvssVectorArb(version: CvssVersion, shuffle = false): fc.Arbitrary<string> {
  const metrics = CVSS_METRICS[version];
  const parts = fc.tuple(
    ...metrics.map((m) => (m.group === 'base'
      ? fc.constantFrom(...m.values).map((v) => `${m.key}:${v}` as string | undefined)
      : fc.option(fc.constantFrom(...m.values).map((v) => `${m.key}:${v}`), { nil: undefined }))),
  ).map((ps) => ps.filter((p): p is string => p !== undefined));
  const ordered = shuffle ? parts.chain((ps) => fc.shuffledSubarray(ps, { minLength: ps.length, maxLength: ps.length })) : parts;
  return ordered.map((ps) => [`CVSS:${version}`, ...ps].join('/'));
}

export const anyCvssVectorArb = (): fc.Arbitrary<string> => fc.oneof(cvssVectorArb('4.0'), cvssVectorArb('3.1'), cvssVectorArb('3.0'));
