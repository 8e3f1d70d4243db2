/**
 * Bounds on what a validator will look at. Schema validation costs grow with nesting (ajv and the
 * CSAF rules recurse), string length (patterns) and array length, so an input past any bound is
 * refused before the schema runs, each excess named by its pointer. The walk is iterative: no input
 * can exhaust the stack here.
 */
import { MAX_PROBLEMS, escapeToken, problem, type Problem } from './problems';

export interface InputLimits {
  /** Largest input, in bytes (UTF-8) for raw input; the service sets it per source. */
  readonly maxBytes: number;
  /** Deepest nesting of arrays and objects (the document itself is depth 1). */
  readonly maxDepth: number;
  /** Longest string, property names included, in UTF-16 code units. */
  readonly maxStringChars: number;
  /** Most items in one array, or properties in one object. */
  readonly maxArrayItems: number;
  /** Most values in the whole document (every object, array, string, number, boolean, null). */
  readonly maxNodes: number;
  /** Problems listed per answer; the rest are counted. */
  readonly maxProblems: number;
}

/**
 * Generous for real documents (the deepest CSAF product trees nest about 20 levels, the longest
 * advisory texts are tens of kilobytes, the KEV catalog has under 2,000 entries and 20,000 values),
 * small enough that validating anything within them takes about a second and bounded memory (ajv
 * keeps every error, a few per value at most). A SARIF log of a large scan is validated run by run
 * or result by result instead.
 */
export const DEFAULT_LIMITS: InputLimits = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxStringChars: 256 * 1024,
  maxArrayItems: 100_000,
  maxNodes: 500_000,
  maxProblems: MAX_PROBLEMS,
};

export function limitsWith(overrides?: Partial<InputLimits>): InputLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

export interface ShapeCheck {
  /** At most `maxProblems` problems. */
  readonly problems: Problem[];
  /** How many were found in all (the walk stops counting at the node limit). */
  readonly total: number;
}

interface Frame {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

/** Walks the value once, breadth-agnostic, and lists every excess over the limits. */
export function checkShape(root: unknown, limits: InputLimits): ShapeCheck {
  const problems: Problem[] = [];
  let total = 0;
  const report = (path: string, message: string): void => {
    total += 1;
    if (problems.length < limits.maxProblems) problems.push(problem(path, message, 'limits'));
  };
  const stack: Frame[] = [{ value: root, path: '', depth: 1 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    nodes += 1;
    if (nodes > limits.maxNodes) {
      report('', `has more than ${limits.maxNodes} values`);
      break;
    }
    if (typeof value === 'string') {
      if (value.length > limits.maxStringChars) report(path, `is longer than ${limits.maxStringChars} characters`);
      continue;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      // A parsed YAML `.inf` or a caller's value: JSON (and the store) has no such number.
      report(path, 'is not a finite number');
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth > limits.maxDepth) {
      report(path, `is nested deeper than ${limits.maxDepth} levels`);
      continue;
    }
    if (Array.isArray(value)) {
      if (value.length > limits.maxArrayItems) {
        report(path, `has more than ${limits.maxArrayItems} items`);
        continue;
      }
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push({ value: value[i], path: `${path}/${i}`, depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(value);
    if (keys.length > limits.maxArrayItems) {
      report(path, `has more than ${limits.maxArrayItems} properties`);
      continue;
    }
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i]!;
      if (key.length > limits.maxStringChars) {
        report(path, `has a property name longer than ${limits.maxStringChars} characters`);
        continue;
      }
      stack.push({ value: (value as Record<string, unknown>)[key], path: `${path}/${escapeToken(key)}`, depth: depth + 1 });
    }
  }
  return { problems, total };
}
