/**
 * Input rules for reports. Every violation names its field as the client spelled it (proto field
 * paths) and why, and all of them are reported at once.
 */
import { retryKeyField, textField as text, uuidField, type FieldViolation } from '@rampart/errors';
import { affectedProducts, type AffectedProductInput } from './products';
import { cvssVectorsField } from './report-scoring';
import { DEFAULT_TLP, DISCOVERY_METHODS, isReportStatus, TLP_LABELS, type CveRecordRequest, type Discovery, type ReportDetails, type ReportStatus, type RequestedEmbargo, type TlpLabel } from './report';
import { ianaTimeZone } from './time-zones';

export const LIMITS = {
  title: 300,
  description: 20_000,
  proof: 100_000,
  cweIds: 20,
  toolName: 200,
  toolVersion: 100,
  cvssVectors: 3,
  cvssVector: 512,
  cna: 32,
  reasons: 20,
  reason: 2_000,
  /** The latest requested embargo end, in days after receipt: a request, bounded so a typo cannot ask for decades. */
  embargoDays: 365,
} as const;

const DAY_MS = 24 * 3600 * 1000;
const CWE = /^CWE-[1-9]\d{0,5}$/;
const CVE = /^CVE-\d{4}-\d{4,19}$/;

/** The details as they arrive, before checks: anything may be missing or malformed. */
export interface ReportDetailsInput {
  title?: string;
  affectedProducts?: AffectedProductInput[];
  cweIds?: string[];
  description?: string;
  proof?: string;
  discovery?: { method?: string; toolName?: string; toolVersion?: string };
  requestedEmbargo?: { endAt?: Date; timeZone?: string };
  /** Undefined: none given (AMBER). */
  tlp?: string;
  cvssVectors?: string[];
  cve?: { state?: string; cna?: string; cveId?: string };
}

type Violations = FieldViolation[];

function cweIds(out: Violations, field: string, input: string[] | undefined): string[] {
  const ids = input ?? [];
  if (ids.length > LIMITS.cweIds) out.push({ field, description: `must have at most ${LIMITS.cweIds} entries` });
  const clean = ids.slice(0, LIMITS.cweIds);
  clean.forEach((id, i) => {
    if (!CWE.test(id)) out.push({ field: `${field}[${i}]`, description: 'must be a CWE id, CWE-<number> (e.g. CWE-79)' });
  });
  if (new Set(clean).size !== clean.length) out.push({ field, description: 'must not repeat a CWE id' });
  return clean;
}

function discovery(out: Violations, field: string, input: ReportDetailsInput['discovery']): Discovery {
  const method = input?.method;
  if (!method || !(DISCOVERY_METHODS as readonly string[]).includes(method)) {
    out.push({ field: `${field}.method`, description: 'is required: human, ai_model or scanner' });
  }
  const tool = method === 'ai_model' || method === 'scanner';
  const toolName = text(out, `${field}.tool_name`, input?.toolName, LIMITS.toolName, tool);
  const toolVersion = text(out, `${field}.tool_version`, input?.toolVersion, LIMITS.toolVersion, false);
  return { method: method as Discovery['method'], ...(toolName ? { toolName } : {}), ...(toolVersion ? { toolVersion } : {}) };
}

function embargo(out: Violations, field: string, input: ReportDetailsInput['requestedEmbargo'], now: Date): RequestedEmbargo | undefined {
  if (!input) return undefined;
  const endAt = input.endAt;
  if (!endAt || Number.isNaN(endAt.getTime())) out.push({ field: `${field}.end_time`, description: 'is required' });
  else if (endAt.getTime() <= now.getTime()) out.push({ field: `${field}.end_time`, description: `must be in the future (now is ${now.toISOString()})` });
  else if (endAt.getTime() > now.getTime() + LIMITS.embargoDays * DAY_MS) out.push({ field: `${field}.end_time`, description: `must be at most ${LIMITS.embargoDays} days from now` });
  const zone = input.timeZone ?? '';
  const timeZone = zone ? ianaTimeZone(zone) : undefined;
  if (!zone) out.push({ field: `${field}.time_zone`, description: 'is required: an IANA time zone, e.g. America/New_York or UTC' });
  else if (!timeZone) out.push({ field: `${field}.time_zone`, description: 'must be an IANA time zone name, e.g. America/New_York or UTC' });
  return endAt && timeZone ? { endAt, timeZone } : undefined;
}

function tlp(out: Violations, field: string, input: string | undefined): TlpLabel {
  if (input === undefined) return DEFAULT_TLP;
  if (!(TLP_LABELS as readonly string[]).includes(input)) out.push({ field, description: `must be one of ${TLP_LABELS.join(', ')} (unset means ${DEFAULT_TLP})` });
  return input as TlpLabel;
}

function cve(out: Violations, field: string, input: ReportDetailsInput['cve']): CveRecordRequest | undefined {
  const state = input?.state;
  const cna = text(out, `${field}.cna`, input?.cna, LIMITS.cna, state !== undefined);
  const cveId = input?.cveId ?? '';
  if (state === undefined) {
    if (cna || cveId) out.push({ field: `${field}.state`, description: 'is required when cna or cve_id is given: requested or assigned' });
    return undefined;
  }
  if (state !== 'requested' && state !== 'assigned') {
    out.push({ field: `${field}.state`, description: 'must be requested or assigned' });
    return undefined;
  }
  if (cna && cna.length < 2) out.push({ field: `${field}.cna`, description: "must be the CNA's short name (2 to 32 characters)" });
  if (state === 'assigned' && !CVE.test(cveId)) out.push({ field: `${field}.cve_id`, description: cveId ? 'must be a CVE id, CVE-YYYY-NNNN (4 or more digits)' : 'is required once assigned' });
  if (state === 'requested' && cveId) out.push({ field: `${field}.cve_id`, description: 'must be empty until the CNA assigns it (state assigned)' });
  return { state, cna, ...(state === 'assigned' ? { cveId } : {}) };
}

/** Checks and normalises a report's details; every violation at once. */
export function validateReportDetails(input: ReportDetailsInput | undefined, now: Date, prefix = 'details'): { details?: ReportDetails; violations: Violations } {
  const out: Violations = [];
  if (!input) return { violations: [{ field: prefix, description: 'is required' }] };
  const f = (name: string) => `${prefix}.${name}`;
  const title = text(out, f('title'), input.title, LIMITS.title);
  const products = affectedProducts(out, f('affected_products'), input.affectedProducts);
  const cwes = cweIds(out, f('cwe_ids'), input.cweIds);
  const description = text(out, f('description'), input.description, LIMITS.description);
  const proof = text(out, f('proof'), input.proof, LIMITS.proof, false);
  const found = discovery(out, f('discovery'), input.discovery);
  const requestedEmbargo = embargo(out, f('requested_embargo'), input.requestedEmbargo, now);
  const label = tlp(out, f('tlp'), input.tlp);
  // Strictly, every metric and value (scoring's cvssVectorField): a report is scored on receipt.
  const vectors = cvssVectorsField(out, f('cvss_vectors'), input.cvssVectors);
  const cveRecord = cve(out, f('cve'), input.cve);
  if (out.length > 0) return { violations: out };
  return {
    violations: out,
    details: {
      title,
      affectedProducts: products,
      cweIds: cwes,
      description,
      ...(proof ? { proof } : {}),
      discovery: found,
      ...(requestedEmbargo ? { requestedEmbargo } : {}),
      tlp: label,
      cvssVectors: vectors,
      ...(cveRecord ? { cve: cveRecord } : {}),
    },
  };
}

export function validateIdempotencyKey(key: string | undefined): Violations {
  const out: Violations = [];
  retryKeyField(out, 'idempotency_key', key, 'any value unique within your organisation, e.g. a UUID; a retry with the same key gets the same report');
  return out;
}

export function validateReportId(id: string | undefined, field = 'report_id'): Violations {
  const out: Violations = [];
  uuidField(out, field, id, 'a report id');
  return out;
}

/** A transition's own fields (the report's id is checked apart, before it is read). */
export function validateTransition(input: { expectedRevision: number; to: string | undefined; reasons: string[] }): { to?: ReportStatus; reasons: string[]; violations: Violations } {
  const out: Violations = [];
  if (!Number.isInteger(input.expectedRevision) || input.expectedRevision < 1) out.push({ field: 'expected_revision', description: 'is required: the revision you last read' });
  const to = input.to;
  if (!to || to === 'received' || !isReportStatus(to)) {
    out.push({ field: 'to_status', description: 'is required: valid, invalid, accepted, deferred or closed' });
  }
  if (input.reasons.length === 0) out.push({ field: 'reasons', description: 'must give at least one reason: who moved a report, and why, is recorded' });
  if (input.reasons.length > LIMITS.reasons) out.push({ field: 'reasons', description: `must have at most ${LIMITS.reasons} entries` });
  const reasons = input.reasons.slice(0, LIMITS.reasons).map((r, i) => text(out, `reasons[${i}]`, r, LIMITS.reason));
  return { ...(out.length === 0 && to && isReportStatus(to) ? { to } : {}), reasons, violations: out };
}
