/**
 * What the CVE Program's own services check beyond the 5.1 schema (CVEProject/cve-services,
 * cve.middleware.js `validateUniqueEnglishEntry`): the CNA's descriptions and rejection reasons
 * may hold one entry per English language tag. Two `en` entries are refused although the schema
 * passes them; `en` beside `en-GB` is allowed, as are two entries in another language.
 */
import { list, record } from '../canonical-helpers';
import { pointer, problem, type Problem } from '../problems';

const FIELDS = ['descriptions', 'rejectedReasons'] as const;

export function cveRuleProblems(value: unknown): Problem[] {
  const out: Problem[] = [];
  const cna = record(record(record(value).containers).cna);
  for (const field of FIELDS) {
    const seen = new Map<string, number>();
    list(cna[field]).forEach((entry, i) => {
      const lang = record(entry).lang;
      if (typeof lang !== 'string') return;
      const tag = lang.toLowerCase();
      if (!tag.startsWith('en')) return;
      const first = seen.get(tag);
      if (first === undefined) seen.set(tag, i);
      else out.push(problem(pointer('containers', 'cna', field, i, 'lang'), `is a second English entry tagged ${JSON.stringify(lang)} (the first is entry ${first}): one per English language tag`, 'cve-unique-english'));
    });
  }
  return out;
}
