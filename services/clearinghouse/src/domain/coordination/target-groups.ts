/**
 * Groups of items whose targets overlap, directly or through other items (connected components
 * of the overlap relation of scan-targets.ts), in O(n log n) rather than comparing every pair:
 * address ranges by a sweep over their sorted intervals, names by their parent domains,
 * repositories by their parent paths.
 */
import { rangeOf } from './addresses';
import { resolveTarget, type ResolvedTarget, type ScanTarget } from './scan-targets';

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    let root = i;
    while (this.parent[root] !== root) root = this.parent[root]!;
    while (this.parent[i] !== root) {
      const next = this.parent[i]!;
      this.parent[i] = root;
      i = next;
    }
    return root;
  }
  union(a: number, b: number): void {
    const ra = this.find(a), rb = this.find(b);
    // The smaller index is the root, so a group is named by its first item.
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** `items` split into groups of overlapping targets; groups and their items in the order given. */
export function overlapGroups<T>(items: readonly T[], targetsOf: (item: T) => readonly ScanTarget[]): T[][] {
  const uf = new UnionFind(items.length);
  const resolved: { i: number; r: ResolvedTarget }[] = items.flatMap((item, i) => targetsOf(item).map((t) => ({ i, r: resolveTarget(t) })));

  for (const version of [4, 6] as const) {
    const ranges = resolved.flatMap(({ i, r }) => (r.kind === 'address' && r.prefix.version === version ? [{ i, range: rangeOf(r.prefix) }] : []));
    ranges.sort((a, b) => (a.range[0] < b.range[0] ? -1 : a.range[0] > b.range[0] ? 1 : 0));
    let current: { i: number; high: bigint } | undefined;
    for (const { i, range: [low, high] } of ranges) {
      if (current && low <= current.high) {
        uf.union(current.i, i);
        if (high > current.high) current.high = high;
      } else {
        current = { i, high };
      }
    }
  }

  const linkByKey = (keys: { i: number; own: string; parents: string[]; covering: boolean }[]) => {
    const exact = new Map<string, number>();
    const covering = new Map<string, number>();
    for (const k of keys) {
      const seen = exact.get(k.own);
      if (seen === undefined) exact.set(k.own, k.i); else uf.union(seen, k.i);
      if (k.covering) {
        const c = covering.get(k.own);
        if (c === undefined) covering.set(k.own, k.i); else uf.union(c, k.i);
      }
    }
    for (const k of keys) for (const p of k.parents) {
      const c = covering.get(p);
      if (c !== undefined) uf.union(c, k.i);
    }
  };
  linkByKey(resolved.flatMap(({ i, r }) => {
    if (r.kind !== 'name') return [];
    const labels = r.name.split('.');
    return [{ i, own: r.name, parents: labels.slice(1).map((_, j) => labels.slice(j + 1).join('.')), covering: r.subdomains }];
  }));
  linkByKey(resolved.flatMap(({ i, r }) => {
    if (r.kind !== 'repository') return [];
    const segments = r.path.split('/');
    // A repository covers the paths under it, so every repository target is "covering".
    return [{ i, own: r.origin + r.path, parents: segments.slice(1, -1).map((_, j) => r.origin + segments.slice(0, j + 2).join('/')), covering: true }];
  }));

  const groups = new Map<number, T[]>();
  items.forEach((item, i) => {
    const root = uf.find(i);
    const group = groups.get(root);
    if (group) group.push(item); else groups.set(root, [item]);
  });
  return [...groups.values()];
}
