/**
 * `uniqueItems` in linear time. Ajv compares items pairwise when it cannot tell they are scalars
 * (items given by `$ref`, as in CSAF's product id lists and SARIF's artifacts and rules): 100,000
 * items cost five billion comparisons. Here each item is reduced to a canonical key (JSON with
 * sorted property names, so that equal values under JSON Schema's equality get equal keys) and
 * looked up in a map.
 */
import type { Ajv, FuncKeywordDefinition } from 'ajv';

/** Punctuation of the key, told apart from string values on the walk's stack. */
class Literal {
  constructor(readonly text: string) {}
}
const COMMA = new Literal(',');
const CLOSE_ARRAY = new Literal(']');
const CLOSE_OBJECT = new Literal('}');

/** JSON text of a value with object keys sorted; iterative, so depth cannot exhaust the stack. */
export function canonicalKey(value: unknown): string {
  if (typeof value === 'string') return `s${value}`;
  if (value === null || typeof value !== 'object') return `v${JSON.stringify(value)}`;
  const parts: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v instanceof Literal) parts.push(v.text);
    else if (Array.isArray(v)) {
      parts.push('[');
      stack.push(CLOSE_ARRAY);
      for (let i = v.length - 1; i >= 0; i -= 1) stack.push(v[i], ...(i > 0 ? [COMMA] : []));
    } else if (v !== null && typeof v === 'object') {
      parts.push('{');
      stack.push(CLOSE_OBJECT);
      const keys = Object.keys(v).sort();
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        stack.push((v as Record<string, unknown>)[keys[i]!], new Literal(`${i > 0 ? ',' : ''}${JSON.stringify(keys[i])}:`));
      }
    } else parts.push(JSON.stringify(v) ?? 'null');
  }
  return `o${parts.join('')}`;
}

interface KeywordErrors {
  errors?: { keyword: string; message: string; params: Record<string, unknown> }[];
}

function validateUnique(this: unknown, schema: boolean, data: unknown): boolean {
  const self = validateUnique as KeywordErrors;
  self.errors = [];
  if (!schema || !Array.isArray(data)) return true;
  const seen = new Map<string, number>();
  for (let j = 0; j < data.length; j += 1) {
    const key = canonicalKey(data[j]);
    const i = seen.get(key);
    if (i === undefined) seen.set(key, j);
    else self.errors.push({ keyword: 'uniqueItems', message: `must NOT have duplicate items (items ## ${j} and ${i} are identical)`, params: { i: j, j: i } });
  }
  return self.errors.length === 0;
}

const definition: FuncKeywordDefinition = {
  keyword: 'uniqueItems',
  type: 'array',
  schemaType: 'boolean',
  errors: true,
  validate: validateUnique,
};

/** Replaces ajv's own `uniqueItems` on this instance. */
export function useLinearUniqueItems(ajv: Ajv): void {
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword(definition);
}
