/**
 * Which records a regroup needs, found with `_id` reads only. The service keeps, beside each
 * record (`_id` = its normalised id), an alias index: one document per id (`_id` = the id) listing
 * the records whose `linksOf` include it. A record's own id is among its links, so the index entry
 * of an id also finds the record of that id.
 *
 * After an arrival (a new record, a changed one, or a decision), the service writes the record and
 * its index entries, then walks from the ids the change touched: the record's links now and before
 * the change, and the records of a decision. The walk alternates two kinds of `_id` reads until
 * nothing is pending: the index entry of every id reached (giving records), and every record reached
 * (giving its links and the records a `join` in force ties it to). What it has loaded then is the
 * arrival's whole connected component, and `regroup(walk.records(), decisions of those records)`
 * gives exactly the groups a regroup of every record would give them. Withdrawn and excluded records
 * link only their own id, so they end a walk instead of widening it.
 */
import type { FlawRecord } from './flaw-record';
import { linksOf, normaliseId } from './ids';
import { FLAW_LIMITS } from './limits';

export class ComponentWalk {
  private readonly idsSeen = new Set<string>();
  private readonly idsPending = new Set<string>();
  private readonly recordsSeen = new Set<string>();
  private readonly recordsPending = new Set<string>();
  private readonly loaded = new Map<string, FlawRecord>();

  /** `ids`: the links of the arrival (now and before the change) and the records of a decision. */
  constructor(ids: Iterable<string>) {
    for (const id of ids) this.reachId(id);
  }

  /** Index entries still to read by `_id`. */
  pendingIds(): string[] {
    return [...this.idsPending].sort();
  }

  /** Records still to read by `_id`. */
  pendingRecords(): string[] {
    return [...this.recordsPending].sort();
  }

  /** The index entry of `id`: the records linking it (none when the entry does not exist). */
  addIndexEntry(id: string, recordIds: readonly string[]): void {
    this.idsPending.delete(normaliseId(id));
    for (const r of recordIds) this.reachRecord(r);
  }

  /**
   * A record read by `_id` (undefined when absent, e.g. deleted) and the records the `join`
   * decisions in force tie it to.
   */
  addRecord(id: string, record: FlawRecord | undefined, joinedWith: readonly string[] = []): void {
    this.recordsPending.delete(normaliseId(id));
    if (!record) return;
    this.loaded.set(normaliseId(record.id), record);
    for (const link of linksOf(record)) this.reachId(link);
    for (const other of joinedWith) this.reachRecord(other);
  }

  get done(): boolean {
    return this.overflow || (this.idsPending.size === 0 && this.recordsPending.size === 0);
  }

  /** More records reached than FLAW_LIMITS.componentRecords: the walk stops and the arrival is left alone, flagged. */
  get overflow(): boolean {
    return this.recordsSeen.size > FLAW_LIMITS.componentRecords;
  }

  /** The records loaded, by id. */
  records(): FlawRecord[] {
    return [...this.loaded.keys()].sort().map((id) => this.loaded.get(id) as FlawRecord);
  }

  private reachId(raw: string): void {
    const id = normaliseId(raw);
    if (id === '' || this.idsSeen.has(id)) return;
    this.idsSeen.add(id);
    this.idsPending.add(id);
  }

  private reachRecord(raw: string): void {
    const id = normaliseId(raw);
    if (id === '' || this.recordsSeen.has(id)) return;
    this.recordsSeen.add(id);
    this.recordsPending.add(id);
  }
}
