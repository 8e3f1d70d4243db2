/**
 * Input formats of the clearinghouse: validation of CSAF 2.0, OSV, CVE JSON 5.1, the CISA KEV
 * catalog and SARIF 2.1.0 (every problem at once, with its JSON pointer), their canonical form
 * (`AdvisoryRecord`), SARIF results as candidate findings, and purl and range helpers.
 */
export type { AdvisoryRecord, AdvisorySource, AffectedPackage, AffectedRange, FindingLocation, KnownExploited, Severity, SeverityType } from './advisory-record';
export { MAX_PROBLEMS, type Problem, type Validation } from './problems';
export { DEFAULT_LIMITS, checkShape, limitsWith, type InputLimits } from './limits';
export { parseJson, parseYaml, type FormatInput, type Parsed } from './parse';
export { CVSS_SCHEMA_URLS, type FormatSchemas, type JsonSchema } from './schemas';
export { CSAF_LIMITS, formatValidators, type FormatValidators } from './validators';
export { loadCsafRules, type CsafRules, type CsafTestGroup } from './csaf/rules';
export { csafToAdvisoryRecords, rangesFromVers } from './csaf/canonical';
export type { CsafDocument } from './csaf/types';
export { osvToAdvisoryRecord } from './osv/canonical';
export type { OsvRecord } from './osv/types';
export { cveToAdvisoryRecord } from './cve/canonical';
export type { CveRecord } from './cve/types';
export { kevCatalogToAdvisoryRecords, kevEntryToAdvisoryRecord } from './kev/canonical';
export type { KevCatalog, KevEntry } from './kev/types';
export { findingFromResult, findingToAdvisoryRecord, findingsFromLog, findingsFromRun, sarifRunContext, type CandidateFinding, type SarifRunContext } from './sarif/findings';
export type { SarifLevel, SarifLog, SarifResult, SarifRun } from './sarif/types';
export { MAX_PURL_CHARS, canonicalPurlText, parsePurl, purlForPackage, purlIdentity, purlProblem, purlVersion } from './purl';
export { rangesFromEvents, timestamp as canonicalTimestamp } from './canonical-helpers';
