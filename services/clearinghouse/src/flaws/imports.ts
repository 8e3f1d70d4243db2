/**
 * Importing one feed record (OSV, CVE JSON 5.1) or document (CSAF 2.0, one record per
 * vulnerability): validated by the formats part (every problem with its JSON pointer), kept byte
 * for byte, stored beside its canonical form as `<source>:<record id>`. The very bytes held already
 * change nothing and announce nothing; other bytes replace the record and announce it
 * (`record.imported`), which the regroup consumer groups. A refused input is stored as received
 * with its reasons (state invalid: readable, never grouped) when it names its id; an input naming
 * none is only answered.
 */
import { createHash } from 'node:crypto';
import { formatSchemas } from '../assets/schemas';
import { csafToAdvisoryRecords, cveToAdvisoryRecord, formatValidators, osvToAdvisoryRecord, type AdvisoryRecord, type CveRecord, type OsvRecord, type Problem, type Validation } from '../domain/formats';
import { normaliseId } from '../domain/flaws';
import { recordImportedEvent } from '../events/flaw-events';
import { advisoryId, problemsToStored, type AdvisoryState, type AdvisoryStore, type ImportFormat } from './advisory-store';

/** Per item (the request as a whole is bounded by gRPC's 1 MiB). */
export const IMPORT_LIMITS = { items: 100, recordsPerDocument: 100, idChars: 256 } as const;

export type ImportOutcome = 'stored' | 'replaced' | 'unchanged' | 'invalid';

export interface ImportResult {
  outcome: ImportOutcome;
  advisoryIds: string[];
  errors: readonly Problem[];
  errorCount: number;
  warnings: readonly Problem[];
  warningCount: number;
}

export interface Importer {
  subject: string;
  organization: string;
}

const MEDIA_TYPE: Record<ImportFormat, string> = {
  osv: 'application/json; profile="https://ossf.github.io/osv-schema"',
  csaf: 'application/json; profile="https://docs.oasis-open.org/csaf/csaf/v2.0"',
  cve: 'application/json; profile="https://cveproject.github.io/cve-schema/5.1"',
};

/** The id a refused input names, best effort (so it can be stored with its reasons). */
function claimedId(format: ImportFormat, bytes: Uint8Array): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
  const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[k] : undefined), v);
  const id = format === 'osv' ? at(value, 'id') : format === 'cve' ? at(value, 'cveMetadata', 'cveId') : at(value, 'document', 'tracking', 'id');
  return typeof id === 'string' && id.trim() !== '' && id.length <= IMPORT_LIMITS.idChars ? id.trim() : undefined;
}

async function validate(format: ImportFormat, bytes: Uint8Array): Promise<{ validation: Validation<unknown>; records: AdvisoryRecord[] }> {
  const validators = formatValidators(formatSchemas());
  if (format === 'csaf') {
    const validation = await validators.csaf(bytes);
    return { validation, records: validation.ok ? csafToAdvisoryRecords(validation.document) : [] };
  }
  const validation = format === 'osv' ? validators.osv(bytes) : validators.cve(bytes);
  if (!validation.ok) return { validation, records: [] };
  return { validation, records: [format === 'osv' ? osvToAdvisoryRecord(validation.document as OsvRecord) : cveToAdvisoryRecord(validation.document as CveRecord)] };
}

/** Problems of the canonical records themselves (ids the store cannot key by, too many records). */
function recordProblems(records: readonly AdvisoryRecord[]): Problem[] {
  const problems: Problem[] = [];
  if (records.length > IMPORT_LIMITS.recordsPerDocument) problems.push({ pointer: '/vulnerabilities', message: `holds ${records.length} vulnerabilities, more than ${IMPORT_LIMITS.recordsPerDocument} per document`, rule: 'limits' });
  records.forEach((r, i) => {
    if (normaliseId(r.id) === '' || r.id.length > IMPORT_LIMITS.idChars) problems.push({ pointer: records.length > 1 ? `/vulnerabilities/${i}` : '/id', message: `record id must be 1 to ${IMPORT_LIMITS.idChars} characters`, rule: 'limits' });
  });
  return problems;
}

export async function importItem(store: AdvisoryStore, format: ImportFormat, bytes: Uint8Array, by: Importer, now: Date): Promise<ImportResult> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const received = { mediaType: MEDIA_TYPE[format], sha256, sizeBytes: bytes.length };
  const { validation, records: found } = await validate(format, bytes);
  const extra = validation.ok ? recordProblems(found) : [];
  const errors = validation.ok ? extra : validation.errors;
  const errorCount = validation.ok ? extra.length : validation.errorCount;
  const answer = { errors, errorCount, warnings: validation.warnings, warningCount: validation.warningCount };

  // One record per distinct id; a refused input is one invalid record under the id it names.
  const records = errorCount === 0 ? [...new Map(found.map((r) => [normaliseId(r.id), r])).values()] : [];
  const invalidId = errorCount > 0 ? claimedId(format, bytes) : undefined;
  if (errorCount > 0 && invalidId === undefined) return { outcome: 'invalid', advisoryIds: [], ...answer };

  const planned: { flawId: string; recordId: string; record?: AdvisoryRecord }[] =
    errorCount > 0 ? [{ flawId: normaliseId(invalidId!), recordId: invalidId! }] : records.map((r) => ({ flawId: normaliseId(r.id), recordId: r.id, record: r }));
  let bytesKept = false;
  const outcomes: ImportOutcome[] = [];
  for (const p of planned) {
    const id = advisoryId(format, p.flawId);
    for (let attempt = 0; ; attempt++) {
      const previous = await store.get(id);
      if (previous?.received.sha256 === sha256) {
        outcomes.push('unchanged');
        break;
      }
      const state: AdvisoryState = {
        source: format, recordId: p.recordId, flawId: p.flawId, state: errorCount > 0 ? 'invalid' : 'accepted',
        ...(p.record ? { record: p.record } : {}),
        errors: problemsToStored(errors), errorCount, warnings: problemsToStored(validation.warnings), warningCount: validation.warningCount,
        received, importedBy: by.subject, importedOrganization: by.organization, firstImportedAt: previous?.firstImportedAt ?? now, importedAt: now,
      };
      const event = (revision: number) => [recordImportedEvent({
        advisoryId: id, revision, source: format, recordId: p.recordId, flawId: p.flawId, state: state.state,
        aliases: p.record ? [...p.record.aliases] : [], withdrawn: p.record?.withdrawn ?? false, sha256, importedBy: by.subject, importedAt: now.toISOString(),
      }, now)];
      // The bytes beside it, in parallel (a lone bytes document, should the record's write fail, is harmless).
      const [put] = await Promise.all([store.put(id, previous, state, event), bytesKept ? undefined : store.keepBytes(sha256, bytes)]);
      bytesKept = true;
      if (put) {
        outcomes.push(errorCount > 0 ? 'invalid' : previous ? 'replaced' : 'stored');
        break;
      }
      // Another import of this record got there first: read it again (bounded: writers are few).
      if (attempt >= 4) throw new Error(`record ${id} kept changing while importing it`);
    }
  }
  const outcome: ImportOutcome = errorCount > 0 ? 'invalid' : outcomes.includes('replaced') ? 'replaced' : outcomes.includes('stored') ? 'stored' : 'unchanged';
  return { outcome, advisoryIds: planned.map((p) => advisoryId(format, p.flawId)), ...answer };
}
