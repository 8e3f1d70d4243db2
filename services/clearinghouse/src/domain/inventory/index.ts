/**
 * Operators' inventories. Pure.
 * - `inventoryOf(bom.components, out)`: every component (nested too) as an entry keyed for matching
 *   (`matchKey`, the purl identity; or `cpe:<part>:<vendor>:<product>`), the rest counted as
 *   unmatched; caps checked.
 * - `enteredProducts(out, products)`: products entered by purl or CPE, with field errors.
 * - `parseCpe`, `cpeKey`: CPE 2.3 formatted strings and 2.2 URIs.
 * - Before a schema runs: `SBOM_JSON_LIMITS`, `jsonComponentProblems`, `xmlPrecheckProblems`.
 * - XML: `xmlSchemaProblems(text, xmllintErrors)` (line, plain message, XPath), `xmlComponents(text)`.
 * Running the validators (ajv, xmllint-wasm) is src/inventory/sbom-validation.ts: `readSbom(bytes, format)`.
 */
export * from './cpe';
export * from './entries';
export * from './sbom-limits';
export * from './xml-components';
export * from './xml-problems';
