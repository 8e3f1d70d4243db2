/**
 * Caps checked before an SBOM's schema runs: schema validation is the costly step (ajv over every
 * value; libxml2 in WebAssembly with a memory ceiling), so an over-large document, one with too many
 * or too deeply nested components, or an XML document with a DTD (entity expansion, external
 * fetches) is refused first, each excess named.
 */
import { limitsWith, type InputLimits } from '../formats/limits';
import { pointer, problem, type Problem } from '../formats/problems';
import { MAX_COMPONENT_DEPTH, MAX_COMPONENTS } from './entries';

/** The largest SBOM accepted, in bytes (a hospital's whole estate fits; a zip bomb does not). */
export const MAX_SBOM_BYTES = 16 * 1024 * 1024;

/**
 * A JSON SBOM's shape: MAX_COMPONENT_DEPTH levels of components, each an object in an array, and a
 * few levels inside a component; values enough for MAX_COMPONENTS richly described components.
 */
export const SBOM_JSON_LIMITS: InputLimits = limitsWith({ maxBytes: MAX_SBOM_BYTES, maxDepth: 2 * MAX_COMPONENT_DEPTH + 32, maxNodes: 4_000_000, maxArrayItems: MAX_COMPONENTS });

const tooMany = (at: string): Problem => problem(at, `must hold at most ${MAX_COMPONENTS} components in all, nested ones included`, 'limits');

/** Too many components, or nested too deep, in a parsed JSON SBOM. Iterative: no input exhausts the stack. */
export function jsonComponentProblems(components: unknown): Problem[] {
  const problems: Problem[] = [];
  const stack: { list: unknown; depth: number; at: string[] }[] = [{ list: components, depth: 1, at: ['components'] }];
  let seen = 0;
  while (stack.length > 0) {
    const { list, depth, at } = stack.pop()!;
    if (!Array.isArray(list)) continue;
    if (depth > MAX_COMPONENT_DEPTH) {
      problems.push(problem(pointer(...at), `components nest deeper than ${MAX_COMPONENT_DEPTH} levels`, 'limits'));
      continue;
    }
    seen += list.length;
    if (seen > MAX_COMPONENTS) return [tooMany('/components')];
    list.forEach((c: unknown, i) => {
      if (c !== null && typeof c === 'object' && 'components' in c) stack.push({ list: c.components, depth: depth + 1, at: [...at, String(i), 'components'] });
    });
  }
  return problems.slice(0, 100);
}

const COMPONENT_TAG = /<(?:[A-Za-z_][\w.-]*:)?component(?=[\s/>])/g;

/** An XML SBOM's DTD (refused: CycloneDX has none) or too many `<component>` elements, counted without parsing. */
export function xmlPrecheckProblems(xml: string): Problem[] {
  if (/<!DOCTYPE/i.test(xml)) return [problem('', 'must not have a DOCTYPE (CycloneDX XML has no DTD)', 'limits')];
  let count = 0;
  COMPONENT_TAG.lastIndex = 0;
  while (COMPONENT_TAG.exec(xml)) if (++count > MAX_COMPONENTS) return [tooMany('/bom/components')];
  return [];
}
