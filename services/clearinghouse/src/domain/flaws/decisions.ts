/**
 * An analyst's merges and splits, as inputs to the grouping rule: the groups are a function of the
 * records and the decisions in force, so undoing a decision (dropping it from those in force)
 * gives back exactly the grouping from before it.
 *
 * - `join`: the two records are one flaw, even where the rule refused the merge (two CVE ids, the
 *   cap): the analyst's call, e.g. two CVE ids assigned to one flaw.
 * - `separate`: the two records are never in one flaw; a split of X out of its flaw is `separate`
 *   X from one of the flaw's other records.
 *
 * The latest decision about a pair of records replaces the earlier ones (undoing it brings the
 * earlier one back).
 */
import { normaliseId } from './ids';

export type DecisionKind = 'join' | 'separate';

export interface FlawDecision {
  /** Unique; the event that recorded it carries the same id. */
  id: string;
  kind: DecisionKind;
  records: readonly [string, string];
  by: string;
  at: Date;
  reason: string;
}

export interface DecisionUndo {
  /** The decision undone. */
  decisionId: string;
  by: string;
  at: Date;
  reason: string;
}

/** The decisions still in force once the undos are applied. */
export function decisionsInForce(made: readonly FlawDecision[], undos: readonly DecisionUndo[]): FlawDecision[] {
  const undone = new Set(undos.map((u) => u.decisionId));
  return made.filter((d) => !undone.has(d.id));
}

export function pairKey(a: string, b: string): string {
  const [x, y] = [normaliseId(a), normaliseId(b)].sort();
  return `${x}\u0000${y}`;
}

const later = (a: FlawDecision, b: FlawDecision): boolean =>
  a.at.getTime() !== b.at.getTime() ? a.at.getTime() > b.at.getTime() : a.id > b.id;

/**
 * Per pair of records, the decision that counts (the latest by time, then by id, so two
 * decisions at the same instant still resolve the same way whatever order they are given in);
 * decisions about a record and itself are ignored. Sorted by time, then id.
 */
export function effectiveDecisions(decisions: readonly FlawDecision[]): FlawDecision[] {
  const byPair = new Map<string, FlawDecision>();
  for (const d of decisions) {
    if (normaliseId(d.records[0]) === normaliseId(d.records[1])) continue;
    const key = pairKey(d.records[0], d.records[1]);
    const current = byPair.get(key);
    if (!current || later(d, current)) byPair.set(key, d);
  }
  return [...byPair.values()].sort((a, b) => (later(a, b) ? 1 : later(b, a) ? -1 : 0));
}
