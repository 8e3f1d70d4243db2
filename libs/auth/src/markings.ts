/**
 * Marked values and the one redaction every response and event goes through.
 *
 * The rule (../shared/DESIGN.md): each stored field that is not UNCLASSIFIED carries its marking;
 * responses and events are redacted to the reader's clearance (an event to its stream's ceiling);
 * a derived value carries the highest marking of what it derives from.
 *
 * A service describes each record once, as a tree whose values are wrapped in `marked(...)` where
 * they are born, and derives markings with `highestMarking`. `redact` walks that tree against a
 * clearance: what is marked above it is left out and its path named in `redactedFields`, so a
 * reader knows something was withheld without learning what. A slot is named whether or not it
 * holds a value, so the list itself tells nothing about the withheld value.
 */
import { CLEARANCES, clearanceAtLeast, type Clearance, type Marking } from './roles';

const MARKED: unique symbol = Symbol('marked');

/** A value and its marking. Plain values inside inherit the nearest marking around them. */
export interface Marked<T> {
  readonly [MARKED]: true;
  readonly marking: Marking;
  readonly value: T;
}

export function marked<T>(marking: Marking, value: T): Marked<T> {
  return { [MARKED]: true, marking, value };
}

export function isMarked(value: unknown): value is Marked<unknown> {
  return typeof value === 'object' && value !== null && MARKED in value;
}

/** `f` applied inside `m`, keeping its marking: a projection tells no more than what it projects. */
export function mapMarked<T, U>(m: Marked<T>, f: (value: T) => U): Marked<U> {
  return marked(m.marking, f(m.value));
}

/** Marks every property of `fields` alike: `{ a: marked(m, fields.a), ... }`. */
export function markEach<T extends object>(marking: Marking, fields: T): { [K in keyof T]: Marked<T[K]> } {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, marked(marking, v)])) as { [K in keyof T]: Marked<T[K]> };
}

/** The highest of `markings` (UNCLASSIFIED for none): the marking of a value derived from them. */
export function highestMarking(...markings: Marking[]): Marking {
  return markings.reduce<Marking>((high, m) => (CLEARANCES.indexOf(m) > CLEARANCES.indexOf(high) ? m : high), 'UNCLASSIFIED');
}

type Leaf = string | number | boolean | bigint | symbol | null | undefined | Date | Uint8Array;

/** A marked tree as a reader sees it: every marked value unwrapped, or undefined when withheld. */
export type Revealed<T> =
  T extends Marked<infer V> ? Revealed<V> | undefined
    : T extends Leaf ? T
      : T extends readonly (infer E)[] ? RevealedElement<E>[]
        : { [K in keyof T]: Revealed<T[K]> };
/** A withheld array element is dropped, not left as a hole. */
type RevealedElement<E> = E extends Marked<infer V> ? Revealed<V> : Revealed<E>;

export interface Redacted<T> {
  value: Revealed<T>;
  /** Paths withheld, dot-separated, array elements under their array's path. */
  redactedFields: string[];
}

const WITHHELD = Symbol('withheld');

/** `record` as a reader at `clearance` may see it, and what was withheld. */
export function redact<T>(record: T, clearance: Clearance): Redacted<T> {
  const withheld = new Set<string>();
  const walk = (node: unknown, path: string): unknown => {
    if (isMarked(node)) {
      if (!clearanceAtLeast(clearance, node.marking)) {
        withheld.add(path);
        return WITHHELD;
      }
      return walk(node.value, path);
    }
    if (Array.isArray(node)) return node.map((item) => walk(item, path)).filter((item) => item !== WITHHELD);
    if (isPlainObject(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        const value = walk(child, path ? `${path}.${key}` : key);
        if (value !== WITHHELD) out[key] = value;
      }
      return out;
    }
    return node;
  };
  const value = walk(record, '');
  return { value: (value === WITHHELD ? undefined : value) as Revealed<T>, redactedFields: [...withheld] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
