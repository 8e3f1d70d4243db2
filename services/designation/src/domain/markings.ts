/**
 * Field markings and redaction to a reader's clearance. A response or event is built from the
 * full record and then cut down: every field above the reader's clearance is removed and named in
 * `redactedFields`, so a reader knows something was withheld without learning what.
 */
import { clearanceAtLeast, type Clearance, type Marking } from '@rampart/auth';

/** Markings of a case's fields; anything unlisted is CUI (a developer's proprietary submission). */
export const CASE_FIELD_MARKINGS: Record<string, Marking> = {
  determinations: 'SECRET',
  missingDomains: 'SECRET',
  readyForDecision: 'SECRET',
  'consultation.entries.comments': 'SECRET',
  'consultation.entries.view': 'SECRET',
  'decision.rationale': 'SECRET',
  'decision.outcome': 'SECRET',
  'decision.lapsedAgencies': 'SECRET',
};
export const CASE_BASE_MARKING: Marking = 'CUI';

/**
 * Evidence carries its own marking (SECRET at least). Below it a reader sees only that the item
 * exists (who, when, its hash and size); these details are withheld.
 */
export const EVIDENCE_DETAIL_FIELDS = ['domains', 'countedMetrics', 'metrics', 'task', 'model', 'dataset', 'sourceRevision', 'samples', 'suite', 'elicitationNotes'];

export interface Redacted<T> {
  value: T;
  redactedFields: string[];
}

/**
 * Removes the fields of `record` whose marking exceeds `clearance`. Paths use dots; a path whose
 * parent is an array applies to every element.
 */
export function redact<T extends object>(record: T, markings: Record<string, Marking>, clearance: Clearance): Redacted<T> {
  const copy = structuredClone(record) as Record<string, unknown>;
  const redactedFields: string[] = [];
  for (const [path, marking] of Object.entries(markings)) {
    if (clearanceAtLeast(clearance, marking)) continue;
    if (removePath(copy, path.split('.'))) redactedFields.push(path);
  }
  return { value: copy as T, redactedFields };
}

function removePath(target: unknown, parts: string[]): boolean {
  if (target === null || typeof target !== 'object') return false;
  if (Array.isArray(target)) return target.map((item) => removePath(item, parts)).some(Boolean);
  const [head, ...rest] = parts;
  const obj = target as Record<string, unknown>;
  if (!(head! in obj)) return false;
  if (rest.length === 0) {
    delete obj[head!];
    return true;
  }
  return removePath(obj[head!], rest);
}
