/**
 * One record per flaw. Records that name each other as aliases, directly or through others (two
 * records naming the same id are linked by it), are one flaw, from whatever source. Except:
 *
 * - a merge that would put two different CVE ids in one flaw is not made but flagged;
 * - a merge that would make a flaw known by more than FLAW_LIMITS.groupIds ids is not made but flagged;
 * - a withdrawn record never merges; a record that itself names two CVE ids, or more than
 *   FLAW_LIMITS.aliasesPerRecord aliases, is not merged by the rule (flagged; an analyst may join it);
 * - analysts' decisions in force join or separate records (decisions.ts).
 *
 * The result is a function of the SET of records and decisions: the input is deduplicated by id and
 * every choice follows a canonical order, never the order of arrival. Records are merged greedily in
 * this order: those naming a CVE id first (each CVE's records form their flaw before anything can
 * bridge two of them), then fewer names before more (a narrow record is surer evidence than a broad
 * one), then by id. Each record is offered to the flaws of the records before it that it links to,
 * in that same order; each merge the exceptions allow is made, each other one becomes a flag between
 * the two final groups.
 *
 * Grouping is per connected component of `linksOf` (plus `join` decisions): records of different
 * components never influence each other, so the service regroups only the component an arrival
 * touches (component.ts) and gets the same groups as a regroup of everything.
 */
import type { FlawRecord } from './flaw-record';
import { effectiveDecisions, type FlawDecision } from './decisions';
import { type Exclusion, exclusionOf, isCveId, linksOf, namesOf, normaliseId } from './ids';
import { FLAW_LIMITS } from './limits';

export interface FlawGroup {
  /** The single CVE id it is known by when no other group of its component links that id; else its smallest member id. */
  id: string;
  /** Record ids, sorted. */
  members: string[];
  /** Every id its records are known by, sorted. */
  names: string[];
  /** The CVE ids among `names`, sorted. */
  cves: string[];
  /** A withdrawn record, alone. */
  withdrawn: boolean;
}

export type FlagKind = 'cve-conflict' | 'cap' | 'decision-conflict';

/** A merge the rule did not make (or a record it keeps out), for an analyst to join or confirm apart. */
export interface FlawFlag {
  /** Stable for the same groups: `<kind>:<group ids joined by |>`. */
  id: string;
  kind: FlagKind;
  /** The group ids the merge would have joined (one for a record the rule keeps out of every merge). */
  groups: string[];
  /** The records whose ids link the groups. */
  records: string[];
  /** The ids the groups share. */
  sharedIds: string[];
  reason: string;
}

export interface Regrouping {
  /** Sorted by id; every record of the input is in exactly one. */
  groups: FlawGroup[];
  /** Sorted by id. */
  flags: FlawFlag[];
}

interface Entry {
  id: string;
  names: string[];
  links: string[];
  cves: string[];
  exclusion: Exclusion | undefined;
}

/** Records with the same id are one record: their aliases together; withdrawn only if every copy is. */
function entriesOf(records: readonly FlawRecord[]): Map<string, Entry> {
  const copies = new Map<string, FlawRecord[]>();
  for (const r of records) {
    const id = normaliseId(r.id);
    copies.set(id, [...(copies.get(id) ?? []), r]);
  }
  const entries = new Map<string, Entry>();
  for (const [id, rs] of copies) {
    const merged: FlawRecord = {
      ...(rs[0] as FlawRecord),
      id,
      aliases: rs.flatMap((r) => r.aliases),
      withdrawn: rs.every((r) => r.withdrawn),
    };
    const names = namesOf(merged);
    entries.set(id, { id, names, links: linksOf(merged), cves: names.filter(isCveId), exclusion: exclusionOf(merged) });
  }
  return entries;
}

/** Disjoint sets of records, each knowing its members, linked names and CVE ids. */
class FlawSets {
  private readonly parent = new Map<string, string>();
  private readonly members = new Map<string, string[]>();
  private readonly names = new Map<string, Set<string>>();
  private readonly cves = new Map<string, Set<string>>();

  constructor(entries: Iterable<Entry>) {
    for (const e of entries) {
      this.parent.set(e.id, e.id);
      this.members.set(e.id, [e.id]);
      this.names.set(e.id, new Set(e.links));
      this.cves.set(e.id, new Set(e.links.filter(isCveId)));
    }
  }

  find(id: string): string {
    let root = id;
    for (let up = this.parent.get(root); up !== undefined && up !== root; up = this.parent.get(root)) root = up;
    for (let at = id; at !== root; ) {
      const up = this.parent.get(at) as string;
      this.parent.set(at, root);
      at = up;
    }
    return root;
  }

  membersOf(root: string): readonly string[] {
    return this.members.get(root) ?? [];
  }
  namesOf(root: string): ReadonlySet<string> {
    return this.names.get(root) ?? new Set();
  }
  cvesOf(root: string): ReadonlySet<string> {
    return this.cves.get(root) ?? new Set();
  }

  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return;
    const [big, small] = this.membersOf(ra).length >= this.membersOf(rb).length ? [ra, rb] : [rb, ra];
    this.parent.set(small, big);
    this.members.set(big, [...this.membersOf(big), ...this.membersOf(small)]);
    this.names.set(big, new Set([...this.namesOf(big), ...this.namesOf(small)]));
    this.cves.set(big, new Set([...this.cvesOf(big), ...this.cvesOf(small)]));
    this.members.delete(small);
    this.names.delete(small);
    this.cves.delete(small);
  }

  roots(): string[] {
    return [...this.members.keys()];
  }
}

interface Refusal {
  kind: FlagKind;
  records: [string, string];
}

const union = <T>(a: Iterable<T>, b: Iterable<T>): Set<T> => new Set([...a, ...b]);

/** Whether one CVE set contains the other: the rule never brings a new CVE id into a flaw that has a different one. */
function cveCompatible(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const both = union(a, b).size;
  return both === a.size || both === b.size;
}

export function regroup(records: readonly FlawRecord[], decisions: readonly FlawDecision[] = []): Regrouping {
  const entries = entriesOf(records);
  const sets = new FlawSets(entries.values());
  const refusals: Refusal[] = [];
  const decisionFlags: FlawFlag[] = [];

  const separated = new Map<string, Set<string>>();
  const inForce = effectiveDecisions(decisions).filter((d) => d.records.every((r) => entries.has(normaliseId(r))));
  for (const d of inForce.filter((x) => x.kind === 'separate')) {
    const [a, b] = d.records.map(normaliseId) as [string, string];
    separated.set(a, union(separated.get(a) ?? [], [b]));
    separated.set(b, union(separated.get(b) ?? [], [a]));
  }
  const keptApart = (ra: string, rb: string): boolean =>
    sets.membersOf(ra).some((m) => [...(separated.get(m) ?? [])].some((other) => sets.find(other) === rb));

  // Analysts' joins first: they hold whatever the rule would refuse, except a withdrawn record or a separation.
  for (const d of inForce.filter((x) => x.kind === 'join')) {
    const [a, b] = d.records.map(normaliseId) as [string, string];
    const [ra, rb] = [sets.find(a), sets.find(b)];
    if (ra === rb) continue;
    const withdrawn = [a, b].filter((x) => entries.get(x)?.exclusion === 'withdrawn');
    if (withdrawn.length > 0 || keptApart(ra, rb)) {
      const why = withdrawn.length > 0 ? `${withdrawn.join(' and ')} is withdrawn and never merges` : 'a separation in force keeps their flaws apart';
      decisionFlags.push({ id: `decision-conflict:${d.id}`, kind: 'decision-conflict', groups: [], records: [a, b], sharedIds: [], reason: `join ${d.id} of ${a} and ${b} not applied: ${why}` });
      continue;
    }
    sets.union(a, b);
  }

  const order = [...entries.values()]
    .filter((e) => e.exclusion === undefined)
    .sort((x, y) => (x.cves.length > 0 ? 0 : 1) - (y.cves.length > 0 ? 0 : 1) || x.names.length - y.names.length || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const position = new Map(order.map((e, i) => [e.id, i]));
  const merged = new Map<string, string[]>(); // name -> records already merged that link it
  for (const e of order) {
    const earlier = [...new Set(e.names.flatMap((n) => merged.get(n) ?? []))].sort((x, y) => (position.get(x) ?? 0) - (position.get(y) ?? 0));
    for (const other of earlier) {
      const [ra, rb] = [sets.find(e.id), sets.find(other)];
      if (ra === rb) continue;
      if (keptApart(ra, rb)) continue; // an analyst's call: nothing to flag
      if (!cveCompatible(sets.cvesOf(ra), sets.cvesOf(rb))) {
        refusals.push({ kind: 'cve-conflict', records: [e.id, other] });
      } else if (union(sets.namesOf(ra), sets.namesOf(rb)).size > FLAW_LIMITS.groupIds) {
        refusals.push({ kind: 'cap', records: [e.id, other] });
      } else {
        sets.union(ra, rb);
      }
    }
    for (const n of e.names) merged.set(n, [...(merged.get(n) ?? []), e.id]);
  }

  const groups = groupsOf(sets, entries);
  const groupOf = new Map(groups.flatMap((g) => g.members.map((m) => [m, g] as const)));
  const flags = [...refusalFlags(refusals, groupOf, sets), ...exclusionFlags(entries, groupOf), ...decisionFlags.map((f) => ({ ...f, groups: [...new Set(f.records.map((r) => groupOf.get(r)?.id ?? r))].sort() }))];
  return { groups, flags: flags.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

function groupsOf(sets: FlawSets, entries: ReadonlyMap<string, Entry>): FlawGroup[] {
  const raw = sets.roots().map((root) => {
    const members = [...sets.membersOf(root)].sort();
    const memberEntries = members.map((m) => entries.get(m) as Entry);
    const names = [...new Set(memberEntries.flatMap((e) => e.names))].sort();
    return {
      members,
      names,
      cves: names.filter(isCveId),
      links: sets.namesOf(root),
      withdrawn: memberEntries.every((e) => e.exclusion === 'withdrawn'),
    };
  });
  // How many groups link each CVE id: a CVE names a group only if that group alone links it.
  const linkedBy = new Map<string, number>();
  for (const g of raw) for (const n of g.links) if (isCveId(n)) linkedBy.set(n, (linkedBy.get(n) ?? 0) + 1);
  return raw
    .map(({ links, ...g }): FlawGroup => {
      const linkedCves = [...links].filter(isCveId);
      const cve = linkedCves.length === 1 ? (linkedCves[0] as string) : undefined;
      const id = cve !== undefined && linkedBy.get(cve) === 1 ? cve : (g.members[0] as string);
      return { id, ...g };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function refusalFlags(refusals: readonly Refusal[], groupOf: ReadonlyMap<string, FlawGroup>, sets: FlawSets): FlawFlag[] {
  const flags = new Map<string, { kind: FlagKind; groups: [FlawGroup, FlawGroup]; records: Set<string> }>();
  for (const r of refusals) {
    const pair = r.records.map((id) => groupOf.get(id) as FlawGroup).sort((a, b) => (a.id < b.id ? -1 : 1)) as [FlawGroup, FlawGroup];
    const id = `${r.kind}:${pair[0].id}|${pair[1].id}`;
    const flag = flags.get(id) ?? { kind: r.kind, groups: pair, records: new Set<string>() };
    for (const rec of r.records) flag.records.add(rec);
    flags.set(id, flag);
  }
  return [...flags].map(([id, f]) => {
    const [a, b] = f.groups;
    const linksA = sets.namesOf(sets.find(a.members[0] as string));
    const linksB = sets.namesOf(sets.find(b.members[0] as string));
    const sharedIds = [...linksA].filter((n) => linksB.has(n)).sort();
    const size = union(linksA, linksB).size;
    const reason =
      f.kind === 'cve-conflict'
        ? `${a.id} (${a.cves.join(', ') || 'no CVE'}) and ${b.id} (${b.cves.join(', ') || 'no CVE'}) are linked by ${sharedIds.join(', ')}: merging them would put two different CVE ids in one flaw`
        : `${a.id} and ${b.id} are linked by ${sharedIds.join(', ')}: merging them would make one flaw known by ${size} ids, above the cap of ${FLAW_LIMITS.groupIds}`;
    return { id, kind: f.kind, groups: [a.id, b.id], records: [...f.records].sort(), sharedIds, reason };
  });
}

function exclusionFlags(entries: ReadonlyMap<string, Entry>, groupOf: ReadonlyMap<string, FlawGroup>): FlawFlag[] {
  const flags: FlawFlag[] = [];
  for (const e of entries.values()) {
    if (e.exclusion === undefined || e.exclusion === 'withdrawn') continue;
    const group = groupOf.get(e.id) as FlawGroup;
    if (group.members.length > 1) continue; // an analyst joined it: decided
    const kind: FlagKind = e.exclusion === 'names-two-cves' ? 'cve-conflict' : 'cap';
    const reason =
      e.exclusion === 'names-two-cves'
        ? `${e.id} itself names ${e.cves.join(' and ')}: it is merged with neither until an analyst decides`
        : `${e.id} names ${e.names.length - 1} aliases, more than ${FLAW_LIMITS.aliasesPerRecord}: it is not merged until an analyst decides`;
    flags.push({ id: `${kind}:${e.id}`, kind, groups: [group.id], records: [e.id], sharedIds: e.names.filter((n) => n !== e.id), reason });
  }
  return flags;
}
