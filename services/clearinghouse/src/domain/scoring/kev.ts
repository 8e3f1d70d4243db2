/**
 * KEV status: is a flaw in CISA's Known Exploited Vulnerabilities catalog, since when, and by when
 * must federal agencies remediate it (BOD 22-01's due date). KEV lists CVE ids only, so a flaw is
 * matched through the CVE ids among its ids and aliases, whatever their case.
 *
 * The catalog's own dates are kept as it writes them (`YYYY-MM-DD`, validated with the catalog by
 * the formats part) and compared as text, which orders such dates correctly. A due date before the
 * date added is legal (entries added for an earlier emergency directive carry that directive's date)
 * and reported as it is, flagged.
 */

/** The fields of a KEV catalog entry this part uses (the catalog's own names). */
export interface KevEntry {
  readonly cveID: string;
  readonly dateAdded: string;
  readonly dueDate: string;
  /** `Known` or `Unknown`. */
  readonly knownRansomwareCampaignUse?: string;
  readonly vendorProject?: string;
  readonly product?: string;
  readonly vulnerabilityName?: string;
  readonly requiredAction?: string;
}

export type KevStatus =
  | { readonly listed: false }
  | {
      readonly listed: true;
      /** The listed CVE id; when several of the flaw's ids are listed, the one listed first. */
      readonly cveId: string;
      readonly dateAdded: string;
      readonly dueDate: string;
      /** The due date is before the date added (legal in the catalog). */
      readonly dueBeforeAdded: boolean;
      readonly knownRansomwareCampaignUse: boolean;
      readonly requiredAction?: string;
      /** The flaw's other listed CVE ids, if any, sorted. */
      readonly alsoListed: readonly string[];
    };

export const NOT_IN_KEV: KevStatus = { listed: false };

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;

/**
 * The CVE ids among a flaw's ids and aliases, upper-cased, sorted, once each: the keys to read KEV
 * entries by (`_id` lookups).
 */
export function kevCveIds(ids: readonly string[]): string[] {
  return [...new Set(ids.map((id) => id.trim().toUpperCase()).filter((id) => CVE_ID.test(id)))].sort();
}

/**
 * The flaw's KEV status from `entries` (the whole catalog or only the entries read by the flaw's CVE
 * ids: entries for other CVEs are ignored; an entry repeated for one CVE counts as given last, a
 * newer catalog's). Listed when any of its CVE ids is; the entry added first
 * (then the lowest id) gives the dates, so a status never moves later when another alias is listed.
 */
export function kevStatus(ids: readonly string[], entries: Iterable<KevEntry>): KevStatus {
  const wanted = new Set(kevCveIds(ids));
  const matches: KevEntry[] = [];
  for (const entry of entries) if (wanted.has(entry.cveID.trim().toUpperCase())) matches.push(entry);
  if (matches.length === 0) return NOT_IN_KEV;
  const byCve = new Map(matches.map((e) => [e.cveID.trim().toUpperCase(), e] as const));
  const ordered = [...byCve.entries()].sort(([a, x], [b, y]) => (x.dateAdded < y.dateAdded ? -1 : x.dateAdded > y.dateAdded ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const [[cveId, first]] = ordered as [[string, KevEntry], ...[string, KevEntry][]];
  return {
    listed: true,
    cveId,
    dateAdded: first.dateAdded,
    dueDate: first.dueDate,
    dueBeforeAdded: first.dueDate < first.dateAdded,
    knownRansomwareCampaignUse: first.knownRansomwareCampaignUse === 'Known',
    ...(first.requiredAction === undefined ? {} : { requiredAction: first.requiredAction }),
    alsoListed: ordered.slice(1).map(([id]) => id),
  };
}
