/** CISA's Known Exploited Vulnerabilities catalog (the schema itself is in assets). */

export interface KevEntry {
  cveID: string;
  vendorProject: string;
  product: string;
  vulnerabilityName: string;
  /** YYYY-MM-DD */
  dateAdded: string;
  shortDescription: string;
  requiredAction: string;
  /** YYYY-MM-DD; may precede dateAdded. */
  dueDate: string;
  /** `Known` or `Unknown`. */
  knownRansomwareCampaignUse?: string;
  notes?: string;
  cwes?: string[];
}

export interface KevCatalog {
  title?: string;
  catalogVersion: string;
  dateReleased: string;
  count: number;
  vulnerabilities: KevEntry[];
}
