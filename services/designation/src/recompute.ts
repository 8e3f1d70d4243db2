/**
 * Re-determines a case from its evidence under a threshold policy, and saves it with a
 * `determination.changed` event when the determination changed. Runs after every evidence item
 * and, for every open case, after a policy change (events/policy-change.ts).
 *
 * An item is a hot path (docs/engine-costs.md): the case counts its items in sequence
 * (`evaluatedEvidence`), so recording one reads the case, its policy and the items it does not
 * count yet, each by `_id`, and adds them to the determinations (`withEvidence`). Only a catch-up
 * reads all of a case's items (one query, a scan on FerretDB): a new policy version, a case that
 * never counted its items under one, or one far behind them (a crash between storing items and
 * counting them).
 */
import { ConflictError } from '@rampart/errors';
import type { OutboxEntry } from '@rampart/events';
import type { Case } from './domain/case';
import { countedMetricsOf, EvidenceDomains, type Evidence } from './domain/evidence';
import { determine, missingFrom, withEvidence, type CountedMetric, type Determination, type ThresholdPolicy } from './domain/policy';
import { caseEvent } from './events/designation-events';
import type { DesignationStore } from './store';

export interface RecomputeDeps {
  /** Hands every write's events to its outbox relay itself. */
  store: DesignationStore;
  now: () => Date;
}

/** `closed`: decided or withdrawn, left alone; `current`: already computed under that policy version, or already counting the item. */
export type RecomputeOutcome = 'changed' | 'unchanged' | 'current' | 'closed';

const ATTEMPTS = 5;
/** Items past the counted ones read one by one by `_id`; more than this, and one query reads them all. */
const MAX_ITEMS_BY_ID = 32;

/**
 * Stores an evidence item with its events as its case's next, then counts it in the case's
 * determination. `after`: the case's count of items when the caller read it (where to start
 * looking for a free sequence).
 */
export async function recordEvidence(deps: RecomputeDeps, evidence: Evidence, events: OutboxEntry[], after = 0): Promise<void> {
  const sequence = await deps.store.insertEvidence(evidence, events, after);
  await recomputeCase(deps, evidence.caseId, { through: sequence });
}

interface Evaluation {
  policy: ThresholdPolicy | undefined;
  determinations: Determination[];
  evaluatedEvidence: number | undefined;
}

/**
 * `skipAtVersion`: a case already computed under this policy version (or a later one) is left as
 * it is without reading its evidence, which makes a redelivered policy change cheap.
 * `through`: the item just stored (its sequence); the case is brought to count it at least.
 */
export async function recomputeCase(deps: RecomputeDeps, id: string, options: { skipAtVersion?: number; through?: number } = {}): Promise<RecomputeOutcome> {
  const { store } = deps;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const c = await store.getCase(id);
    if (!c || c.status === 'withdrawn' || c.status === 'decided') return 'closed';
    if (options.skipAtVersion !== undefined && (c.policyVersion ?? 0) >= options.skipAtVersion) return 'current';
    if (options.through !== undefined && (c.evaluatedEvidence ?? 0) >= options.through) return 'current'; // counted by a concurrent recompute
    const { policy, determinations, evaluatedEvidence } = (options.through !== undefined ? await addItems(store, c, options.through) : undefined) ?? await evaluateAll(store, id);
    const missing = policy ? missingFrom(policy, determinations) : [];
    const ready = !!policy && missing.length === 0;
    const changed = JSON.stringify([determinations, missing, ready]) !== JSON.stringify([c.determinations, c.missingDomains, c.readyForDecision]);
    const policyVersion = policy?.version ?? c.policyVersion;
    if (!changed && policyVersion === c.policyVersion && evaluatedEvidence === c.evaluatedEvidence) return 'unchanged';
    const at = deps.now();
    const { evaluatedEvidence: _was, ...rest } = c;
    const next: Case = {
      ...rest, determinations, missingDomains: missing, readyForDecision: ready,
      ...(policyVersion !== undefined ? { policyVersion } : {}), ...(evaluatedEvidence !== undefined ? { evaluatedEvidence } : {}),
      revision: c.revision + 1, updatedAt: changed ? at : c.updatedAt,
    };
    // Only the bookkeeping moved (the policy version, the count of items): no event, nothing a reader sees changed.
    if (await store.saveCase(next, c.revision, changed ? [caseEvent(next, ['determination', 'changed'], at)] : [])) return changed ? 'changed' : 'unchanged';
  }
  throw new ConflictError(`case ${id} kept changing during ${ATTEMPTS} attempts to recompute its determination`);
}

/**
 * The case's determinations with its items up to `through` added, reading by `_id` only the case's
 * policy and the items it does not count yet. Undefined when that cannot be done (no items counted
 * under a policy yet, or too many to add): then everything is read again.
 */
async function addItems(store: DesignationStore, c: Case, through: number): Promise<Evaluation | undefined> {
  const counted = c.evaluatedEvidence;
  if (counted === undefined || c.policyVersion === undefined || through - counted > MAX_ITEMS_BY_ID) return undefined;
  // The case's own version: a newer one reaches every open case through its policy.changed event.
  const policy = await store.policy(c.policyVersion);
  if (!policy) return undefined;
  const items = await store.evidenceRange(c.id, counted + 1, through);
  return { policy, determinations: withEvidence(policy, c.determinations, items), evaluatedEvidence: through };
}

/** The case's determinations under the current policy from all of its items, and how many it counted. */
async function evaluateAll(store: DesignationStore, id: string): Promise<Evaluation> {
  const policy = await store.currentPolicy();
  if (!policy) return { policy, determinations: [], evaluatedEvidence: undefined };
  const { metrics, byDomain, count } = await foldEvidence(store, id);
  return { policy, determinations: determine(policy, metrics, byDomain), evaluatedEvidence: count };
}

/**
 * Folds a case's evidence, however many items, into what the policy needs: the counted metrics and
 * the number of items per domain. Only those are kept, never the items themselves (whose notes
 * and metric lists can be large), and the store reads the items a batch at a time.
 */
async function foldEvidence(store: DesignationStore, id: string): Promise<{ metrics: CountedMetric[]; byDomain: EvidenceDomains; count: number }> {
  const metrics: CountedMetric[] = [];
  const byDomain = new EvidenceDomains();
  let count = 0;
  for await (const { sequence, evidence } of store.allEvidence(id)) {
    metrics.push(...countedMetricsOf(evidence));
    byDomain.add(evidence);
    count = sequence;
  }
  return { metrics, byDomain, count };
}
