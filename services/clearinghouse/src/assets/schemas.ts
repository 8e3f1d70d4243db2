/**
 * Reads the official schemas of the input formats from `assets/schemas` (copied unchanged from their
 * repositories, see SOURCE.md there) once, and hands them to the pure format validators. `assets/`
 * sits two levels above this file both in src/assets and in dist/assets.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FormatSchemas, JsonSchema } from '../domain/formats/schemas';

export const SCHEMA_ASSETS_DIR = path.join(__dirname, '../../assets/schemas');

const FILES = {
  csaf: 'csaf/csaf_json_schema.json',
  cvss20: 'csaf/cvss-v2.0.json',
  cvss30: 'csaf/cvss-v3.0.json',
  cvss31: 'csaf/cvss-v3.1.json',
  osv: 'osv/schema.json',
  cve: 'cve/CVE_JSON_5.1_bundled.json',
  kev: 'kev/known_exploited_vulnerabilities_schema.json',
  sarif: 'sarif/sarif-schema-2.1.0.json',
} as const;

function read(dir: string, file: string): JsonSchema {
  const at = path.join(dir, file);
  const value: unknown = JSON.parse(fs.readFileSync(at, 'utf8'));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${at} is not a JSON Schema object`);
  return value as JsonSchema;
}

let loaded: FormatSchemas | undefined;

/** The schemas, read on first use (throws, naming the file, when one is missing or not JSON). */
export function formatSchemas(dir = SCHEMA_ASSETS_DIR): FormatSchemas {
  if (dir !== SCHEMA_ASSETS_DIR) return readAll(dir);
  loaded ??= readAll(dir);
  return loaded;
}

function readAll(dir: string): FormatSchemas {
  return {
    csaf: read(dir, FILES.csaf),
    cvss: { 'v2.0': read(dir, FILES.cvss20), 'v3.0': read(dir, FILES.cvss30), 'v3.1': read(dir, FILES.cvss31) },
    osv: read(dir, FILES.osv),
    cve: read(dir, FILES.cve),
    kev: read(dir, FILES.kev),
    sarif: read(dir, FILES.sarif),
  };
}
