/**
 * Recomputes a case's preliminary determination from all of its evidence under the current
 * threshold policy, and saves it with a `determination.changed` event when it changed. Runs after
 * every evidence item and, for every open case, after a policy change (events/policy-change.ts).
 */
import { ConflictError } from '@rampart/errors';
import type { Case } from './domain/case';
import { countedMetricsOf, EvidenceDomains } from './domain/evidence';
import { determine, missingDomains, type CountedMetric } from './domain/policy';
import { caseEvent } from './events/designation-events';
import type { DesignationStore } from './store';

export interface RecomputeDeps {
  /** Hands every write's events to its outbox relay itself. */
  store: DesignationStore;
  now: () => Date;
}

/** `closed`: decided or withdrawn, left alone; `current`: already computed under that policy version. */
export type RecomputeOutcome = 'changed' | 'unchanged' | 'current' | 'closed';

const ATTEMPTS = 5;

/**
 * `skipAtVersion`: a case already computed under this policy version (or a later one) is left as
 * it is without reading its evidence, which makes a redelivered policy change cheap.
 */
export async function recomputeCase(deps: RecomputeDeps, id: string, options: { skipAtVersion?: number } = {}): Promise<RecomputeOutcome> {
  const { store } = deps;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const c = await store.getCase(id);
    if (!c || c.status === 'withdrawn' || c.status === 'decided') return 'closed';
    if (options.skipAtVersion !== undefined && (c.policyVersion ?? 0) >= options.skipAtVersion) return 'current';
    const policy = await store.currentPolicy();
    const { metrics, byDomain } = await foldEvidence(store, id);
    const determinations = policy ? determine(policy, metrics, byDomain) : [];
    const missing = policy ? missingDomains(policy, byDomain) : [];
    const ready = !!policy && missing.length === 0;
    if (JSON.stringify([determinations, missing, ready]) === JSON.stringify([c.determinations, c.missingDomains, c.readyForDecision])) {
      if (policy && c.policyVersion !== policy.version) await store.markPolicyVersion(id, c.revision, policy.version);
      return 'unchanged';
    }
    const at = deps.now();
    const next: Case = {
      ...c, determinations, missingDomains: missing, readyForDecision: ready, ...(policy ? { policyVersion: policy.version } : {}),
      revision: c.revision + 1, updatedAt: at,
    };
    if (await store.saveCase(next, c.revision, [caseEvent(next, ['determination', 'changed'], at)])) return 'changed';
  }
  throw new ConflictError(`case ${id} kept changing during ${ATTEMPTS} attempts to recompute its determination`);
}

/**
 * Folds a case's evidence, however many items, into what the policy needs: the counted metrics and
 * the number of items per domain. Only those are kept, never the items themselves (whose notes
 * and metric lists can be large), and the store reads the items a batch at a time.
 */
async function foldEvidence(store: DesignationStore, id: string): Promise<{ metrics: CountedMetric[]; byDomain: EvidenceDomains }> {
  const metrics: CountedMetric[] = [];
  const byDomain = new EvidenceDomains();
  for await (const item of store.allEvidence(id)) {
    metrics.push(...countedMetricsOf(item));
    byDomain.add(item);
  }
  return { metrics, byDomain };
}
