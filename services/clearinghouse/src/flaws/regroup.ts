/**
 * One regroup after an arrival (a record imported, a report validated, a decision made or undone),
 * as domain/flaws/component.ts describes: index the changed records, walk their connected
 * component with `_id` reads, regroup it by the rule (with the analysts' decisions in force), then
 * write the vulnerabilities whose state changed, with their events, and the index entries. The
 * result depends only on the stored records and decisions, never on arrival order, and a regroup
 * that finds nothing changed writes and announces nothing (so a redelivered event is harmless).
 *
 * Runs one at a time across replicas (flaw-consumer.ts): every write here is by `_id`, and no
 * other writer touches the index, so its read-then-write never races.
 */
import { ComponentWalk, creditsOf, isCveId, fingerprintKeys, likelyDuplicates, linksOf, normaliseId, regroup, type FlawDecision, type FlawFlag, type FlawGroup, type FlawRecord } from '../domain/flaws';
import { vulnerabilityEvent, type VulnerabilityEventData, type VulnerabilityVerb } from '../events/flaw-events';
import { VULNERABILITY_EVENT_SUMMARY, withheldDuringEmbargo } from '../events/embargo-events';
import type { Embargo } from '../domain/coordination';
import { FINGERPRINT_BUCKET_RECORDS } from './flaw-index';
import { FlawReads, type FlawStores, type RecordOrigin } from './flaw-reads';
import type { StoredCredit, StoredFlag, VulnerabilityDocument, VulnerabilityState } from './vulnerability-store';

export interface RegroupChange {
  /** Records whose copies changed (normalised ids): indexed again. */
  records: string[];
  /** Copies to register first: record id -> stored copy id. */
  copies?: { record: string; copy: string; revision?: number }[];
  /** A decision naming these records: registered on each. */
  decision?: { id: string; records: string[] };
  /** Ids the regroup will likely read (an imported record's aliases): read at once, in parallel, up front. */
  hints?: string[];
}

export interface RegroupOutcome {
  /** Vulnerabilities written (new or changed). */
  written: string[];
  overflow: boolean;
}

const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
/** Key order aside (a stored document's keys come back in the order its writer used). */
function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function storedFlag(f: FlawFlag): StoredFlag {
  return { id: f.id, kind: f.kind, vulnerabilityIds: [...f.groups], recordIds: [...f.records], sharedIds: [...f.sharedIds], reason: f.reason };
}

function creditsFor(group: FlawGroup, origins: readonly RecordOrigin[]): StoredCredit[] {
  return creditsOf(group, origins).map((c) => ({
    reporter: c.reporter, organization: c.organization, firstReportedAt: c.firstReportedAt, recordIds: c.records,
    sources: sorted(origins.filter((o) => o.reporter === c.reporter && o.organization === c.organization && c.records.includes(normaliseId(o.recordId))).map((o) => o.source)),
  }));
}

function eventData(id: string, revision: number, s: VulnerabilityState, extra: Partial<VulnerabilityEventData> = {}): VulnerabilityEventData {
  return {
    vulnerabilityId: id, revision, state: s.state, recordIds: s.members, aliases: s.names, cveIds: s.cves, withdrawn: s.withdrawn,
    flags: s.flags.map((f) => ({ id: f.id, kind: f.kind, vulnerabilityIds: f.vulnerabilityIds, recordIds: f.recordIds, reason: f.reason })),
    credits: s.credits.map((c) => ({ reporter: c.reporter, organization: c.organization, sources: c.sources, recordIds: c.recordIds })),
    ...(s.mergedInto ? { mergedInto: s.mergedInto } : {}),
    ...(s.splitInto ? { splitInto: s.splitInto } : {}),
    ...extra,
  };
}

export class Regrouper {
  private embargoOf: (flaw: { id: string; ids: string[] }) => Promise<Embargo | undefined> = () => Promise.resolve(undefined);

  constructor(private readonly stores: FlawStores, private readonly now: () => Date = () => new Date()) {}

  /** From now on, a vulnerability event written while its flaw is embargoed carries the summary only. */
  withholdWith(embargoOf: (flaw: { id: string; ids: string[] }) => Promise<Embargo | undefined>): void {
    this.embargoOf = embargoOf;
  }

  async apply(change: RegroupChange): Promise<RegroupOutcome> {
    const reads = new FlawReads(this.stores);
    const at = this.now();
    // One parallel round trip for what an arrival usually needs: its entries, its copies, the vulnerabilities it may be in.
    const likely = sorted([...change.records, ...(change.hints ?? []), ...(change.decision?.records ?? [])].map(normaliseId));
    await Promise.all([
      ...likely.map((id) => reads.entry(id)),
      ...(change.copies ?? []).map((c) => reads.copy(c.copy, c.revision)),
      ...likely.filter((id) => isCveId(id) || change.records.includes(id)).map((id) => reads.vulnerability(id)),
    ]);
    for (const { record, copy } of change.copies ?? []) {
      const e = await reads.entry(record);
      if (!(e.copies ?? []).includes(copy)) await reads.change(record, (x) => { x.copies = sorted([...(x.copies ?? []), copy]); });
    }
    if (change.decision) {
      const { id } = change.decision;
      for (const r of change.decision.records) {
        const e = await reads.entry(r);
        if (!(e.decisions ?? []).includes(id)) await reads.change(r, (x) => { x.decisions = sorted([...(x.decisions ?? []), id]); });
      }
    }

    // 1. Index the changed records: their links and fingerprints now, and what they linked before.
    const starts = sorted([...change.records, ...(change.decision?.records ?? [])].map(normaliseId));
    const seeds = new Set<string>(starts);
    for (const id of change.records.map(normaliseId)) {
      const entry = await reads.entry(id);
      const loaded = await reads.record(id);
      const links = loaded ? linksOf(loaded.record) : [];
      const before = entry.links ?? [];
      for (const l of [...before, ...links]) seeds.add(l);
      if (!same(before, links)) {
        for (const l of before.filter((x) => !links.includes(x))) await reads.change(l, (e) => { e.records = e.records.filter((r) => r !== id); });
        for (const l of links.filter((x) => !before.includes(x))) await reads.change(l, (e) => { e.records = sorted([...e.records, id]); });
        await reads.change(id, (e) => { e.links = links; });
      }
      const keys = loaded && !loaded.record.withdrawn ? fingerprintKeys(loaded.record) : [];
      const keysBefore = entry.fingerprints ?? [];
      if (!same(keys, keysBefore)) {
        for (const k of keysBefore.filter((x) => !keys.includes(x))) await reads.changeBucket(k, (b) => { b.records = b.records.filter((r) => r !== id); });
        for (const k of keys.filter((x) => !keysBefore.includes(x))) await reads.changeBucket(k, (b) => { b.records = [...b.records.filter((r) => r !== id), id].slice(-FINGERPRINT_BUCKET_RECORDS); });
        await reads.change(id, (e) => { e.fingerprints = keys; });
      }
    }

    // 2. The component: index entries and records by `_id`, until nothing is pending.
    const walk = new ComponentWalk(seeds);
    const reached = new Set<string>(starts);
    while (!walk.done) {
      const ids = walk.pendingIds();
      const entries = await Promise.all(ids.map((id) => reads.entry(id)));
      ids.forEach((id, i) => walk.addIndexEntry(id, entries[i]!.records));
      const recordIds = walk.pendingRecords();
      const loaded = await Promise.all(recordIds.map(async (id) => ({ loaded: await reads.record(id), joins: joinedWith(id, await reads.decisionsOf(id)) })));
      recordIds.forEach((id, i) => {
        reached.add(id);
        walk.addRecord(id, loaded[i]!.loaded?.record, loaded[i]!.joins);
      });
    }
    // A pathological chain: regroup the arrivals alone (flagged) rather than load more.
    const records: FlawRecord[] = walk.overflow
      ? (await Promise.all(change.records.map((id) => reads.record(normaliseId(id))))).flatMap((l) => (l ? [l.record] : []))
      : walk.records();
    const members = new Set(records.map((r) => normaliseId(r.id)));
    const decisions = dedupe((await Promise.all([...members].map((m) => reads.decisionsOf(m)))).flat()).filter((d) => d.records.every((r) => members.has(normaliseId(r))));

    // 3. The rule.
    const result = regroup(records, decisions);
    const groupOf = new Map(result.groups.flatMap((g) => g.members.map((m) => [m, g] as const)));
    if (walk.overflow) {
      for (const r of records) result.flags.push({ id: `cap:${normaliseId(r.id)}`, kind: 'cap', groups: [groupOf.get(normaliseId(r.id))!.id], records: [normaliseId(r.id)], sharedIds: [], reason: `${r.id} links a chain of more than 512 records: it is left alone until an analyst decides` });
    }

    // 4. Likely duplicates of the changed records, by fingerprint, outside their own flaw.
    for (const id of change.records.map(normaliseId)) {
      const loaded = await reads.record(id);
      const entry = await reads.entry(id);
      const keys = entry.fingerprints ?? [];
      const candidateIds = sorted((await Promise.all(keys.map((k) => reads.bucket(k)))).flatMap((b) => b.records)).filter((c) => c !== id);
      const candidates = (await Promise.all(candidateIds.map((c) => reads.record(c)))).flatMap((l) => (l ? [l.record] : []));
      const found = loaded && !loaded.record.withdrawn ? likelyDuplicates(loaded.record, candidates, new Set(groupOf.get(id)?.members ?? [])) : [];
      const stored = found.map((d) => ({ candidate: d.candidate, likelihood: d.likelihood, reason: d.reason }));
      if (!same(stored, entry.likelyDuplicates ?? [])) await reads.change(id, (e) => { if (stored.length) e.likelyDuplicates = stored; else delete e.likelyDuplicates; });
    }

    // 5. Vulnerabilities: the component's groups, and those its records were in before.
    const previousOf = new Map<string, string | undefined>();
    for (const id of reached) previousOf.set(id, (await reads.entry(id)).vulnerabilityId);
    const written: string[] = [];
    for (const g of result.groups) {
      const state = await this.groupState(g, result.flags, groupOf, reads);
      const previous = await reads.vulnerability(g.id);
      const mergedFrom = sorted(g.members.map((m) => previousOf.get(m)).filter((v): v is string => v !== undefined && v !== g.id));
      const lost = previous?.state === 'current' ? previous.members.filter((m) => !g.members.includes(m)) : [];
      if (previous && same(stateOf(previous), state)) continue;
      const newFlags = state.flags.map((f) => f.id).filter((f) => !(previous?.flags ?? []).some((p) => p.id === f));
      const onlyFlags = previous?.state === 'current' && same({ ...stateOf(previous), flags: [] }, { ...state, flags: [] });
      const verb: VulnerabilityVerb | undefined = onlyFlags ? (newFlags.length ? undefined : 'validated') : mergedFrom.length ? 'merged' : lost.length ? 'split' : 'validated';
      const events = (revision: number) => [
        ...(verb ? [vulnerabilityEvent(verb, eventData(g.id, revision, state, verb === 'merged' ? { mergedFrom } : {}), at)] : []),
        ...(newFlags.length ? [vulnerabilityEvent('flagged', eventData(g.id, revision, state, { newFlags }), at)] : []),
      ];
      await this.save(g.id, previous, state, events, at);
      written.push(g.id);
    }
    const current = new Set(result.groups.map((g) => g.id));
    for (const oldId of sorted([...previousOf.values()].filter((v): v is string => v !== undefined && !current.has(v)))) {
      const previous = await reads.vulnerability(oldId);
      if (!previous || previous.state !== 'current') continue;
      const into = sorted(previous.members.flatMap((m) => (groupOf.has(m) ? [groupOf.get(m)!.id] : [])));
      const state: VulnerabilityState = { ...stateOf(previous), flags: [], ...(into.length === 1 ? { state: 'merged', mergedInto: into[0] } : { state: 'split', splitInto: into }) };
      const verb: VulnerabilityVerb = state.state === 'merged' ? 'merged' : 'split';
      await this.save(oldId, previous, state, (revision) => [vulnerabilityEvent(verb, eventData(oldId, revision, state), at)], at);
      written.push(oldId);
    }

    // 6. The index: each record's vulnerability (after the vulnerabilities, so a retry still knows where they were).
    for (const id of reached) {
      const entry = await reads.entry(id);
      const now = groupOf.get(id)?.id;
      if (entry.vulnerabilityId !== now) {
        await reads.change(id, (e) => {
          if (now) { e.vulnerabilityId = now; e.joinedAt = at; } else { delete e.vulnerabilityId; delete e.joinedAt; }
        });
      }
    }
    await this.stores.index.write(await reads.dirtyEntries(at), await reads.changedBuckets(), reads.absent);
    return { written, overflow: walk.overflow };
  }

  private async groupState(g: FlawGroup, flags: readonly FlawFlag[], groupOf: ReadonlyMap<string, FlawGroup>, reads: FlawReads): Promise<VulnerabilityState> {
    const own = flags.filter((f) => f.groups.includes(g.id)).map(storedFlag);
    const likely: StoredFlag[] = [];
    const origins: RecordOrigin[] = [];
    for (const m of g.members) {
      origins.push(...((await reads.record(m))?.origins ?? []));
      for (const d of (await reads.entry(m)).likelyDuplicates ?? []) {
        if (g.members.includes(d.candidate)) continue;
        const other = groupOf.get(d.candidate)?.id ?? (await reads.entry(d.candidate)).vulnerabilityId ?? d.candidate;
        likely.push({ id: `likely-duplicate:${m}|${d.candidate}`, kind: 'likely-duplicate', vulnerabilityIds: sorted([g.id, other]), recordIds: [m, d.candidate], sharedIds: [], reason: d.reason, likelihood: d.likelihood });
      }
    }
    return {
      state: 'current', members: g.members, names: g.names, cves: g.cves, withdrawn: g.withdrawn,
      flags: [...own, ...likely].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      credits: creditsFor(g, origins),
    };
  }

  private async save(id: string, previous: VulnerabilityDocument | undefined, state: VulnerabilityState, events: (revision: number) => ReturnType<typeof vulnerabilityEvent>[], at: Date): Promise<void> {
    const embargo = await this.embargoOf({ id, ids: [id, ...state.members] });
    const withheld = (revision: number) => withheldDuringEmbargo(events(revision), embargo, at, VULNERABILITY_EVENT_SUMMARY);
    // Regroups run one at a time, so a conflict means a write of an earlier, interrupted delivery: retry the event.
    if (!(await this.stores.vulnerabilities.save(id, previous, state, withheld, at))) throw new Error(`vulnerability ${id} changed during a regroup; the regroup is retried`);
  }
}

function joinedWith(id: string, decisions: readonly FlawDecision[]): string[] {
  return decisions.filter((d) => d.kind === 'join').flatMap((d) => d.records.map(normaliseId)).filter((r) => r !== id);
}

function dedupe(decisions: readonly FlawDecision[]): FlawDecision[] {
  return [...new Map(decisions.map((d) => [d.id, d])).values()];
}

export function stateOf(doc: VulnerabilityDocument): VulnerabilityState {
  return {
    state: doc.state, members: doc.members, names: doc.names, cves: doc.cves, withdrawn: doc.withdrawn, flags: doc.flags, credits: doc.credits,
    ...(doc.mergedInto !== undefined ? { mergedInto: doc.mergedInto } : {}),
    ...(doc.splitInto !== undefined ? { splitInto: doc.splitInto } : {}),
  };
}
