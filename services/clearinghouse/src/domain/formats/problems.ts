/**
 * What a format validator says about an input: every problem at once, each with the RFC 6901 JSON
 * pointer of the value it concerns. Lists are capped so that a hostile input with a million errors
 * gets a bounded answer, whose last entry says how many were left out.
 */

export interface Problem {
  /** RFC 6901 pointer into the input, '' for the whole document. */
  readonly pointer: string;
  readonly message: string;
  /** The rule that found it: 'schema', 'limits', 'syntax', a CSAF test id ('6.1.21'), an OSV lint code ('RNG:002'), ... */
  readonly rule?: string;
}

/** Problems kept per list; the rest are counted. */
export const MAX_PROBLEMS = 1_000;

export type Validation<T> =
  | {
      readonly ok: true;
      /** The parsed document, for the canonical form. */
      readonly document: T;
      readonly errors: readonly [];
      readonly warnings: readonly Problem[];
      readonly errorCount: 0;
      /** How many warnings were found, including those left out of `warnings`. */
      readonly warningCount: number;
    }
  | {
      readonly ok: false;
      readonly errors: readonly Problem[];
      readonly warnings: readonly Problem[];
      /** How many errors were found, including those left out of `errors`. */
      readonly errorCount: number;
      readonly warningCount: number;
    };

/** The first `max` problems and, when there were more, one last entry saying how many more. */
export function capProblems(problems: readonly Problem[], max = MAX_PROBLEMS, noun = 'problems'): Problem[] {
  if (problems.length <= max) return [...problems];
  const more = problems.length - max;
  return [...problems.slice(0, max), { pointer: '', message: `and ${more} more ${noun}`, rule: 'limits' }];
}

/** Folds errors and warnings into a verdict: accepted when there is no error. */
export function verdict<T>(document: unknown, errors: readonly Problem[], warnings: readonly Problem[], max = MAX_PROBLEMS): Validation<T> {
  const uniqueWarnings = dedupe(warnings);
  const keptWarnings = capProblems(uniqueWarnings, max, 'warnings');
  const warningCount = uniqueWarnings.length;
  if (errors.length === 0) return { ok: true, document: document as T, errors: [], warnings: keptWarnings, errorCount: 0, warningCount };
  const unique = dedupe(errors);
  return { ok: false, errors: capProblems(unique, max, 'errors'), warnings: keptWarnings, errorCount: unique.length, warningCount };
}

/** A refusal whose problems were already capped by their finder, which counted `total`. */
export function refusal<T>(kept: readonly Problem[], total: number, max = MAX_PROBLEMS): Validation<T> {
  const errors = kept.slice(0, max);
  const more = total - errors.length;
  if (more > 0) errors.push({ pointer: '', message: `and ${more} more errors`, rule: 'limits' });
  return { ok: false, errors, warnings: [], errorCount: total, warningCount: 0 };
}

/** Schemas reached through several paths (oneOf branches, shared definitions) report one error more than once. */
function dedupe(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  for (const p of problems) {
    const key = `${p.pointer}\u0000${p.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/** One reference token of a JSON pointer (RFC 6901 section 3: `~` as `~0`, `/` as `~1`). */
export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => `/${escapeToken(t)}`).join('');
}

/** Longest message kept: a message may quote the input (a property name, a value). */
const MAX_MESSAGE_CHARS = 500;
const MAX_POINTER_CHARS = 1_000;

export function bounded(text: string, max = MAX_MESSAGE_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function problem(pointerText: string, message: string, rule?: string): Problem {
  return { pointer: bounded(pointerText, MAX_POINTER_CHARS), message: bounded(message), ...(rule !== undefined ? { rule } : {}) };
}
