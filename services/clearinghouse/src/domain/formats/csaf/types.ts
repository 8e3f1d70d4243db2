/** The CSAF 2.0 fields this service reads (the OASIS schema itself is in assets). */

export interface CsafProductHelper {
  purl?: string;
  cpe?: string;
}

export interface CsafFullProductName {
  name: string;
  product_id: string;
  product_identification_helper?: CsafProductHelper;
}

export interface CsafBranch {
  category: string;
  name: string;
  branches?: CsafBranch[];
  product?: CsafFullProductName;
}

export interface CsafProductStatus {
  first_affected?: string[];
  first_fixed?: string[];
  fixed?: string[];
  known_affected?: string[];
  known_not_affected?: string[];
  last_affected?: string[];
  recommended?: string[];
  under_investigation?: string[];
}

export interface CsafVulnerability {
  cve?: string;
  cwe?: { id: string; name: string };
  ids?: { system_name: string; text: string }[];
  title?: string;
  notes?: { category: string; text: string; title?: string }[];
  discovery_date?: string;
  release_date?: string;
  product_status?: CsafProductStatus;
  scores?: { products: string[]; cvss_v2?: { vectorString: string }; cvss_v3?: { vectorString: string } }[];
  references?: { url: string; summary: string; category?: string }[];
}

export interface CsafDocument {
  document: {
    category: string;
    csaf_version: '2.0';
    title: string;
    publisher: { category: string; name: string; namespace: string };
    tracking: {
      id: string;
      status: 'draft' | 'final' | 'interim';
      version: string;
      initial_release_date: string;
      current_release_date: string;
      revision_history: { date: string; number: string; summary: string }[];
    };
    notes?: { category: string; text: string }[];
    references?: { url: string; summary: string }[];
  };
  product_tree?: {
    branches?: CsafBranch[];
    full_product_names?: CsafFullProductName[];
    relationships?: { category: string; product_reference: string; relates_to_product_reference: string; full_product_name: CsafFullProductName }[];
  };
  vulnerabilities?: CsafVulnerability[];
}
