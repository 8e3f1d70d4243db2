/**
 * An OSV record in canonical form. A package's ECOSYSTEM and SEMVER ranges go with its identity
 * purl; GIT ranges are in commits, not versions, so each becomes its own entry named by the
 * repository (`git+https://...`), never mixed with version ranges.
 */
import type { AdvisoryRecord, AffectedPackage, AffectedRange } from '../advisory-record';
import { cweId, distinct, distinctSeverities, list, rangesFromEvents, record, severity, text, timestamp } from '../canonical-helpers';
import { purlForPackage, purlIdentity } from '../purl';
import type { OsvRecord } from './types';

/** One OSV range's events as canonical ranges, each keeping the range's type (matching orders by it). */
function typedRanges(range: Record<string, unknown>): AffectedRange[] {
  const type = range.type === 'SEMVER' || range.type === 'ECOSYSTEM' || range.type === 'GIT' ? range.type : undefined;
  return rangesFromEvents(list(range.events).map(record)).map((r) => (type ? { type, ...r } : r));
}

function packageEntries(affected: Record<string, unknown>): AffectedPackage[] {
  const pkg = record(affected.package);
  const given = text(pkg.purl);
  const purl = (given !== undefined ? purlIdentity(given) : undefined) ?? purlForPackage(text(pkg.ecosystem) ?? '', text(pkg.name) ?? '');
  const product = purl ? undefined : [text(pkg.ecosystem), text(pkg.name)].filter(Boolean).join(':') || undefined;
  const versionRanges = list(affected.ranges).map(record).filter((r) => r.type !== 'GIT');
  const gitRanges = list(affected.ranges).map(record).filter((r) => r.type === 'GIT');
  const out: AffectedPackage[] = [];
  if (purl || product || versionRanges.length > 0 || list(affected.versions).length > 0) {
    out.push({
      ...(purl ? { purl } : {}),
      ...(product ? { product } : {}),
      ranges: versionRanges.flatMap(typedRanges),
      versions: distinct(list(affected.versions)),
    });
  }
  for (const r of gitRanges) {
    const repo = text(r.repo);
    out.push({ ...(repo ? { product: `git+${repo}` } : {}), ranges: typedRanges(r), versions: [] });
  }
  return out;
}

/** CWE ids OSV producers put in `database_specific.cwe_ids` (GitHub, PyPA), record-wide or per package. */
function cwesOf(doc: Record<string, unknown>): string[] {
  const found = [
    ...list(record(doc.database_specific).cwe_ids),
    ...list(doc.affected).flatMap((a) => list(record(record(a).database_specific).cwe_ids)),
  ];
  return distinct(found.map(cweId));
}

export function osvToAdvisoryRecord(osv: OsvRecord): AdvisoryRecord {
  const doc = record(osv);
  const id = text(doc.id) ?? '';
  const affected = list(doc.affected).map(record);
  const published = timestamp(doc.published);
  const modified = timestamp(doc.modified);
  const summary = text(doc.summary);
  const details = text(doc.details);
  return {
    source: 'osv',
    id,
    aliases: distinct(list(doc.aliases)).filter((a) => a !== id),
    withdrawn: text(doc.withdrawn) !== undefined,
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(summary ? { summary } : {}),
    ...(details ? { details } : {}),
    cwes: cwesOf(doc),
    affected: affected.flatMap(packageEntries),
    severities: distinctSeverities([...list(doc.severity), ...affected.flatMap((a) => list(a.severity))].map((s) => severity(record(s).score))),
    references: distinct(list(doc.references).map((r) => record(r).url)),
  };
}
