/**
 * The official schemas the validators compile, handed in by the caller (the service reads them once
 * from `assets/schemas`, see src/assets/schemas.ts): the domain never reads files.
 */

/** A JSON Schema document, as parsed. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface FormatSchemas {
  /** OASIS CSAF 2.0 (2020-12). */
  readonly csaf: JsonSchema;
  /** FIRST's CVSS schemas that CSAF references by URL (v2.0, v3.0: draft-04; v3.1: draft-07). */
  readonly cvss: { readonly 'v2.0': JsonSchema; readonly 'v3.0': JsonSchema; readonly 'v3.1': JsonSchema };
  /** OpenSSF OSV (2020-12). */
  readonly osv: JsonSchema;
  /** CVE JSON 5.1 record, bundled (draft-07). */
  readonly cve: JsonSchema;
  /** CISA Known Exploited Vulnerabilities catalog (draft-07). */
  readonly kev: JsonSchema;
  /** OASIS SARIF 2.1.0 (draft-04). */
  readonly sarif: JsonSchema;
}

/** The URLs the CSAF schema's `$ref`s name the CVSS schemas by. */
export const CVSS_SCHEMA_URLS = {
  'v2.0': 'https://www.first.org/cvss/cvss-v2.0.json',
  'v3.0': 'https://www.first.org/cvss/cvss-v3.0.json',
  'v3.1': 'https://www.first.org/cvss/cvss-v3.1.json',
} as const;
