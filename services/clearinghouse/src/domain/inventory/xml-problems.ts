/**
 * What libxml2 (xmllint) says about an XML SBOM, as problems an operator can act on: the line, the
 * message without the XSD namespace noise, bounded (an SPDX licence enumeration quotes hundreds of
 * ids), and the XPath of the element at fault, `/bom/components[1]/component[3]/@type`, found by
 * walking the document's tags to that line. xmllint gives no column; when several elements of the
 * named kind start on that line (a minified document) the path would be a guess, so it is left
 * out ('' pointer) and the line alone locates the error.
 */
import { bounded, problem, type Problem } from '../formats/problems';

/** One line of xmllint's error output, as xmllint-wasm splits it. */
export interface XmlLintError {
  readonly message: string;
  readonly line?: number;
}

/** Tags, comments, CDATA, processing instructions, declarations; attribute values may hold `>`. */
const TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!(?:[^>"']|"[^"]*"|'[^']*')*>|<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"'/]|"[^"]*"|'[^']*'|\/(?!>))*)(\/?)>/g;

interface Frame {
  readonly path: string;
  readonly children: Map<string, number>;
}

interface Candidate {
  readonly name: string;
  readonly path: string;
}

const localName = (qualified: string): string => qualified.slice(qualified.lastIndexOf(':') + 1);

/**
 * The elements whose start tag spans each wanted line, with their XPath. One pass over the text up
 * to the last wanted line. Only called on a well-formed document (schema errors), so every comment
 * and CDATA section ends and the scan is linear.
 */
export function elementsOnLines(text: string, lines: ReadonlySet<number>): Map<number, Candidate[]> {
  const found = new Map<number, Candidate[]>();
  if (lines.size === 0) return found;
  const last = Math.max(...lines);
  const stack: Frame[] = [{ path: '', children: new Map() }];
  let line = 1;
  let counted = 0;
  const advanceTo = (index: number) => {
    for (let i = counted; i < index; i++) if (text.charCodeAt(i) === 10) line++;
    counted = Math.max(counted, index);
  };
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(text); m; m = TOKEN.exec(text)) {
    advanceTo(m.index);
    if (line > last) break;
    const startLine = line;
    advanceTo(m.index + m[0].length);
    const [, closing, qualified, , selfClosing] = m;
    if (qualified === undefined) continue;
    const name = localName(qualified);
    if (closing) {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const parent = stack[stack.length - 1]!;
    const n = (parent.children.get(name) ?? 0) + 1;
    parent.children.set(name, n);
    const path = stack.length === 1 ? `/${name}` : `${parent.path}/${name}[${n}]`;
    for (let l = startLine; l <= line; l++) {
      if (lines.has(l)) found.set(l, [...(found.get(l) ?? []), { name, path }]);
    }
    if (!selfClosing) stack.push({ path, children: new Map() });
  }
  return found;
}

const SUBJECT = /^Element '(?:\{[^}]*\})?([^']+)'(?:, attribute '(?:\{[^}]*\})?([^']+)')?/;

/** xmllint's message, shorn of its prefix and of `{namespace}` before every name. */
export function plainXmlMessage(raw: string): string {
  return raw.replace(/^Schemas validity error : /, '').replace(/\{http:\/\/cyclonedx\.org\/schema\/[^}]*\}/g, '');
}

/** Every xmllint error as a problem: `line N: message`, pointer the XPath when it is certain. */
export function xmlSchemaProblems(text: string, errors: readonly XmlLintError[]): Problem[] {
  // Paths only for a well-formed document: a parser error means the tags cannot be trusted.
  const wellFormed = errors.every((e) => e.message.startsWith('Schemas validity error'));
  const lines = new Set(wellFormed ? errors.flatMap((e) => (e.line ? [e.line] : [])) : []);
  const onLine = elementsOnLines(text, lines);
  return errors.map((e) => {
    const message = plainXmlMessage(e.message);
    const subject = SUBJECT.exec(message);
    let at = '';
    if (subject && e.line) {
      const candidates = (onLine.get(e.line) ?? []).filter((c) => c.name === subject[1]);
      if (candidates.length === 1) at = subject[2] ? `${candidates[0]!.path}/@${subject[2]}` : candidates[0]!.path;
    }
    return problem(at, bounded(e.line ? `line ${e.line}: ${message}` : message), e.message.startsWith('Schemas validity error') ? 'schema' : 'syntax');
  });
}
