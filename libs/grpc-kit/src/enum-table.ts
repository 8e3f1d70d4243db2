/** Between a domain's string literals and a proto enum's numbers, both ways, from one list of pairs. */
export interface EnumTable<D extends string, W extends number> {
  toWire: (value: D) => W;
  /** Undefined for a number the table does not name (UNSPECIFIED, or unknown to this version). */
  fromWire: (value: W) => D | undefined;
}

export function enumTable<D extends string, W extends number>(pairs: readonly (readonly [D, W])[]): EnumTable<D, W> {
  const toWire = new Map<D, W>(pairs);
  const fromWire = new Map<W, D>(pairs.map(([d, w]) => [w, d]));
  return { toWire: (d) => toWire.get(d)!, fromWire: (w) => fromWire.get(w) };
}
