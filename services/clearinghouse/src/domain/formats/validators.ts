/**
 * One validator per input format. Each takes the input as received (or parsed by the caller),
 * applies the limits, the official schema and the format's own rules, and answers with every
 * problem at once. Schemas are compiled on first use and kept for the process: `formatValidators`
 * returns the same validators for the same schemas object.
 */
import type { ValidateFunction } from 'ajv';
import { cveRuleProblems } from './cve/rules';
import type { CveRecord } from './cve/types';
import { loadCsafRules, runCsafRules } from './csaf/rules';
import type { CsafDocument } from './csaf/types';
import { kevWarnings } from './kev/rules';
import type { KevCatalog } from './kev/types';
import { checkShape, limitsWith, type InputLimits } from './limits';
import { lintOsv } from './osv/lint';
import type { OsvRecord } from './osv/types';
import { valueOf, type FormatInput } from './parse';
import { refusal, verdict, type Problem, type Validation } from './problems';
import type { SarifLog, SarifResult, SarifRun } from './sarif/types';
import { createAjv, lazily, schemaProblems } from './schema-engine';
import { CVSS_SCHEMA_URLS, type FormatSchemas, type JsonSchema } from './schemas';
import { fullFormats } from 'ajv-formats/dist/formats';

export interface FormatValidators {
  osv(input: FormatInput, limits?: Partial<InputLimits>): Validation<OsvRecord>;
  cve(input: FormatInput, limits?: Partial<InputLimits>): Validation<CveRecord>;
  kev(input: FormatInput, limits?: Partial<InputLimits>): Validation<KevCatalog>;
  /** A whole SARIF log. */
  sarif(input: FormatInput, limits?: Partial<InputLimits>): Validation<SarifLog>;
  /** One run of a SARIF log (for streaming), against the schema's `run` definition. */
  sarifRun(input: FormatInput, limits?: Partial<InputLimits>): Validation<SarifRun>;
  /** One result of a run (for streaming), against the schema's `result` definition. */
  sarifResult(input: FormatInput, limits?: Partial<InputLimits>): Validation<SarifResult>;
  /** CSAF 2.0: the schema, then the standard's tests (asynchronous: the test library loads on first use). */
  csaf(input: FormatInput, limits?: Partial<InputLimits>): Promise<Validation<CsafDocument>>;
}

/**
 * CSAF's own default: three tests of the BSI library (6.1.1, 6.2.1, 6.2.20) take time quadratic in
 * the number of product ids (20,000 products: 6 s), so a CSAF array holds at most 10,000 items
 * (about 1.5 s at worst). Real advisories hold hundreds (Cisco's example: 259 product ids).
 */
export const CSAF_LIMITS: Partial<InputLimits> = { maxArrayItems: 10_000 };

type Prepared = { ok: true; value: unknown; limits: InputLimits } | { ok: false; refused: Validation<never> };

/** Parse and bound: the steps before any schema. */
function prepare(input: FormatInput, overrides: Partial<InputLimits> | undefined): Prepared {
  const limits = limitsWith(overrides);
  const parsed = valueOf(input, limits);
  if (!parsed.ok) return { ok: false, refused: refusal(parsed.errors, parsed.errors.length, limits.maxProblems) };
  const shape = checkShape(parsed.value, limits);
  if (shape.total > 0) return { ok: false, refused: refusal(shape.problems, shape.total, limits.maxProblems) };
  return { ok: true, value: parsed.value, limits };
}

type Rules = (value: unknown) => { errors: Problem[]; warnings: Problem[] };
const NO_RULES: Rules = () => ({ errors: [], warnings: [] });

function validator<T>(schema: () => ValidateFunction, rules: Rules = NO_RULES) {
  return (input: FormatInput, overrides?: Partial<InputLimits>): Validation<T> => {
    const prepared = prepare(input, overrides);
    if (!prepared.ok) return prepared.refused;
    const { value, limits } = prepared;
    const found = rules(value);
    return verdict<T>(value, [...schemaProblems(schema(), value), ...found.errors], found.warnings, limits.maxProblems);
  };
}

/**
 * FIRST's CVSS v2.0 and v3.0 schemas are draft-04 and v3.1 is draft-07, while CSAF is 2020-12; one
 * ajv instance evaluates one dialect, so they are added as 2020-12 schemas without `$schema` and
 * with draft-04's `id` dropped (they use no keyword whose meaning differs between the drafts: only
 * type, enum, pattern, minimum, maximum, properties, required and `$ref` into their definitions).
 */
function asDialect2020(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, id: _id, $id: _dollarId, ...rest } = schema;
  return rest;
}

/**
 * CVE 5.1 timestamps may omit the time zone ("GMT is assumed", says the schema, whose own pattern
 * allows it); the strict RFC 3339 `date-time` format of ajv-formats would refuse them.
 */
function cveDateTime(value: string): boolean {
  const strict = fullFormats['date-time'];
  const check = typeof strict === 'object' && 'validate' in strict ? strict.validate : undefined;
  if (typeof check !== 'function') return true;
  const zoned = /(Z|[+-]\d{2}:\d{2})$/i.test(value) ? value : `${value}Z`;
  return (check as (s: string) => boolean)(zoned);
}

function build(schemas: FormatSchemas): FormatValidators {
  const osvSchema = lazily(() => createAjv('2020-12').compile(schemas.osv));
  const cveSchema = lazily(() => {
    const ajv = createAjv('draft-07');
    ajv.addFormat('date-time', { type: 'string', validate: cveDateTime });
    return ajv.compile(schemas.cve);
  });
  const kevSchema = lazily(() => createAjv('draft-07').compile(schemas.kev));
  // Draft-04 names a schema by `id`; its definitions are reached through it.
  const sarifId = typeof schemas.sarif.id === 'string' ? schemas.sarif.id : 'sarif';
  const sarifAjv = lazily(() => {
    const ajv = createAjv('draft-04');
    ajv.addSchema(schemas.sarif, typeof schemas.sarif.id === 'string' ? undefined : sarifId);
    return ajv;
  });
  const sarifPart = (name: string) => () => {
    const part = sarifAjv().getSchema(name === '' ? sarifId : `${sarifId}#/definitions/${name}`);
    if (!part) throw new Error(`the SARIF schema has no definition ${name}`);
    return part;
  };
  const csafSchema = lazily(() => {
    const ajv = createAjv('2020-12');
    for (const [version, url] of Object.entries(CVSS_SCHEMA_URLS)) ajv.addSchema(asDialect2020(schemas.cvss[version as keyof FormatSchemas['cvss']]), url);
    return ajv.compile(schemas.csaf);
  });

  return {
    osv: validator<OsvRecord>(osvSchema, lintOsv),
    cve: validator<CveRecord>(cveSchema, (value) => ({ errors: cveRuleProblems(value), warnings: [] })),
    kev: validator<KevCatalog>(kevSchema, (value) => ({ errors: [], warnings: kevWarnings(value) })),
    sarif: validator<SarifLog>(sarifPart('')),
    sarifRun: validator<SarifRun>(sarifPart('run')),
    sarifResult: validator<SarifResult>(sarifPart('result')),
    async csaf(input, overrides) {
      const prepared = prepare(input, { ...CSAF_LIMITS, ...overrides });
      if (!prepared.ok) return prepared.refused;
      const { value, limits } = prepared;
      const rules = await loadCsafRules();
      const schemaErrors = schemaProblems(csafSchema(), value);
      const found = await runCsafRules(rules, value, schemaErrors.length === 0);
      return verdict<CsafDocument>(value, [...schemaErrors, ...found.errors], found.warnings, limits.maxProblems);
    },
  };
}

const built = new WeakMap<FormatSchemas, FormatValidators>();

/** The validators for these schemas, built once per schemas object. */
export function formatValidators(schemas: FormatSchemas): FormatValidators {
  let validators = built.get(schemas);
  if (!validators) {
    validators = build(schemas);
    built.set(schemas, validators);
  }
  return validators;
}
