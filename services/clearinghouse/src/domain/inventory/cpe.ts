/**
 * CPE names (NIST IR 7695): the 2.3 formatted string `cpe:2.3:part:vendor:product:version:...`
 * and the 2.2 URI `cpe:/part:vendor:product:version...`. A component without a purl is matched by
 * the vendor, product and version its CPE names.
 */

export interface Cpe {
  part: 'a' | 'o' | 'h';
  vendor: string;
  product: string;
  /** Absent for ANY (`*`) or NA (`-`). */
  version?: string;
}

export const MAX_CPE = 512;

/** Splits a 2.3 string on `:` not escaped by `\`. */
function fields23(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length) {
      current += text[++i]!;
    } else if (c === ':') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

function percentDecoded(field: string): string | undefined {
  try {
    return decodeURIComponent(field.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
  } catch {
    return undefined;
  }
}

const value = (v: string | undefined): string | undefined => (v === undefined || v === '' || v === '*' || v === '-' ? undefined : v.toLowerCase());

export function parseCpe(text: string): Cpe | undefined {
  if (typeof text !== 'string' || text.length > MAX_CPE) return undefined;
  let parts: string[];
  if (text.startsWith('cpe:2.3:')) {
    parts = fields23(text.slice('cpe:2.3:'.length));
    if (parts.length !== 11) return undefined;
  } else if (/^cpe:\//i.test(text)) {
    // A 2.2 URI is case-insensitive and percent-encodes; bytes that are not UTF-8 make it unreadable.
    const decoded = text.slice('cpe:/'.length).split(':').map(percentDecoded);
    if (decoded.some((p) => p === undefined)) return undefined;
    parts = decoded.map((p) => p!.toLowerCase());
    if (parts.length < 3 || parts.length > 7) return undefined;
  } else return undefined;
  const [part, vendor, product, version] = parts;
  if (part !== 'a' && part !== 'o' && part !== 'h') return undefined;
  const v = value(vendor);
  const p = value(product);
  if (!v || !p) return undefined;
  const ver = value(version);
  return { part, vendor: v, product: p, ...(ver ? { version: ver } : {}) };
}

/** The key a CPE-named component is indexed by (no version): `cpe:<part>:<vendor>:<product>`. */
export function cpeKey(cpe: Cpe): string {
  return `cpe:${cpe.part}:${cpe.vendor}:${cpe.product}`;
}
