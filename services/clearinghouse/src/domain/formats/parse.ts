/**
 * From bytes as received to a JSON value, within the size limit, naming what is wrong. JSON for
 * every format; YAML for OSV records kept as YAML (the PyPA advisory database). Nothing here
 * throws on any input.
 */
import { parseDocument, type ScalarTag, type Tags } from 'yaml';
import type { InputLimits } from './limits';
import { bounded, problem, type Problem } from './problems';

/** What a validator accepts: the bytes (or text) as received, or a value already parsed by the caller. */
export type FormatInput = string | Uint8Array | { readonly parsed: unknown };

export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly errors: Problem[] };

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function sizeProblem(bytes: number, limits: InputLimits): Problem[] {
  return bytes > limits.maxBytes ? [problem('', `is ${bytes} bytes, more than the ${limits.maxBytes} allowed`, 'limits')] : [];
}

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The text of raw input, or why there is none (too large, not UTF-8). */
export function textOf(input: string | Uint8Array, limits: InputLimits): { ok: true; text: string } | { ok: false; errors: Problem[] } {
  if (typeof input === 'string') {
    // A string's UTF-8 form is at most three bytes per UTF-16 unit: measure only when that could exceed the limit.
    const size = input.length * 3 <= limits.maxBytes ? 0 : utf8Length(input);
    const tooBig = sizeProblem(size, limits);
    return tooBig.length > 0 ? { ok: false, errors: tooBig } : { ok: true, text: input };
  }
  const tooBig = sizeProblem(input.byteLength, limits);
  if (tooBig.length > 0) return { ok: false, errors: tooBig };
  try {
    return { ok: true, text: decoder.decode(input) };
  } catch {
    return { ok: false, errors: [problem('', 'is not valid UTF-8', 'syntax')] };
  }
}

/** Line and column (1-based) of a character offset, for syntax messages. */
function lineAndColumn(text: string, offset: number): string {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i += 1) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      start = i + 1;
    }
  }
  return `line ${line}, column ${end - start + 1}`;
}

export function parseJson(input: string | Uint8Array, limits: InputLimits): Parsed {
  const text = textOf(input, limits);
  if (!text.ok) return text;
  try {
    // A leading byte order mark is allowed by RFC 8259 section 8.1 to be ignored.
    return { ok: true, value: JSON.parse(text.text.startsWith('\uFEFF') ? text.text.slice(1) : text.text) as unknown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    const where = at ? ` (${lineAndColumn(text.text, Number(at[1]))})` : '';
    return { ok: false, errors: [problem('', `is not JSON: ${bounded(message, 200)}${where}`, 'syntax')] };
  }
}

/**
 * YAML as PyYAML writes and reads it (the PyPA and OSV databases are written by Python tools):
 * YAML 1.1 (`no` is false), PyYAML's float rule (an unquoted Git hash such as `1234e5678` stays
 * text; YAML 1.2 and the yaml package's 1.1 read it as a number), and timestamps kept as text, as
 * OSV wants them. Aliases are capped so a "billion laughs" document
 * cannot expand. Every syntax error is listed.
 */
const FLOAT_TAG = 'tag:yaml.org,2002:float';

/**
 * PyYAML's float: a dot is required and an exponent needs its sign, so `1234e5678` (a Git hash) is
 * text; `.inf` and `.nan` are numbers JSON cannot hold, refused later as such.
 */
const pyyamlFloat: ScalarTag = {
  tag: FLOAT_TAG,
  default: true,
  test: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (text) => {
    const t = text.replace(/_/g, '');
    if (/\.nan$/i.test(t)) return Number.NaN;
    if (/\.inf$/i.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(t);
  },
};

/** YAML 1.1 as PyYAML resolves it, but timestamps stay text. */
function pyyamlTags(tags: Tags): Tags {
  return [...tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.tag !== FLOAT_TAG)), pyyamlFloat];
}

export function parseYaml(input: string | Uint8Array, limits: InputLimits): Parsed {
  const text = textOf(input, limits);
  if (!text.ok) return text;
  try {
    const doc = parseDocument(text.text, { version: '1.1', customTags: pyyamlTags, uniqueKeys: true, prettyErrors: false, strict: true });
    if (doc.errors.length > 0) {
      return {
        ok: false,
        errors: doc.errors.slice(0, limits.maxProblems).map((e) => {
          const offset = e.pos[0];
          return problem('', `is not YAML: ${bounded(e.message.split('\n')[0] ?? e.code, 200)} (${lineAndColumn(text.text, offset)})`, 'syntax');
        }),
      };
    }
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (error) {
    return { ok: false, errors: [problem('', `is not YAML: ${bounded(error instanceof Error ? error.message : String(error), 200)}`, 'syntax')] };
  }
}

/** The value of any input: parsed here when raw (JSON), or as the caller parsed it. */
export function valueOf(input: FormatInput, limits: InputLimits): Parsed {
  if (typeof input === 'string' || input instanceof Uint8Array) return parseJson(input, limits);
  return { ok: true, value: input.parsed };
}
