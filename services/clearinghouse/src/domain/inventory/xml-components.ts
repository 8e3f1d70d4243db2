/**
 * The components of an XML SBOM (already valid against the XSD) in the shape JSON has them, so one
 * reader (`inventoryOf`) serves both. fast-xml-parser leaves entities alone (no DTD is ever
 * expanded); the five XML entities and character references are decoded here, in the few values
 * read, so `pkg:maven/a/b@1?x=1&amp;y=2` is the purl `...?x=1&y=2`.
 */
import { XMLParser } from 'fast-xml-parser';
import type { CycloneDxComponent } from './entries';

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text with its predefined entities and character references decoded; an unknown or invalid one is kept as written. */
export function decodeXmlText(text: string): string {
  return text.replace(/&(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(lt|gt|amp|quot|apos));/g, (whole, hex: string | undefined, dec: string | undefined, name: string | undefined) => {
    if (name) return NAMED[name]!;
    const code = hex ? Number.parseInt(hex, 16) : Number.parseInt(dec!, 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
  });
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? decodeXmlText(v) : undefined);

function shape(list: unknown): CycloneDxComponent[] {
  return (Array.isArray(list) ? list : []).map((c) => {
    const x = (c !== null && typeof c === 'object' ? c : {}) as Record<string, unknown>;
    const nested = (x.components as { component?: unknown[] } | undefined)?.component;
    return { name: text(x.name), version: text(x.version), purl: text(x.purl), cpe: text(x.cpe), 'bom-ref': text(x['bom-ref']), ...(nested ? { components: shape(nested) } : {}) };
  });
}

/** The `<components>` of a `<bom>` (nested ones too), as JSON has them. */
export function xmlComponents(xml: string): CycloneDxComponent[] {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    removeNSPrefix: true,
    // Every <component> under a <components> is a list, even of one.
    isArray: (name, jpath) => name === 'component' && typeof jpath === 'string' && jpath.endsWith('components.component'),
  });
  const doc = parser.parse(xml) as { bom?: { components?: { component?: unknown[] } } };
  return shape(doc.bom?.components?.component);
}
