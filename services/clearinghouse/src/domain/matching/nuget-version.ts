/**
 * NuGet's version order: SemVer 2.0 (`major.minor.patch[-pre][+build]`) with a fourth numeric part
 * for legacy versions (`1.0.0.1`), missing parts being 0 (`1.0` = `1.0.0` = `1.0.0.0`); pre-release
 * labels compare as SemVer's, case-insensitively; build metadata is ignored.
 */

const VERSION = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]*)?$/;

export function parseNugetVersion(text: string): { numbers: number[]; pre: string[] } | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { numbers: [1, 2, 3, 4].map((i) => Number(m[i] ?? 0)), pre: m[5] ? m[5].toLowerCase().split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 0 : a.length === 0 ? 1 : -1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i], b[i]];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const [nx, ny] = [/^\d+$/.test(x), /^\d+$/.test(y)];
    if (nx && ny && Number(x) !== Number(y)) return Number(x) < Number(y) ? -1 : 1;
    if (nx !== ny) return nx ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compareNugetVersions(a: string, b: string): number {
  const [x, y] = [parseNugetVersion(a), parseNugetVersion(b)];
  if (!x || !y) throw new Error(`not a NuGet version: ${!x ? a : b}`);
  for (let i = 0; i < 4; i++) if (x.numbers[i] !== y.numbers[i]) return x.numbers[i]! < y.numbers[i]! ? -1 : 1;
  return comparePre(x.pre, y.pre);
}
