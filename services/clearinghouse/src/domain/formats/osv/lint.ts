/**
 * The OSV linter's offline checks (ossf/osv-schema tools/osv-linter), beyond what the schema says.
 * Those in the linter's "fatal" collection refuse a record (REC:001, REC:002, REC:003, RNG:002);
 * the other offline ones are warnings (REC:004, RNG:001, PKG:003). The online ones (does the
 * package exist in its registry) need the network and are not run.
 *
 * Written against any value: they run beside the schema, so a record the schema refuses still gets
 * every finding.
 */
import { list, record, text } from '../canonical-helpers';
import { pointer, problem, type Problem } from '../problems';
import { purlProblem } from '../purl';

export interface LintFindings {
  errors: Problem[];
  warnings: Problem[];
}

function duplicates(values: unknown[]): number[] {
  const seen = new Set<unknown>();
  const out: number[] = [];
  values.forEach((v, i) => {
    if (seen.has(v)) out.push(i);
    seen.add(v);
  });
  return out;
}

/** REC:002, REC:003, REC:004: id lists without duplicates or the record's own id; upstream apart from aliases and related. */
function idLists(doc: Record<string, unknown>, errors: Problem[], warnings: Problem[]): void {
  const id = doc.id;
  const checks: [field: 'aliases' | 'upstream' | 'related', code: string, into: Problem[]][] = [
    ['aliases', 'REC:002', errors],
    ['upstream', 'REC:003', errors],
    ['related', 'REC:004', warnings],
  ];
  for (const [field, code, into] of checks) {
    const values = list(doc[field]);
    for (const i of duplicates(values)) into.push(problem(pointer(field, i), `${code}: repeats an earlier entry of ${field}`, code));
    values.forEach((v, i) => {
      if (v === id) into.push(problem(pointer(field, i), `${code}: is the record's own id`, code));
    });
  }
  const upstream = list(doc.upstream);
  const aliases = new Set(list(doc.aliases));
  const related = new Set(list(doc.related));
  upstream.forEach((v, i) => {
    if (aliases.has(v)) errors.push(problem(pointer('upstream', i), 'REC:003: is also one of the aliases', 'REC:003'));
    if (related.has(v)) errors.push(problem(pointer('upstream', i), 'REC:003: is also one of the related ids', 'REC:003'));
  });
}

/** RNG:001, RNG:002 and the package-less range rule, per affected entry and range. */
function ranges(affected: Record<string, unknown>, at: number, errors: Problem[], warnings: Problem[]): void {
  const hasPackage = affected.package !== undefined;
  list(affected.ranges).forEach((r, j) => {
    const range = record(r);
    const type = text(range.type);
    if (!hasPackage && type !== undefined && type !== 'GIT') {
      errors.push(problem(pointer('affected', at, 'ranges', j, 'type'), `RNG:002: a range of type ${type} needs the entry's package (only GIT ranges stand without one)`, 'RNG:002'));
    }
    const events = list(range.events).map(record);
    if (!events.some((e) => e.introduced !== undefined)) warnings.push(problem(pointer('affected', at, 'ranges', j, 'events'), "RNG:001: has no 'introduced' event", 'RNG:001'));
    // Each `introduced` opens an interval that the next `fixed` closes; one that closes where it
    // opened spans nothing. (The linter compares all introduced values with all fixed ones, which
    // also flags adjacent intervals written out of order, [1.1, 1.2) then [1.0, 1.1), as the PyPA
    // database does in PYSEC-2022-42972 and PYSEC-2023-72: those are distinct and accepted here.)
    let open: unknown;
    events.forEach((e, k) => {
      if (e.introduced !== undefined) open = e.introduced;
      else if (e.fixed !== undefined) {
        if (open !== undefined && e.fixed === open) {
          errors.push(problem(pointer('affected', at, 'ranges', j, 'events', k, 'fixed'), `RNG:002: ${JSON.stringify(e.fixed)} is both where this interval is introduced and where it is fixed`, 'RNG:002'));
        }
        open = undefined;
      } else if (e.last_affected !== undefined) open = undefined;
    });
  });
}

export function lintOsv(value: unknown): LintFindings {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const doc = record(value);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { errors, warnings };
  const affected = list(doc.affected);
  if (doc.withdrawn === undefined && affected.length === 0) errors.push(problem('/affected', 'REC:001: a record that is not withdrawn must list what it affects', 'REC:001'));
  idLists(doc, errors, warnings);
  affected.forEach((a, i) => {
    const entry = record(a);
    ranges(entry, i, errors, warnings);
    const purl = record(entry.package).purl;
    if (typeof purl === 'string') {
      // As the linter does: a purl without a version may need one to parse for some types.
      const why = purlProblem(purl) === undefined ? undefined : purlProblem(`${purl}@version`);
      if (why !== undefined) warnings.push(problem(pointer('affected', i, 'package', 'purl'), `PKG:003: is not a valid package URL: ${why}`, 'PKG:003'));
    }
  });
  return { errors, warnings };
}
