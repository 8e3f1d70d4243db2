/**
 * CycloneDX 1.6 SBOMs checked against the official schemas, every error listed, then read into an
 * inventory (src/domain/inventory). JSON by ajv with every error (the CycloneDX library's own JSON
 * validator stops at the first) over the 1.6 schema copied in assets/schemas/cyclonedx, with the
 * draft 2019 `idn-email` format it uses; XML by libxml2 compiled to WebAssembly
 * (xmllint-wasm, run in a worker thread: no native build) over the XSDs the CycloneDX library ships.
 * Caps (size, component count and depth, no DTD) are checked before either schema runs. Not pure: it
 * loads schemas and runs the validators. The protobuf form of CycloneDX is not accepted.
 */
import fs from 'node:fs';
import path from 'node:path';
import addDraft2019Formats from 'ajv-formats-draft2019';
import { memoryPages, validateXML } from 'xmllint-wasm';
import type { FieldViolation } from '@rampart/errors';
import { capProblems, problem, type Problem } from '../domain/formats/problems';
import { parseJson, textOf } from '../domain/formats/parse';
import { checkShape } from '../domain/formats/limits';
import { createAjv, lazily, schemaProblems } from '../domain/formats/schema-engine';
import { SCHEMA_ASSETS_DIR } from '../assets/schemas';
import { inventoryOf, jsonComponentProblems, MAX_SBOM_BYTES, SBOM_JSON_LIMITS, xmlComponents, xmlPrecheckProblems, xmlSchemaProblems, type Inventory } from '../domain/inventory';

export { MAX_SBOM_BYTES } from '../domain/inventory';

export type SbomFormat = 'json' | 'xml';

export type SbomReading = { ok: true; inventory: Inventory; specVersion: string; violations: FieldViolation[] } | { ok: false; errors: Problem[] };

/**
 * libxml2's heap ceiling: a MAX_SBOM_BYTES document with MAX_COMPONENTS components needs about
 * 100 MiB (measured: 18 MB, 50,000 components fails at 64 MiB, passes at 128 MiB). Each validation
 * runs in its own worker: callers should bound how many run at once.
 */
const XML_MAX_MEMORY_PAGES = 256 * memoryPages.MiB;

/** The 1.6 schema with those it references, compiled on first use. */
const jsonValidator = lazily(() => {
  const ajv = createAjv('draft-07');
  addDraft2019Formats(ajv, { formats: ['idn-email'] });
  // Not checked: ajv-formats-draft2019's iri-reference refuses `urn:cdx:...#ref` bom-links of the
  // official valid-saasbom test, and ajv-formats' uri-reference refuses non-ASCII IRIs.
  ajv.addFormat('iri-reference', true);
  const read = (f: string) => JSON.parse(fs.readFileSync(path.join(SCHEMA_ASSETS_DIR, 'cyclonedx', f), 'utf8')) as object;
  ajv.addSchema(read('spdx.schema.json'));
  ajv.addSchema(read('jsf-0.82.schema.json'));
  return ajv.compile(read('bom-1.6.schema.json'));
});

const xmlSchemas = lazily(() => {
  const dir = path.join(path.dirname(require.resolve('@cyclonedx/cyclonedx-library/package.json')), 'res/schema');
  const read = (f: string) => ({ fileName: f, contents: fs.readFileSync(path.join(dir, f), 'utf8') });
  return { schema: [read('bom-1.6.SNAPSHOT.xsd')], preload: [read('spdx.SNAPSHOT.xsd')] };
});

/** XML validations at once in this process: each runs in a worker that may take XML_MAX_MEMORY_PAGES; more wait their turn. */
const XML_VALIDATIONS_AT_ONCE = 2;
let xmlRunning = 0;
const xmlWaiting: (() => void)[] = [];

async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
  // A finishing validation hands its slot straight to the next in line, so none is admitted past the limit.
  if (xmlRunning >= XML_VALIDATIONS_AT_ONCE) await new Promise<void>((resolve) => xmlWaiting.push(resolve));
  else xmlRunning++;
  try {
    return await fn();
  } finally {
    const next = xmlWaiting.shift();
    if (next) next();
    else xmlRunning--;
  }
}

async function xmlProblems(text: string): Promise<Problem[]> {
  let result;
  try {
    result = await inTurn(() => validateXML({ xml: [{ fileName: 'sbom.xml', contents: text }], ...xmlSchemas(), maxMemoryPages: XML_MAX_MEMORY_PAGES }));
  } catch (error) {
    // Out of memory or a crash in the validator: our failure, not the operator's document.
    throw new Error('the XML schema validator failed', { cause: error });
  }
  if (result.valid) return [];
  // Not valid yet no error listed: libxml2 gave up (memory) without saying where. Never read as valid.
  if (result.errors.length === 0) throw new Error(`the XML schema validator failed: ${result.rawOutput.slice(0, 200)}`);
  return xmlSchemaProblems(text, result.errors.map((e) => ({ message: e.message, ...(e.loc ? { line: e.loc.lineNumber } : {}) })));
}

function readJson(bytes: Buffer): SbomReading {
  const parsed = parseJson(bytes, SBOM_JSON_LIMITS);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const shape = checkShape(parsed.value, SBOM_JSON_LIMITS);
  if (shape.total > 0) return { ok: false, errors: shape.problems };
  const bom = (parsed.value ?? {}) as { specVersion?: unknown; components?: unknown };
  const tooMany = jsonComponentProblems(bom.components);
  if (tooMany.length) return { ok: false, errors: tooMany };
  const problems = schemaProblems(jsonValidator(), bom);
  if (problems.length) return { ok: false, errors: capProblems(problems) };
  const violations: FieldViolation[] = [];
  return { ok: true, inventory: inventoryOf(bom.components, violations), specVersion: String(bom.specVersion), violations };
}

async function readXml(bytes: Buffer): Promise<SbomReading> {
  const text = textOf(bytes, SBOM_JSON_LIMITS);
  if (!text.ok) return { ok: false, errors: text.errors };
  const refused = xmlPrecheckProblems(text.text);
  if (refused.length) return { ok: false, errors: refused };
  const problems = await xmlProblems(text.text);
  if (problems.length) return { ok: false, errors: capProblems(problems) };
  const violations: FieldViolation[] = [];
  return { ok: true, inventory: inventoryOf(xmlComponents(text.text), violations), specVersion: '1.6', violations };
}

/** Checks an SBOM (JSON or XML) and reads its inventory; every error at once when it is not valid. */
export async function readSbom(bytes: Buffer, format: SbomFormat): Promise<SbomReading> {
  if (bytes.length === 0) return { ok: false, errors: [problem('', 'is empty', 'limits')] };
  if (bytes.length > MAX_SBOM_BYTES) return { ok: false, errors: [problem('', `is ${bytes.length} bytes, more than the ${MAX_SBOM_BYTES} allowed`, 'limits')] };
  return format === 'json' ? readJson(bytes) : readXml(bytes);
}
