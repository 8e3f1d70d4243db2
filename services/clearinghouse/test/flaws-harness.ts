/** Helpers of the flaws e2e tests: PyPA advisories as OSV JSON, imports in batches, and the signal that every regroup was applied. */
import fs from 'node:fs';
import path from 'node:path';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { DEFAULT_LIMITS, parseYaml } from '../src/domain/formats';
import { REGROUP_CONSUMER } from '../src/flaws/wiring';
import { PYPA_DIR } from './flaws-fixtures';
import { call, type ClearinghouseHarness } from './harness';

export interface PypaFile {
  /** e.g. binderhub/PYSEC-2021-371 */
  name: string;
  id: string;
  json: Buffer;
}

let cache: PypaFile[] | undefined;

/** Every PyPA advisory, read from its YAML (PyYAML's reading, as the formats part does) and sent as OSV JSON, in file order. */
export function pypaFiles(): PypaFile[] {
  if (cache) return cache;
  const out: PypaFile[] = [];
  for (const dir of fs.readdirSync(PYPA_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort()) {
    for (const file of fs.readdirSync(path.join(PYPA_DIR, dir)).filter((f) => f.endsWith('.yaml')).sort()) {
      const parsed = parseYaml(fs.readFileSync(path.join(PYPA_DIR, dir, file)), DEFAULT_LIMITS);
      if (!parsed.ok) throw new Error(`${dir}/${file} is not YAML`);
      out.push({ name: `${dir}/${path.basename(file, '.yaml')}`, id: path.basename(file, '.yaml'), json: Buffer.from(JSON.stringify(parsed.value)) });
    }
  }
  cache = out;
  return out;
}

export const osvItem = (json: Buffer | object): v1.ImportItem => ({ format: v1.AdvisoryFormat.ADVISORY_FORMAT_OSV, document: Buffer.isBuffer(json) ? json : Buffer.from(JSON.stringify(json)) });

/** Imports `items` in requests of `batch`, a few requests at once; the results in item order. */
export async function importAll(h: ClearinghouseHarness, token: string, items: readonly v1.ImportItem[], batch = 100, parallel = 2): Promise<v1.ImportResult[]> {
  const batches: v1.ImportItem[][] = [];
  for (let i = 0; i < items.length; i += batch) batches.push(items.slice(i, i + batch));
  const results: v1.ImportResult[][] = new Array(batches.length);
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < batches.length) {
      const at = next++;
      results[at] = (await call<v1.ImportAdvisoriesResponse>(h.client, 'importAdvisories', { items: batches[at] }, token)).results;
    }
  }));
  return results.flat();
}

/**
 * Every regroup asked for so far was applied: no outbox still holds an event of the collections
 * that feed the regroup consumer (so every such event is in the stream), and then the consumer has
 * nothing undelivered and nothing unacknowledged (a regroup is acknowledged once written).
 */
export async function regroupsSettled(h: ClearinghouseHarness): Promise<boolean> {
  const db = h.mongo.db(h.database);
  for (const name of ['clearinghouse_advisories', 'clearinghouse_grouping_decisions', 'clearinghouse_reports']) {
    if ((await db.collection(name).countDocuments({ 'outbox.0': { $exists: true } })) > 0) return false;
  }
  const info = await h.jsm.consumers.info(REGROUP_CONSUMER.stream, REGROUP_CONSUMER.durable).catch(() => undefined);
  return info !== undefined && info.num_pending === 0 && info.num_ack_pending === 0;
}

export interface StoredGroup {
  id: string;
  members: string[];
}

/** The current vulnerabilities as stored: id and records. */
export async function storedGroups(h: ClearinghouseHarness): Promise<{ groups: StoredGroup[]; flags: { id: string; kind: string; groups: string[] }[] }> {
  const docs = await h.mongo.db(h.database).collection('clearinghouse_vulnerabilities').find({ state: 'current' }, { projection: { members: 1, flags: 1 } }).toArray();
  const groups = docs.map((d) => ({ id: String(d._id), members: d.members as string[] })).sort((a, b) => (a.id < b.id ? -1 : 1));
  const flags = new Map<string, { id: string; kind: string; groups: string[] }>();
  for (const d of docs) for (const f of d.flags as { id: string; kind: string; vulnerabilityIds: string[] }[]) flags.set(f.id, { id: f.id, kind: f.kind, groups: f.vulnerabilityIds });
  return { groups, flags: [...flags.values()].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}

/** A valid OSV record of a made-up PyPI package, with `aliases`. */
export function osvRecord(id: string, aliases: string[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema_version: '1.6.0', id, modified: '2025-01-01T00:00:00Z', aliases, summary: `test record ${id}`,
    affected: [{ package: { ecosystem: 'PyPI', name: 'rampart-test-package' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0' }] }] }],
    ...extra,
  };
}
