/**
 * Ajv, set up once per dialect the official schemas use (2020-12: CSAF, OSV; draft-07: CVE 5.1,
 * KEV; draft-04: SARIF 2.1.0), always with every error, formats, linear-time patterns and
 * `uniqueItems`. Its errors become problems whose pointer names the value at fault: for a missing
 * or extra property, the property itself.
 */
import Ajv2020 from 'ajv/dist/2020';
import Ajv07, { type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { escapeToken, problem, type Problem } from './problems';
import { linearRegExp } from './linear-regexp';
import { useLinearUniqueItems } from './unique-items';

export type Dialect = '2020-12' | 'draft-07' | 'draft-04';

type AnyAjv = Ajv2020 | Ajv07 | Ajv04;

const OPTIONS: Options = {
  allErrors: true,
  // The official schemas carry annotations ajv does not know ("license", "url"): tolerate them.
  strict: false,
  // Errors must not hold on to the (possibly huge) data.
  verbose: false,
  code: { regExp: linearRegExp },
};

export function createAjv(dialect: Dialect): AnyAjv {
  const ajv = dialect === '2020-12' ? new Ajv2020(OPTIONS) : dialect === 'draft-07' ? new Ajv07(OPTIONS) : new Ajv04(OPTIONS);
  addFormats(ajv);
  useLinearUniqueItems(ajv);
  return ajv;
}

/** A validator compiled on first use and kept: compiling the larger schemas takes a second. */
export function lazily<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}

function allowedValues(params: Record<string, unknown>): string {
  const values = params.allowedValues;
  if (!Array.isArray(values)) return '';
  const shown = values.slice(0, 20).map((v) => JSON.stringify(v)).join(', ');
  return `: ${shown}${values.length > 20 ? `, … (${values.length} in all)` : ''}`;
}

/** One ajv error as a problem: pointer to the value at fault, message in plain words. */
export function problemOf(error: ErrorObject): Problem {
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  const child = (name: unknown): string => `${at}/${escapeToken(String(name))}`;
  switch (error.keyword) {
    case 'required':
    case 'dependencies':
    case 'dependentRequired':
      return problem(child(params.missingProperty), 'is required', 'schema');
    case 'additionalProperties':
      return problem(child(params.additionalProperty), 'is not an allowed property here', 'schema');
    case 'unevaluatedProperties':
      return problem(child(params.unevaluatedProperty), 'is not an allowed property here', 'schema');
    case 'propertyNames':
      return problem(child(params.propertyName), 'is not an allowed property name', 'schema');
    case 'enum':
      return problem(at, `must be one of the allowed values${allowedValues(params)}`, 'schema');
    default:
      return problem(at, error.message ?? `fails ${error.keyword}`, 'schema');
  }
}

/** Runs a compiled schema; every error as a problem. Never throws: a failure inside ajv is one problem. */
export function schemaProblems(validate: ValidateFunction, value: unknown): Problem[] {
  try {
    if (validate(value)) return [];
    // `propertyNames` reports its own error and the sub-schema's: the second adds nothing.
    return (validate.errors ?? []).filter((e) => !e.propertyName).map(problemOf);
  } catch (error) {
    return [problem('', `could not be checked against the schema: ${error instanceof Error ? error.message : String(error)}`, 'schema')];
  }
}
