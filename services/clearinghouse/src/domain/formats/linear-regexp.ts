/**
 * Schema patterns run on re2js (RE2's linear-time engine) instead of V8's backtracking one. Two
 * SARIF patterns (`[^/]+/.+` for mimeType, `[0-9]+(\.[0-9]+){3}` for dottedQuadFileVersion) are
 * unanchored and take quadratic time on a long string without a match: 16 s for 100,000 characters
 * on V8. RE2 is linear on every input.
 *
 * JSON Schema patterns are ECMA-262 regular expressions. RE2's `.` and `\s` differ from ECMA's
 * (`.` there matches `\r`, U+2028 and U+2029; `\s` omits U+00A0, U+FEFF and the other Unicode
 * spaces), so those are spelled out in ECMA's terms before re2js translates the rest of the syntax.
 */
import { RE2JS } from 're2js';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types';

/** ECMA-262 WhiteSpace and LineTerminator, as the contents of a character class. */
const ECMA_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
/** What ECMA's `.` does not match (without the `s` flag). */
const ECMA_LINE_TERMINATORS = '\\n\\r\\u2028\\u2029';

/** Rewrites `.`, `\s` and `\S` of an ECMA pattern into forms RE2 reads the same way. */
export function ecmaToRe2Semantics(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i += 1) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      const next = pattern[i + 1]!;
      i += 1;
      if (next === 's') out += inClass ? ECMA_SPACE : `[${ECMA_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${ECMA_SPACE}]`;
      else if (next === 'S' && inClass && out.endsWith('[') && pattern[i + 1] === ']') {
        // `[\S]` alone (the CSAF schema's form): the negated class.
        out = `${out}^${ECMA_SPACE}`;
      } else out += `\\${next}`;
      continue;
    }
    if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    out += ch === '.' ? `[^${ECMA_LINE_TERMINATORS}]` : ch;
  }
  return out;
}

/** Compiles a schema pattern for linear-time search (ajv's `pattern` is a search, not a full match). */
export function compileLinear(pattern: string): RegExpLike {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(ecmaToRe2Semantics(pattern)));
  } catch {
    // A construct RE2 lacks (lookaround, backreference): none of the bundled schemas has one, and a
    // schema is never user input, so V8's engine is the faithful fallback.
    return new RegExp(pattern, 'u');
  }
  // Ajv caches compiled patterns by `toString()`: it must differ per pattern.
  const linear: RegExpLike & { toString(): string } = { test: (s: string) => compiled.test(s), toString: () => `re2:/${pattern}/` };
  return linear;
}

/** The engine ajv's `code.regExp` option takes; `code` only matters for standalone code, unused here. */
export const linearRegExp: RegExpEngine = Object.assign((pattern: string) => compileLinear(pattern), { code: 'require("re2js")' });
