/**
 * A CSAF 2.0 document's vulnerabilities in canonical form, one record each: a document often
 * covers several CVEs, and each is its own flaw. Its id is the CVE id, else its first other id,
 * else the document's tracking id with the vulnerability's index. The document's tracking id is
 * not an alias: it would join every vulnerability of the document into one flaw.
 *
 * Products come from the product tree (branches: vendor, product name, version or version range;
 * full product names; relationships) and are grouped by identity (purl without version, else
 * "vendor product", else the full name). Product status says which are affected: `known_affected`
 * versions are listed, `first_affected`, `last_affected`, `first_fixed` and `fixed` bound ranges, a
 * `product_version_range` given as a `vers:` string becomes ranges.
 */
import type { AdvisoryRecord, AffectedPackage, AffectedRange } from '../advisory-record';
import { cweId, distinct, distinctSeverities, list, record, severity, text, timestamp } from '../canonical-helpers';
import { purlIdentity, purlVersion } from '../purl';
import { cpeKey, parseCpe } from '../../inventory/cpe';
import { parseVers, versOrderFor } from '../../matching/vers';
import type { CsafDocument } from './types';

export interface ProductFacts {
  fullName?: string;
  purl?: string;
  vendor?: string;
  product?: string;
  version?: string;
  versionRange?: string;
  /** The CPE key of the product's identification helper (`cpe:<part>:<vendor>:<product>`). */
  cpe?: string;
}

/** Every product id of the tree with what its branch path and helper say; iterative over nesting. */
export function productFacts(tree: Record<string, unknown>): Map<string, ProductFacts> {
  const facts = new Map<string, ProductFacts>();
  const add = (fpn: Record<string, unknown>, inherited: ProductFacts): void => {
    const id = text(fpn.product_id);
    if (!id) return;
    const helper = record(fpn.product_identification_helper);
    const helperPurl = text(helper.purl);
    const helperCpe = text(helper.cpe);
    const cpe = helperCpe ? parseCpe(helperCpe) : undefined;
    const version = inherited.version ?? (helperPurl ? purlVersion(helperPurl) : undefined) ?? cpe?.version;
    const name = text(fpn.name);
    facts.set(id, {
      ...inherited,
      ...(name ? { fullName: name } : {}),
      ...(helperPurl ? { purl: helperPurl } : {}),
      ...(cpe ? { cpe: cpeKey(cpe) } : {}),
      ...(version ? { version } : {}),
    });
  };
  const stack: { branch: Record<string, unknown>; path: ProductFacts }[] = list(tree.branches).map((b) => ({ branch: record(b), path: {} }));
  while (stack.length > 0) {
    const { branch, path } = stack.pop()!;
    const name = text(branch.name);
    const here: ProductFacts = { ...path };
    if (name) {
      if (branch.category === 'vendor') here.vendor = name;
      else if (branch.category === 'product_name') here.product = name;
      else if (branch.category === 'product_version') here.version = name;
      else if (branch.category === 'product_version_range') here.versionRange = name;
    }
    if (branch.product !== undefined) add(record(branch.product), here);
    for (const child of list(branch.branches)) stack.push({ branch: record(child), path: here });
  }
  for (const fpn of list(tree.full_product_names)) add(record(fpn), {});
  for (const rel of list(tree.relationships).map(record)) {
    // "A installed on B": the affected thing is the component A as part of B.
    const component = facts.get(text(rel.product_reference) ?? '') ?? {};
    add(record(rel.full_product_name), { ...component });
  }
  return facts;
}

/**
 * A `vers:` range (package-url's vers spec) as ranges. The spec leaves constraints unordered: they
 * are sorted in the scheme's order first (as written when the scheme has none here or a version is
 * not of it). `=` versions are listed, `!=` ones and `>` bounds excluded. Text that is not a vers range gives none.
 */
export function rangesFromVers(text: string): { ranges: AffectedRange[]; versions: string[]; excluded?: string[] } {
  const vers = parseVers(text.trim());
  if ('problem' in vers) return { ranges: [], versions: [] };
  if (vers.star) return { ranges: vers.scheme === 'none' ? [] : [{ introduced: '0' }], versions: [] };
  const order = versOrderFor(vers.scheme);
  const sorted = order && vers.constraints.every((c) => order.valid(c.version)) ? [...vers.constraints].sort((a, b) => order.compare(a.version, b.version)) : vers.constraints;
  const ranges: AffectedRange[] = [];
  const versions: string[] = [];
  const excluded: string[] = [];
  let open: AffectedRange | undefined;
  for (const { comparator, version } of sorted) {
    if (comparator === '>=' || comparator === '>') {
      if (open) ranges.push(open);
      open = { introduced: version };
      if (comparator === '>') excluded.push(version); // ranges start inclusive: the bound itself is kept out
    } else if (comparator === '<' || comparator === '<=') {
      ranges.push({ ...(open ?? {}), ...(comparator === '<' ? { fixed: version } : { lastAffected: version }) });
      open = undefined;
    } else if (comparator === '=') versions.push(version);
    else excluded.push(version);
  }
  if (open) ranges.push(open);
  return { ranges, versions, ...(excluded.length > 0 ? { excluded } : {}) };
}

function identity(f: ProductFacts, id: string): { key: string; purl?: string; product?: string } {
  const purl = f.purl ? purlIdentity(f.purl) : undefined;
  if (purl) return { key: purl, purl };
  const product = f.vendor && f.product ? `${f.vendor} ${f.product}` : (f.product ?? f.fullName ?? id);
  return { key: `product:${product}`, product };
}

function affectedOf(status: Record<string, unknown>, facts: Map<string, ProductFacts>): AffectedPackage[] {
  const groups = new Map<string, AffectedPackage>();
  const entryFor = (productId: string): { entry: AffectedPackage; f: ProductFacts } => {
    const f = facts.get(productId) ?? {};
    const who = identity(f, productId);
    let entry = groups.get(who.key);
    if (!entry) {
      entry = { ...(who.purl ? { purl: who.purl } : {}), ...(who.product ? { product: who.product } : {}), ranges: [], versions: [] };
      groups.set(who.key, entry);
    }
    if (f.cpe && !entry.cpes?.includes(f.cpe)) entry.cpes = [...(entry.cpes ?? []), f.cpe];
    return { entry, f };
  };
  for (const pid of distinct(list(status.known_affected))) {
    const { entry, f } = entryFor(pid);
    if (f.version) entry.versions.push(f.version);
    if (f.versionRange) {
      const fromVers = rangesFromVers(f.versionRange);
      entry.ranges.push(...fromVers.ranges);
      entry.versions.push(...fromVers.versions);
      if (fromVers.excluded) entry.excluded = [...(entry.excluded ?? []), ...fromVers.excluded];
    }
  }
  const bounds: [field: string, make: (v: string) => AffectedRange][] = [
    ['first_affected', (v) => ({ introduced: v })],
    ['last_affected', (v) => ({ lastAffected: v })],
    ['first_fixed', (v) => ({ fixed: v })],
    // A fixed version bounds the affected ones below it (vendors such as Red Hat list only these).
    ['fixed', (v) => ({ fixed: v })],
  ];
  for (const [field, make] of bounds) {
    for (const pid of distinct(list(status[field]))) {
      const { entry, f } = entryFor(pid);
      if (f.version) entry.ranges.push(make(f.version));
    }
  }
  return [...groups.values()].map((entry) => ({ ...entry, versions: distinct(entry.versions) }));
}

/** Ids that are global by their form keep it; others are namespaced by their system so two vendors' "12345" never meet. */
const GLOBAL_ID = /^(CVE-\d{4}-\d{4,}|GHSA(-[0-9a-z]{4}){3}|PYSEC-\d{4}-\d+|GO-\d{4}-\d+|RUSTSEC-\d{4}-\d+|OSV-\d{4}-\d+)$/;

function otherIds(vulnerability: Record<string, unknown>): string[] {
  return distinct(
    list(vulnerability.ids).map((entry) => {
      const e = record(entry);
      const t = text(e.text);
      if (!t) return undefined;
      return GLOBAL_ID.test(t) ? t : `${text(e.system_name) ?? 'id'}:${t}`;
    }),
  );
}

function notesText(notes: unknown[], categories: readonly string[]): string | undefined {
  const texts = notes
    .map(record)
    .filter((n) => typeof n.category === 'string' && categories.includes(n.category))
    .map((n) => text(n.text))
    .filter((t): t is string => t !== undefined);
  return texts.length > 0 ? texts.join('\n\n') : undefined;
}

export function csafToAdvisoryRecords(csaf: CsafDocument): AdvisoryRecord[] {
  const doc = record(csaf);
  const meta = record(doc.document);
  const tracking = record(meta.tracking);
  const trackingId = text(tracking.id) ?? '';
  const facts = productFacts(record(doc.product_tree));
  const documentReferences = list(meta.references).map((r) => record(r).url);
  return list(doc.vulnerabilities).map((v, index) => {
    const vuln = record(v);
    const cve = text(vuln.cve);
    const ids = otherIds(vuln);
    const id = cve ?? ids[0] ?? `${trackingId}#${index}`;
    const published = timestamp(vuln.release_date) ?? timestamp(tracking.initial_release_date);
    const modified = timestamp(tracking.current_release_date);
    const summary = text(vuln.title) ?? text(meta.title);
    const details = notesText(list(vuln.notes), ['description', 'summary', 'details']);
    const cwe = cweId(record(vuln.cwe).id);
    return {
      source: 'csaf' as const,
      id,
      aliases: ids.filter((a) => a !== id),
      withdrawn: false,
      ...(published ? { published } : {}),
      ...(modified ? { modified } : {}),
      ...(summary ? { summary } : {}),
      ...(details ? { details } : {}),
      cwes: cwe ? [cwe] : [],
      affected: affectedOf(record(vuln.product_status), facts),
      severities: distinctSeverities(list(vuln.scores).flatMap((s) => [severity(record(record(s).cvss_v3).vectorString), severity(record(record(s).cvss_v2).vectorString)])),
      references: distinct([...list(vuln.references).map((r) => record(r).url), ...documentReferences]),
    };
  });
}
