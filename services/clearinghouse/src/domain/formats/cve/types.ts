/** The CVE JSON 5.1 record fields this service reads (the bundled schema itself is in assets). */

export interface CveDescription {
  lang: string;
  value: string;
}

export interface CveVersion {
  version: string;
  status: 'affected' | 'unaffected' | 'unknown';
  versionType?: string;
  lessThan?: string;
  lessThanOrEqual?: string;
  changes?: { at: string; status: 'affected' | 'unaffected' | 'unknown' }[];
}

export interface CveAffected {
  vendor?: string;
  product?: string;
  collectionURL?: string;
  packageName?: string;
  cpes?: string[];
  defaultStatus?: 'affected' | 'unaffected' | 'unknown';
  versions?: CveVersion[];
}

export interface CveMetric {
  cvssV4_0?: { vectorString: string };
  cvssV3_1?: { vectorString: string };
  cvssV3_0?: { vectorString: string };
  cvssV2_0?: { vectorString: string };
}

export interface CveContainer {
  title?: string;
  descriptions?: CveDescription[];
  rejectedReasons?: CveDescription[];
  affected?: CveAffected[];
  problemTypes?: { descriptions: { cweId?: string; description: string; lang: string }[] }[];
  metrics?: CveMetric[];
  references?: { url: string; name?: string }[];
  datePublic?: string;
}

export interface CveRecord {
  dataType: 'CVE_RECORD';
  dataVersion: string;
  cveMetadata: {
    cveId: string;
    state: 'PUBLISHED' | 'REJECTED';
    assignerOrgId: string;
    datePublished?: string;
    dateUpdated?: string;
    dateReserved?: string;
    dateRejected?: string;
  };
  containers: { cna: CveContainer; adp?: CveContainer[] };
}
