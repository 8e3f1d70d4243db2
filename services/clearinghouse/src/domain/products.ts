/**
 * Affected products: each a package URL (checked and made canonical by packageurl-js) with the
 * versions it affects. A purl that carries a version names that one version; one without says
 * which versions in `ranges` or `versions`.
 */
import { PackageURL } from 'packageurl-js';
import type { FieldViolation } from '@rampart/errors';
import { textField } from '@rampart/errors';
import type { AffectedProduct, VersionRange } from './report';

export const PRODUCT_LIMITS = {
  products: 100,
  purl: 1_000,
  ranges: 50,
  versions: 200,
  version: 200,
} as const;

export interface VersionRangeInput {
  introduced?: string;
  fixed?: string;
  lastAffected?: string;
}

export interface AffectedProductInput {
  purl?: string;
  ranges?: VersionRangeInput[];
  versions?: string[];
}

/** The canonical form of a package URL, or why it is not one. */
export function canonicalPurl(value: string): { purl: string; version?: string } | { problem: string } {
  try {
    const parsed = PackageURL.fromString(value);
    return { purl: parsed.toString(), ...(parsed.version ? { version: parsed.version } : {}) };
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
}

function versionField(out: FieldViolation[], field: string, value: string | undefined, required: boolean): string | undefined {
  const v = textField(out, field, value, PRODUCT_LIMITS.version, required);
  return v === '' ? undefined : v;
}

function range(out: FieldViolation[], at: string, input: VersionRangeInput): VersionRange {
  const introduced = versionField(out, `${at}.introduced`, input.introduced, true) ?? '';
  const fixed = versionField(out, `${at}.fixed`, input.fixed, false);
  const lastAffected = versionField(out, `${at}.last_affected`, input.lastAffected, false);
  if (fixed !== undefined && lastAffected !== undefined) out.push({ field: at, description: 'must give fixed or last_affected, not both' });
  return { introduced, ...(fixed !== undefined ? { fixed } : {}), ...(lastAffected !== undefined ? { lastAffected } : {}) };
}

function product(out: FieldViolation[], at: string, input: AffectedProductInput): AffectedProduct {
  const sent = textField(out, `${at}.purl`, input.purl, PRODUCT_LIMITS.purl);
  let purl = sent;
  let pinned = false;
  let parsedOk = false;
  if (sent !== '' && sent.length <= PRODUCT_LIMITS.purl) {
    const parsed = canonicalPurl(sent);
    if ('problem' in parsed) {
      out.push({ field: `${at}.purl`, description: `must be a package URL (pkg:<type>/<namespace>/<name>@<version>): ${parsed.problem}` });
    } else {
      purl = parsed.purl;
      pinned = parsed.version !== undefined;
      parsedOk = true;
    }
  }
  const ranges = input.ranges ?? [];
  const versions = input.versions ?? [];
  if (ranges.length > PRODUCT_LIMITS.ranges) out.push({ field: `${at}.ranges`, description: `must have at most ${PRODUCT_LIMITS.ranges} entries` });
  if (versions.length > PRODUCT_LIMITS.versions) out.push({ field: `${at}.versions`, description: `must have at most ${PRODUCT_LIMITS.versions} entries` });
  const cleanRanges = ranges.slice(0, PRODUCT_LIMITS.ranges).map((r, i) => range(out, `${at}.ranges[${i}]`, r));
  const cleanVersions = versions.slice(0, PRODUCT_LIMITS.versions).map((v, i) => versionField(out, `${at}.versions[${i}]`, v, true) ?? '');
  if (new Set(cleanVersions).size !== cleanVersions.length) out.push({ field: `${at}.versions`, description: 'must not repeat a version' });
  // Only a purl that parsed says whether it names a version.
  if (pinned && (ranges.length > 0 || versions.length > 0)) {
    out.push({ field: at, description: 'a purl with a version names that version: leave ranges and versions empty, or drop the version from the purl' });
  } else if (parsedOk && !pinned && ranges.length === 0 && versions.length === 0) {
    out.push({ field: at, description: 'must say which versions are affected: a version in the purl, ranges or versions' });
  }
  return { purl, ranges: cleanRanges, versions: cleanVersions };
}

/** Checks and normalises the affected products; at least one. */
export function affectedProducts(out: FieldViolation[], field: string, input: AffectedProductInput[] | undefined): AffectedProduct[] {
  const products = input ?? [];
  if (products.length === 0) out.push({ field, description: 'must name at least one affected product' });
  if (products.length > PRODUCT_LIMITS.products) out.push({ field, description: `must have at most ${PRODUCT_LIMITS.products} entries` });
  const clean = products.slice(0, PRODUCT_LIMITS.products).map((p, i) => product(out, `${field}[${i}]`, p));
  const purls = clean.map((p) => p.purl).filter((p) => p !== '');
  if (new Set(purls).size !== purls.length) out.push({ field, description: 'must not name a product (purl) twice: put all its ranges and versions in one entry' });
  return clean;
}
