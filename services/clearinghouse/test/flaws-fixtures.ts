/** The PyPA advisories (OSV, YAML) of the conformance data as the flaw rules' records. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@rampart/testing';
import type { AffectedPackage, AffectedRange, FlawRecord } from '../src/domain/flaws';

export const PYPA_DIR = path.join(REPO_ROOT, '../shared/conformance/advisories/pypa');

interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}
interface OsvAdvisory {
  id: string;
  aliases?: string[];
  withdrawn?: unknown;
  affected?: { package?: { purl?: string }; ranges?: { type: string; events?: OsvEvent[] }[]; versions?: string[]; database_specific?: { cwe_ids?: string[] } }[];
  database_specific?: { cwe_ids?: string[] };
}

/** OSV range events to spans: each `introduced` opens one, the next `fixed` or `last_affected` closes it. */
function rangesOf(events: readonly OsvEvent[]): AffectedRange[] {
  const spans: AffectedRange[] = [];
  let open: AffectedRange | undefined;
  for (const e of events) {
    if (e.introduced !== undefined) {
      if (open) spans.push(open);
      open = { introduced: e.introduced };
    } else if (e.fixed !== undefined || e.last_affected !== undefined) {
      spans.push({ ...(open ?? {}), ...(e.fixed !== undefined ? { fixed: e.fixed } : { lastAffected: e.last_affected }) });
      open = undefined;
    }
  }
  if (open) spans.push(open);
  return spans;
}

export function osvToFlawRecord(osv: OsvAdvisory): FlawRecord {
  const affected: AffectedPackage[] = (osv.affected ?? []).map((a) => ({
    ...(a.package?.purl !== undefined ? { purl: a.package.purl } : {}),
    ranges: (a.ranges ?? []).filter((r) => r.type !== 'GIT').flatMap((r) => rangesOf(r.events ?? [])),
    versions: (a.versions ?? []).map(String),
  }));
  return {
    source: 'osv',
    id: osv.id,
    aliases: osv.aliases ?? [],
    withdrawn: osv.withdrawn !== undefined && osv.withdrawn !== null,
    affected,
    cwes: osv.database_specific?.cwe_ids ?? [],
  };
}

let cache: FlawRecord[] | undefined;

/** Every advisory of the corpus, in file-name order (YAML's failsafe schema: versions such as 1.10 stay text). */
export function pypaRecords(): FlawRecord[] {
  if (cache) return cache;
  const records: FlawRecord[] = [];
  for (const dir of fs.readdirSync(PYPA_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of fs.readdirSync(path.join(PYPA_DIR, dir)).filter((f) => f.endsWith('.yaml')).sort()) {
      records.push(osvToFlawRecord(parse(fs.readFileSync(path.join(PYPA_DIR, dir, file), 'utf8'), { schema: 'failsafe' }) as OsvAdvisory));
    }
  }
  cache = records;
  return records;
}
