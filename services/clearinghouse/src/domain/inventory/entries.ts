/**
 * An operator's inventory: each component of an asset (from a CycloneDX SBOM, nested components
 * too, or entered by hand) as one entry, keyed as the match index keys it: by purl identity
 * (src/domain/matching `matchKey`), or, for a component without a purl, by its CPE's vendor and
 * product. A component with neither is counted, not refused: it cannot be matched, and the operator
 * is told how many.
 */
import type { FieldViolation } from '@rampart/errors';
import { parsePurl } from '../formats/purl';
import { matchKey } from '../matching';
import { cpeKey, parseCpe, type Cpe } from './cpe';

export interface InventoryEntry {
  /** Where the match index keeps it: a purl identity or a `cpe:` key. */
  key: string;
  /** The purl with its version, canonical, when the component has one. */
  purl?: string;
  version?: string;
  name: string;
  bomRef?: string;
  cpe?: Cpe;
}

export interface Inventory {
  entries: InventoryEntry[];
  /** Components with neither a purl nor a CPE we can read. */
  unmatched: number;
}

/** Components read from one SBOM (all levels); more is refused before anything is stored. */
export const MAX_COMPONENTS = 50_000;
/** How deep components may nest. */
export const MAX_COMPONENT_DEPTH = 32;

/** A CycloneDX component as JSON has it (XML is read into the same shape). */
export interface CycloneDxComponent {
  name?: unknown;
  version?: unknown;
  purl?: unknown;
  cpe?: unknown;
  'bom-ref'?: unknown;
  components?: unknown;
}

/** A non-blank string, trimmed, lone surrogates as U+FFFD (they cannot be percent-encoded or stored as UTF-8). */
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim().replace(/[\ud800-\udfff]/gu, '\ufffd') : undefined);

/** One component as an entry, or undefined when it names neither a purl nor a CPE. */
export function entryOf(c: CycloneDxComponent): InventoryEntry | undefined {
  const name = str(c.name) ?? '';
  const bomRef = str(c['bom-ref']);
  const purlText = str(c.purl);
  const parsed = purlText ? parsePurl(purlText) : undefined;
  const key = purlText ? matchKey(purlText) : undefined;
  if (parsed && key) {
    const version = parsed.version ?? str(c.version);
    // A purl without a version takes the component's: set on the parsed purl, which encodes it.
    if (!parsed.version && version) parsed.version = version;
    const purl = parsed.toString();
    return { key, purl, ...(version ? { version } : {}), name, ...(bomRef ? { bomRef } : {}) };
  }
  const cpeText = str(c.cpe);
  const cpe = cpeText ? parseCpe(cpeText) : undefined;
  if (cpe) {
    const version = cpe.version ?? str(c.version);
    return { key: cpeKey(cpe), ...(version ? { version } : {}), name, ...(bomRef ? { bomRef } : {}), cpe };
  }
  return undefined;
}

/** Every component of a BOM's `components` (and theirs, to MAX_COMPONENT_DEPTH), as an inventory. */
export function inventoryOf(components: unknown, out: FieldViolation[]): Inventory {
  const entries: InventoryEntry[] = [];
  let unmatched = 0;
  let seen = 0;
  const walk = (list: unknown, depth: number, at: string) => {
    if (!Array.isArray(list)) return;
    if (depth > MAX_COMPONENT_DEPTH) {
      out.push({ field: at, description: `components nest deeper than ${MAX_COMPONENT_DEPTH} levels` });
      return;
    }
    for (const [i, c] of list.entries()) {
      if (++seen > MAX_COMPONENTS) return;
      if (c === null || typeof c !== 'object') continue;
      const entry = entryOf(c as CycloneDxComponent);
      if (entry) entries.push(entry);
      else unmatched++;
      walk((c as CycloneDxComponent).components, depth + 1, `${at}[${i}].components`);
    }
  };
  walk(components, 1, 'components');
  if (seen > MAX_COMPONENTS) out.push({ field: 'components', description: `must hold at most ${MAX_COMPONENTS} components in all (got more)` });
  return { entries, unmatched };
}

export interface ProductInput {
  purl?: string;
  cpe?: string;
  name?: string;
}

/** Products an operator without SBOMs enters by hand: each a purl with its version, or a CPE. */
export function enteredProducts(out: FieldViolation[], products: readonly ProductInput[], max = 1_000): Inventory {
  if (products.length === 0) out.push({ field: 'products', description: 'must name at least one product' });
  if (products.length > max) out.push({ field: 'products', description: `must have at most ${max} entries` });
  const entries: InventoryEntry[] = [];
  for (const [i, p] of products.slice(0, max).entries()) {
    const at = `products[${i}]`;
    if (!!p.purl === !!p.cpe) {
      out.push({ field: at, description: 'must give a purl or a cpe, one of them' });
      continue;
    }
    if (p.purl !== undefined && p.purl !== '') {
      const parsed = parsePurl(p.purl);
      if (!parsed) out.push({ field: `${at}.purl`, description: 'must be a package URL (pkg:<type>/<namespace>/<name>@<version>)' });
      else if (!parsed.version) out.push({ field: `${at}.purl`, description: 'must name the version in use (@<version>)' });
    } else if (p.cpe !== undefined && !parseCpe(p.cpe)) {
      out.push({ field: `${at}.cpe`, description: 'must be a CPE 2.3 string (cpe:2.3:a:vendor:product:version:...) or a CPE 2.2 URI naming vendor and product' });
    }
    const entry = entryOf({ name: p.name ?? '', purl: p.purl, cpe: p.cpe });
    if (entry) entries.push(entry);
  }
  return { entries, unmatched: 0 };
}
