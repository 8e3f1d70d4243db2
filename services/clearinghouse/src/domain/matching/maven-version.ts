/**
 * Maven's version order (org.apache.maven.artifact.versioning.ComparableVersion, Maven 3.8/3.9, and
 * the "Version Order Specification" of the POM reference). No well-kept npm implementation exists
 * (the one published, mvncmp, is a single unmaintained release without a repository), so it is
 * written here from the specification and checked against every case of Maven's own
 * ComparableVersionTest (test/matching-orders.test.ts).
 *
 * A version is lower-cased and split into a list of items: `.` separates items, `-` and a change
 * between digits and letters open a sub-list. Numbers compare as numbers (any length); qualifiers as
 * alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < anything else
 * (alphabetically); `a1`, `b1`, `m1` are alpha, beta, milestone when a digit follows. Each list drops
 * its trailing "null" items (0, "", empty lists), looking past non-null sub-lists, so 1.0-1 = 1-1.
 * Across kinds: a number beats a list, which beats a qualifier.
 */

type Item = { kind: 'int'; digits: string } | { kind: 'str'; rank: string } | { kind: 'list'; items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
const SHORTHANDS: Readonly<Record<string, string>> = { a: 'alpha', b: 'beta', m: 'milestone' };
const RELEASE = String(QUALIFIERS.indexOf(''));

/** Known qualifiers by their place; unknown ones after all of them, alphabetically. */
function rank(qualifier: string): string {
  const i = QUALIFIERS.indexOf(qualifier);
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${qualifier}`;
}

function stringItem(text: string, followedByDigit: boolean): Item {
  const expanded = followedByDigit && text.length === 1 ? (SHORTHANDS[text] ?? text) : text;
  return { kind: 'str', rank: rank(ALIASES[expanded] ?? expanded) };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', digits: text.replace(/^0+/, '') } : stringItem(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === 'int') return item.digits === '';
  if (item.kind === 'str') return item.rank === RELEASE;
  return item.items.length === 0;
}

function normalise(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i]!;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

const ZERO: Item = { kind: 'int', digits: '' };

export function parseMavenVersion(version: string): Item {
  const text = version.toLowerCase();
  const root: Item & { kind: 'list' } = { kind: 'list', items: [] };
  let current = root;
  const stack = [root];
  const openSublist = (): void => {
    const sub: Item & { kind: 'list' } = { kind: 'list', items: [] };
    current.items.push(sub);
    current = sub;
    stack.push(sub);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const digit = c >= '0' && c <= '9';
    if (c === '.' || c === '-') {
      current.items.push(i === start ? ZERO : parseItem(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === '-') openSublist();
    } else if (digit) {
      // "x1": the letters end, a sub-list starts at the digits.
      if (!isDigit && i > start) {
        current.items.push(stringItem(text.slice(start, i), true));
        start = i;
        openSublist();
      }
      isDigit = true;
    } else {
      // "1x": the number ends, a sub-list starts at the letters.
      if (isDigit && i > start) {
        current.items.push(parseItem(true, text.slice(start, i)));
        start = i;
        openSublist();
      }
      isDigit = false;
    }
  }
  if (text.length > start) current.items.push(parseItem(isDigit, text.slice(start)));
  while (stack.length > 0) normalise(stack.pop()!.items);
  return root;
}

const sign = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareItems(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'int':
      if (b === undefined) return a.digits === '' ? 0 : 1;
      if (b.kind === 'int') return a.digits.length !== b.digits.length ? (a.digits.length < b.digits.length ? -1 : 1) : sign(a.digits, b.digits);
      return 1;
    case 'str':
      if (b === undefined) return sign(a.rank, RELEASE);
      if (b.kind === 'str') return sign(a.rank, b.rank);
      return -1;
    case 'list':
      if (b === undefined) {
        // The whole list against nothing, not only its first item (MNG-6964: 1-0.alpha < 1).
        for (const item of a.items) {
          const c = compareItems(item, undefined);
          if (c !== 0) return c;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'str') return 1;
      for (let i = 0; i < Math.max(a.items.length, b.items.length); i++) {
        const [x, y] = [a.items[i], b.items[i]];
        const c = x === undefined ? -compareItems(y!, undefined) : compareItems(x, y);
        if (c !== 0) return c;
      }
      return 0;
  }
}

export function compareMavenVersions(a: string, b: string): number {
  return compareItems(parseMavenVersion(a), parseMavenVersion(b));
}
