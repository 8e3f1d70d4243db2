/**
 * Debian's version order (Debian Policy 5.6.12, as dpkg implements it): `[epoch:]upstream[-revision]`;
 * epochs compare as numbers; upstream and revision compare by alternating non-digit and digit parts,
 * non-digits by a character order where `~` sorts before everything (even the end), then the end,
 * then letters, then other characters; digit parts as numbers.
 */

const VERSION = /^(?:(\d+):)?([0-9][A-Za-z0-9.+~:-]*?)(?:-([A-Za-z0-9.+~]+))?$/;

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

export function parseDebianVersion(text: string): DebianVersion | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  // The upstream part may hold `-` only when there is a revision (the last `-` splits them).
  const upstream = m[2]!;
  if (upstream.includes(':') && m[1] === undefined) return undefined;
  return { epoch: m[1] ? Number(m[1]) : 0, upstream, revision: m[3] ?? '0' };
}

function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c === '~') return -1;
  if (/[A-Za-z]/.test(c)) return c.charCodeAt(0);
  return c.charCodeAt(0) + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefix, character by character.
    while ((i < a.length && !/\d/.test(a[i]!)) || (j < b.length && !/\d/.test(b[j]!))) {
      const ca = i < a.length && !/\d/.test(a[i]!) ? a[i] : undefined;
      const cb = j < b.length && !/\d/.test(b[j]!) ? b[j] : undefined;
      const d = order(ca) - order(cb);
      if (d !== 0) return d < 0 ? -1 : 1;
      if (ca !== undefined) i++;
      if (cb !== undefined) j++;
    }
    // Digit run, as a number (leading zeros ignored).
    let na = '';
    let nb = '';
    while (i < a.length && /\d/.test(a[i]!)) na += a[i++];
    while (j < b.length && /\d/.test(b[j]!)) nb += b[j++];
    const x = na.replace(/^0+/, '');
    const y = nb.replace(/^0+/, '');
    if (x.length !== y.length) return x.length < y.length ? -1 : 1;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export function compareDebianVersions(a: string, b: string): number {
  const [x, y] = [parseDebianVersion(a), parseDebianVersion(b)];
  if (!x || !y) throw new Error(`not a Debian version: ${!x ? a : b}`);
  if (x.epoch !== y.epoch) return x.epoch < y.epoch ? -1 : 1;
  return compareFragment(x.upstream, y.upstream) || compareFragment(x.revision, y.revision);
}
