/**
 * The service's side of the flaw rules, in memory: records and the alias index by `_id`, groups
 * and flags per record, and a regroup of the arrival's component found by ComponentWalk with
 * `_id` reads only (each read is counted). Tests compare what it ends with to one regroup of
 * everything: the incremental rule must give the same groups and flags in any arrival order.
 */
import { ComponentWalk, type FlawDecision, type FlawFlag, type FlawGroup, type FlawRecord, linksOf, normaliseId, regroup } from '../src/domain/flaws';

export class FlawStoreModel {
  readonly records = new Map<string, FlawRecord>();
  readonly index = new Map<string, Set<string>>();
  readonly groupOf = new Map<string, FlawGroup>();
  private flags = new Map<string, FlawFlag>();
  reads = 0;
  largestComponent = 0;

  constructor(private readonly decisions: readonly FlawDecision[] = []) {}

  arrive(record: FlawRecord): { before: FlawGroup[]; after: FlawGroup[] } {
    const id = normaliseId(record.id);
    const previous = this.records.get(id);
    const oldLinks = previous ? linksOf(previous) : [];
    for (const link of oldLinks) this.index.get(link)?.delete(id);
    this.records.set(id, record);
    for (const link of linksOf(record)) this.index.set(link, new Set([...(this.index.get(link) ?? []), id]));
    return this.regroupFrom([...oldLinks, ...linksOf(record)]);
  }

  private joinsOf(id: string): string[] {
    return this.decisions.filter((d) => d.kind === 'join' && d.records.map(normaliseId).includes(id)).flatMap((d) => d.records.map(normaliseId)).filter((x) => x !== id);
  }

  private regroupFrom(ids: string[]): { before: FlawGroup[]; after: FlawGroup[] } {
    const walk = new ComponentWalk(ids);
    while (!walk.done) {
      for (const id of walk.pendingIds()) {
        this.reads++;
        walk.addIndexEntry(id, [...(this.index.get(id) ?? [])]);
      }
      for (const id of walk.pendingRecords()) {
        this.reads++;
        walk.addRecord(id, this.records.get(id), this.joinsOf(id));
      }
    }
    if (walk.overflow) throw new Error('component overflow');
    const component = walk.records();
    this.largestComponent = Math.max(this.largestComponent, component.length);
    const members = new Set(component.map((r) => normaliseId(r.id)));
    const before = [...new Map([...members].flatMap((m) => { const g = this.groupOf.get(m); return g ? [[g.id, g] as const] : []; })).values()];
    const result = regroup(component, this.decisions.filter((d) => d.records.some((r) => members.has(normaliseId(r)))));
    for (const g of result.groups) for (const m of g.members) this.groupOf.set(m, g);
    for (const [fid, f] of this.flags) if (f.records.some((r) => members.has(r))) this.flags.delete(fid);
    for (const f of result.flags) this.flags.set(f.id, f);
    return { before, after: result.groups };
  }

  groups(): FlawGroup[] {
    return [...new Map([...this.groupOf.values()].map((g) => [g.id, g])).values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  allFlags(): FlawFlag[] {
    return [...this.flags.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }
}
