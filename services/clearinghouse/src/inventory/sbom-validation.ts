/**
 * CycloneDX 1.6 SBOMs checked against the official schemas, every error listed: JSON by ajv with
 * every error (the CycloneDX library's own JSON validator stops at the first) over the 1.6 schema
 * copied in assets/schemas/cyclonedx, XML by libxml2 (compiled to WebAssembly, xmllint-wasm: no
 * native build) over the XSDs the CycloneDX library ships. Then the components are read
 * (src/domain/inventory). Not pure: it loads schemas and runs the validators.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { validateXML } from 'xmllint-wasm';
import type { FieldViolation } from '@rampart/errors';
import { capProblems, type Problem } from '../domain/formats/problems';
import { createAjv, lazily, problemOf } from '../domain/formats/schema-engine';
import { SCHEMA_ASSETS_DIR } from '../assets/schemas';
import { inventoryOf, type Inventory } from '../domain/inventory';

export type SbomFormat = 'json' | 'xml';

/** The largest SBOM accepted, in bytes (a hospital's whole estate fits; a zip bomb does not). */
export const MAX_SBOM_BYTES = 16 * 1024 * 1024;

export type SbomReading = { ok: true; inventory: Inventory; specVersion: string; violations: FieldViolation[] } | { ok: false; errors: Problem[] };

/** The 1.6 schema with those it references, compiled on first use. */
const jsonValidator = lazily(() => {
  const ajv = createAjv('draft-07');
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_ASSETS_DIR, 'cyclonedx', f), 'utf8')) as object;
  ajv.addSchema(read('spdx.schema.json'));
  ajv.addSchema(read('jsf-0.82.schema.json'));
  return ajv.compile(read('bom-1.6.schema.json'));
});
let xsd: { schema: { fileName: string; contents: string }[]; preload: { fileName: string; contents: string }[] } | undefined;

function schemaDir(): string {
  return path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
}

function xmlSchemas() {
  if (!xsd) {
    const read = (f: string) => ({ fileName: f, contents: fs.readFileSync(path.join(schemaDir(), f), 'utf8') });
    xsd = { schema: [read('bom-1.6.SNAPSHOT.xsd')], preload: [read('spdx.SNAPSHOT.xsd')] };
  }
  return xsd;
}

function jsonProblems(document: unknown): Problem[] {
  const validate = jsonValidator();
  return validate(document) ? [] : (validate.errors ?? []).map(problemOf);
}

async function xmlProblems(text: string): Promise<Problem[]> {
  const result = await validateXML({ xml: [{ fileName: 'sbom.xml', contents: text }], ...xmlSchemas() });
  return result.valid ? [] : result.errors.map((e) => ({ pointer: '', message: e.loc ? `line ${e.loc.lineNumber}: ${e.message}` : e.message, rule: 'schema' }));
}

const XML_ARRAYS = new Set(['bom.components.component', 'component.components.component']);

/** The components of a valid XML BOM, in the JSON shape (name, version, purl, cpe, bom-ref, components). */
function xmlComponents(text: string): unknown {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    processEntities: false,
    parseTagValue: false,
    // Every <component> under a <components> is a list, even of one.
    isArray: (name, jpath) => name === 'component' && (typeof jpath !== 'string' || XML_ARRAYS.has(jpath) || jpath.endsWith('.components.component')),
  });
  const doc = parser.parse(text) as { bom?: { components?: { component?: unknown[] } } };
  const shape = (list: unknown): unknown[] =>
    (Array.isArray(list) ? list : []).map((c) => {
      const x = (c ?? {}) as Record<string, unknown>;
      const nested = (x.components as { component?: unknown[] } | undefined)?.component;
      return { name: x.name, version: x.version, purl: x.purl, cpe: x.cpe, 'bom-ref': x['bom-ref'], ...(nested ? { components: shape(nested) } : {}) };
    });
  return shape(doc.bom?.components?.component);
}

/** Checks an SBOM (JSON or XML) and reads its inventory; every schema error at once when it is not valid. */
export async function readSbom(bytes: Buffer, format: SbomFormat): Promise<SbomReading> {
  if (bytes.length === 0) return { ok: false, errors: [{ pointer: '', message: 'is empty', rule: 'limits' }] };
  if (bytes.length > MAX_SBOM_BYTES) return { ok: false, errors: [{ pointer: '', message: `is larger than ${MAX_SBOM_BYTES} bytes`, rule: 'limits' }] };
  const text = bytes.toString('utf8');
  if (format === 'json') {
    let parsed: { specVersion?: unknown; components?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      return { ok: false, errors: [{ pointer: '', message: `is not JSON: ${(error as Error).message}`, rule: 'syntax' }] };
    }
    const problems = jsonProblems(parsed);
    if (problems.length) return { ok: false, errors: capProblems(problems) };
    const violations: FieldViolation[] = [];
    return { ok: true, inventory: inventoryOf(parsed.components, violations), specVersion: String(parsed.specVersion), violations };
  }
  const problems = await xmlProblems(text);
  if (problems.length) return { ok: false, errors: capProblems(problems) };
  const violations: FieldViolation[] = [];
  return { ok: true, inventory: inventoryOf(xmlComponents(text), violations), specVersion: '1.6', violations };
}
