/**
 * A CVE 5.1 record in canonical form. The CNA container is the record's voice; ADP containers (CISA's
 * "vulnrichment" among them) add CWE ids, metrics and references. A package named through a known
 * registry (`collectionURL` + `packageName`) gets its identity purl; otherwise the product is
 * "vendor product", and the CPEs it lists become CPE keys (for components known only by a CPE).
 * Version entries become ranges as the CVE schema defines them: `version` up to
 * `lessThan` (exclusive) or `lessThanOrEqual`, split where `changes` say the status changes.
 */
import type { AdvisoryRecord, AffectedPackage, AffectedRange } from '../advisory-record';
import { cweId, distinct, distinctSeverities, list, record, severity, text, timestamp } from '../canonical-helpers';
import { cpeKey, parseCpe } from '../../inventory/cpe';
import { purlForPackage } from '../purl';
import type { CveRecord } from './types';

/** Registries by their collection URL's host, as OSV ecosystems (whose purl types purl.ts knows). */
const REGISTRY_HOSTS: Readonly<Record<string, string>> = {
  'pypi.org': 'PyPI',
  'pypi.python.org': 'PyPI',
  'www.npmjs.com': 'npm',
  'registry.npmjs.org': 'npm',
  'npmjs.com': 'npm',
  'repo.maven.apache.org': 'Maven',
  'repo1.maven.org': 'Maven',
  'search.maven.org': 'Maven',
  'pkg.go.dev': 'Go',
  'proxy.golang.org': 'Go',
  'crates.io': 'crates.io',
  'rubygems.org': 'RubyGems',
  'www.nuget.org': 'NuGet',
  'api.nuget.org': 'NuGet',
  'packagist.org': 'Packagist',
  'hex.pm': 'Hex',
  'pub.dev': 'Pub',
};

function registryPurl(collectionURL: string | undefined, packageName: string | undefined): string | undefined {
  if (!collectionURL || !packageName) return undefined;
  let host: string;
  try {
    host = new URL(collectionURL).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const ecosystem = REGISTRY_HOSTS[host];
  return ecosystem ? purlForPackage(ecosystem, packageName) : undefined;
}

/** `*` stands for "no bound" in lessThan and lessThanOrEqual. */
function bound(value: unknown): string | undefined {
  const t = text(value);
  return t === '*' ? undefined : t;
}

const UNSPECIFIED = new Set(['n/a', 'unspecified', '*', '-']);

function versionEntries(versions: Record<string, unknown>[]): { ranges: AffectedRange[]; versions: string[] } {
  const ranges: AffectedRange[] = [];
  const single: string[] = [];
  for (const v of versions) {
    const version = text(v.version);
    const upTo = bound(v.lessThan);
    const through = bound(v.lessThanOrEqual);
    const isRange = v.lessThan !== undefined || v.lessThanOrEqual !== undefined;
    if (!isRange) {
      if (v.status === 'affected' && version && !UNSPECIFIED.has(version.toLowerCase())) single.push(version);
      continue;
    }
    let open: AffectedRange | undefined = v.status === 'affected' ? { introduced: version ?? '0' } : undefined;
    for (const change of list(v.changes).map(record)) {
      const at = text(change.at);
      if (!at) continue;
      if (change.status === 'unaffected' && open) {
        ranges.push({ ...open, fixed: at });
        open = undefined;
      } else if (change.status === 'affected' && !open) open = { introduced: at };
    }
    if (open) ranges.push({ ...open, ...(upTo !== undefined ? { fixed: upTo } : through !== undefined ? { lastAffected: through } : {}) });
  }
  return { ranges, versions: distinct(single) };
}

/** The CPE keys of an entry's `cpes` (vendor and product; the versions come from its version entries). */
export function cpeKeys(cpes: unknown[]): string[] {
  return distinct(cpes.slice(0, MAX_CPES).flatMap((c) => {
    const parsed = typeof c === 'string' ? parseCpe(c) : undefined;
    return parsed ? [cpeKey(parsed)] : [];
  }));
}

/** CPEs read per affected entry: a product has a handful; more is noise or abuse. */
const MAX_CPES = 32;

function affectedOf(entry: Record<string, unknown>): AffectedPackage | undefined {
  const purl = registryPurl(text(entry.collectionURL), text(entry.packageName));
  const vendor = text(entry.vendor);
  const productName = text(entry.product) ?? text(entry.packageName);
  const product = purl ? undefined : [vendor, productName].filter((t) => t !== undefined && !UNSPECIFIED.has(t.toLowerCase())).join(' ') || undefined;
  const { ranges, versions } = versionEntries(list(entry.versions).map(record));
  if (ranges.length === 0 && versions.length === 0 && entry.defaultStatus === 'affected') ranges.push({ introduced: '0' });
  if (!purl && !product && ranges.length === 0 && versions.length === 0) return undefined;
  const cpes = cpeKeys(list(entry.cpes));
  return { ...(purl ? { purl } : {}), ...(product ? { product } : {}), ranges, versions, ...(cpes.length > 0 ? { cpes } : {}) };
}

function englishFirst(entries: unknown[]): string | undefined {
  const all = entries.map(record);
  const english = all.find((d) => typeof d.lang === 'string' && d.lang.toLowerCase().startsWith('en'));
  return text((english ?? all[0])?.value);
}

export function cveToAdvisoryRecord(cve: CveRecord): AdvisoryRecord {
  const doc = record(cve);
  const meta = record(doc.cveMetadata);
  const containers = record(doc.containers);
  const cna = record(containers.cna);
  const all = [cna, ...list(containers.adp).map(record)];
  const id = text(meta.cveId) ?? '';
  const withdrawn = meta.state === 'REJECTED';
  const published = timestamp(meta.datePublished);
  const modified = timestamp(meta.dateUpdated) ?? timestamp(meta.dateRejected);
  const summary = text(cna.title);
  const details = withdrawn ? englishFirst(list(cna.rejectedReasons)) : englishFirst(list(cna.descriptions));
  const metrics = all.flatMap((c) => list(c.metrics).map(record));
  return {
    source: 'cve',
    id,
    aliases: [],
    withdrawn,
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(summary ? { summary } : {}),
    ...(details ? { details } : {}),
    cwes: distinct(all.flatMap((c) => list(c.problemTypes).flatMap((p) => list(record(p).descriptions).map((d) => cweId(record(d).cweId))))),
    affected: list(cna.affected)
      .map(record)
      .map(affectedOf)
      .filter((a): a is AffectedPackage => a !== undefined),
    severities: distinctSeverities(
      metrics.flatMap((m) => ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0'].map((k) => severity(record(m[k]).vectorString))),
    ),
    references: distinct(all.flatMap((c) => list(c.references).map((r) => record(r).url))),
  };
}
