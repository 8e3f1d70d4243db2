/** The SARIF 2.1.0 fields this service reads (the OASIS schema itself is in assets). */

export type SarifLevel = 'none' | 'note' | 'warning' | 'error';

export interface SarifMessage {
  text?: string;
  markdown?: string;
  id?: string;
  arguments?: string[];
}

export interface SarifRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  charOffset?: number;
  charLength?: number;
  byteOffset?: number;
  byteLength?: number;
}

export interface SarifArtifactLocation {
  uri?: string;
  uriBaseId?: string;
  index?: number;
}

export interface SarifLocation {
  physicalLocation?: { artifactLocation?: SarifArtifactLocation; region?: SarifRegion };
  logicalLocations?: { fullyQualifiedName?: string; name?: string }[];
}

export interface SarifReportingDescriptor {
  id: string;
  name?: string;
  shortDescription?: SarifMessage;
  messageStrings?: Record<string, { text?: string; markdown?: string }>;
  defaultConfiguration?: { level?: SarifLevel; enabled?: boolean };
  properties?: { tags?: string[]; [key: string]: unknown };
}

export interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  rule?: { id?: string; index?: number };
  kind?: 'notApplicable' | 'pass' | 'fail' | 'review' | 'open' | 'informational';
  level?: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
  fingerprints?: Record<string, string>;
  partialFingerprints?: Record<string, string>;
  properties?: Record<string, unknown>;
}

export interface SarifRun {
  tool: { driver: { name: string; version?: string; semanticVersion?: string; rules?: SarifReportingDescriptor[] } };
  artifacts?: { location?: SarifArtifactLocation }[];
  results?: SarifResult[];
  originalUriBaseIds?: Record<string, { uri?: string }>;
}

export interface SarifLog {
  version: '2.1.0';
  $schema?: string;
  runs: SarifRun[];
}
