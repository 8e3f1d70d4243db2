/**
 * Maven's version order (org.apache.maven.artifact.versioning.ComparableVersion, as documented in
 * Maven's "Version Order Specification"): a version is split at `.`, `-` and digit/letter changes
 * into numbers and qualifiers; trailing zero-like items are dropped; qualifiers order
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp, unknown
 * qualifiers after those, alphabetically; `a1`, `b1`, `m1` are alpha-1, beta-1, milestone-1.
 * A `-` starts a sub-list, which sorts before a number and after a qualifier at the same place.
 */

type Item = number | string | Item[];

const ALIASES: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', m: 'milestone', cr: 'rc', ga: '', final: '', release: '' };
const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];

function qualifierRank(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  // Known qualifiers by their place; unknown ones after all of them, alphabetically.
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${q}`;
}

function normalise(list: Item[]): Item[] {
  // Drop trailing "null" items (0, "", empty lists) from each list: 1.0.0 = 1 = 1-ga.
  while (list.length > 0) {
    const last = list[list.length - 1]!;
    if (last === 0 || last === '' || (Array.isArray(last) && last.length === 0)) list.pop();
    else break;
  }
  return list;
}

export function parseMavenVersion(version: string): Item[] {
  const text = version.trim().toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let token = '';
  let digit = false;
  const push = (isDigit: boolean, followedByDigit: boolean) => {
    if (isDigit) list.push(token === '' ? 0 : Number(token));
    else {
      // A single letter followed by a digit is a shorthand: a1 = alpha-1.
      const q = token.length === 1 && followedByDigit && ALIASES[token] !== undefined ? ALIASES[token]! : ALIASES[token] ?? token;
      list.push(q);
    }
    token = '';
  };
  // A `-`, and a change between digits and letters, start a sub-list at this place.
  const startSublist = () => {
    const sub: Item[] = [];
    list.push(sub);
    list = sub;
    stack.push(sub);
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const isDigit = c >= '0' && c <= '9';
    if (c === '.' || c === '-') {
      push(digit, false);
      digit = false;
      if (c === '-') startSublist();
    } else if (isDigit !== digit && token !== '') {
      push(digit, isDigit);
      startSublist();
      digit = isDigit;
      token += c;
    } else {
      digit = isDigit;
      token += c;
    }
  }
  if (token !== '') push(digit, false);
  for (let i = stack.length - 1; i >= 0; i--) normalise(stack[i]!);
  return root;
}

function compareItem(a: Item | undefined, b: Item | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return -compareItem(b, undefined);
  if (typeof a === 'number') {
    if (b === undefined) return a === 0 ? 0 : 1;
    if (typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
    return 1; // a number is newer than a qualifier or a list
  }
  if (typeof a === 'string') {
    if (b === undefined) return compareStrings(qualifierRank(a), qualifierRank(''));
    if (typeof b === 'number') return -1;
    if (typeof b === 'string') return compareStrings(qualifierRank(a), qualifierRank(b));
    return -1; // a qualifier is older than a list
  }
  if (b === undefined) return a.length === 0 ? 0 : compareItem(a[0], undefined);
  if (typeof b === 'number') return -1;
  if (typeof b === 'string') return 1;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const c = compareItem(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareMavenVersions(a: string, b: string): number {
  const [x, y] = [parseMavenVersion(a), parseMavenVersion(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const c = compareItem(x[i], y[i]);
    if (c !== 0) return c;
  }
  return 0;
}
