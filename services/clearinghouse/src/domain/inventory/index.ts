/**
 * Operators' inventories. Pure.
 * - `inventoryOf(bom.components, out)`: every component (nested too) as an entry keyed for matching
 *   (purl identity, or `cpe:<part>:<vendor>:<product>`), the rest counted as unmatched; caps checked.
 * - `enteredProducts(out, products)`: products entered by purl or CPE, with field errors.
 * - `parseCpe`, `cpeKey`: CPE 2.3 strings and 2.2 URIs.
 * Validation of the SBOM itself (CycloneDX 1.6 JSON schema, XML schema) is src/inventory/sbom-validation.ts.
 */
export * from './cpe';
export * from './entries';
