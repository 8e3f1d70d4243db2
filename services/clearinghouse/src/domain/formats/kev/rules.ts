/**
 * Catalog checks beyond its schema, as warnings: the catalog still imports (CISA's own file is the
 * authority), but an analyst is told. A due date before the date added is legal and not flagged
 * (entries added under an earlier emergency directive keep that directive's date).
 */
import { list, record } from '../canonical-helpers';
import { pointer, problem, type Problem } from '../problems';

export function kevWarnings(value: unknown): Problem[] {
  const out: Problem[] = [];
  const doc = record(value);
  const entries = list(doc.vulnerabilities);
  if (typeof doc.count === 'number' && Array.isArray(doc.vulnerabilities) && doc.count !== entries.length) {
    out.push(problem('/count', `says ${doc.count} entries but the catalog lists ${entries.length}`, 'kev-count'));
  }
  const seen = new Map<unknown, number>();
  entries.forEach((e, i) => {
    const id = record(e).cveID;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first !== undefined) out.push(problem(pointer('vulnerabilities', i, 'cveID'), `lists ${id} again (first at entry ${first})`, 'kev-duplicate'));
    else seen.set(id, i);
  });
  return out;
}
