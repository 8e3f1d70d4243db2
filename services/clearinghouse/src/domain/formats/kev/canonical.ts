/**
 * A KEV entry in canonical form: its id is the CVE id it lists (KEV has no id of its own), so it
 * joins that CVE's flaw; `knownExploited` carries the dates and the required action. The catalog's
 * `notes` field is free text holding the references, separated by " ; ".
 */
import type { AdvisoryRecord } from '../advisory-record';
import { cweId, distinct, list, record, text } from '../canonical-helpers';
import type { KevCatalog, KevEntry } from './types';

const URL_IN_TEXT = /https?:\/\/[^\s;]+/g;

export function kevEntryToAdvisoryRecord(entry: KevEntry): AdvisoryRecord {
  const e = record(entry);
  const id = text(e.cveID) ?? '';
  const vendor = text(e.vendorProject);
  const productName = text(e.product);
  const product = [vendor, productName].filter((t) => t !== undefined).join(' ') || undefined;
  const summary = text(e.vulnerabilityName);
  const details = text(e.shortDescription);
  const ransomware = text(e.knownRansomwareCampaignUse);
  const notes = text(e.notes) ?? '';
  return {
    source: 'kev',
    id,
    aliases: [],
    withdrawn: false,
    ...(text(e.dateAdded) ? { published: text(e.dateAdded) } : {}),
    ...(summary ? { summary } : {}),
    ...(details ? { details } : {}),
    cwes: distinct(list(e.cwes).map(cweId)),
    affected: product ? [{ product, ranges: [], versions: [] }] : [],
    severities: [],
    references: distinct(notes.match(URL_IN_TEXT) ?? []),
    knownExploited: {
      dateAdded: text(e.dateAdded) ?? '',
      dueDate: text(e.dueDate) ?? '',
      requiredAction: text(e.requiredAction) ?? '',
      ...(ransomware ? { ransomware } : {}),
    },
  };
}

export function kevCatalogToAdvisoryRecords(catalog: KevCatalog): AdvisoryRecord[] {
  return list(record(catalog).vulnerabilities).map((v) => kevEntryToAdvisoryRecord(v as KevEntry));
}
