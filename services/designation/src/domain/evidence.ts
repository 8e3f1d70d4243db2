/** Evidence attached to a case: an Inspect log or a structured result from another suite. */
import { clearanceAtLeast, highestMarking, type Marking } from '@rampart/auth';
import type { FieldViolation } from '@rampart/errors';
import { CAPABILITY_DOMAINS, type CapabilityDomain } from './capability';
import { metricNames, type InspectSummary } from './inspect-log';
import type { CountedMetric } from './policy';

export const SUITES = ['Cybench', 'CyberSecEval', 'CVE-Bench', 'BountyBench', 'NYU CTF Bench', 'government'] as const;

export interface EvidenceMetric {
  scorer: string;
  name: string;
  /** May be NaN or infinite. */
  value: number;
}

export interface Evidence {
  id: string;
  caseId: string;
  kind: 'inspect_log' | 'suite_result';
  domains: CapabilityDomain[];
  countedMetrics: string[];
  metrics: EvidenceMetric[];
  task?: string;
  model?: string;
  dataset?: string;
  sourceRevision?: string;
  totalSamples?: number;
  completedSamples?: number;
  logVersion?: number;
  suiteName?: string;
  suiteVersion?: string;
  elicitationNotes?: string;
  /** SHA-256 of exactly what was uploaded. */
  sha256: string;
  sizeBytes: number;
  marking: Marking;
  recordedBy: string;
  recordedAt: Date;
  /** The GridFS file holding the original log. */
  logFileId?: string;
}

/** Evidence is classified benchmarking: never marked below SECRET. */
export const MINIMUM_EVIDENCE_MARKING: Marking = 'SECRET';

export function evidenceMarking(requested: Marking | undefined): Marking {
  return requested && clearanceAtLeast(requested, MINIMUM_EVIDENCE_MARKING) ? requested : MINIMUM_EVIDENCE_MARKING;
}

export function validateDomains(domains: (CapabilityDomain | undefined)[], field: string): FieldViolation[] {
  if (domains.length === 0) return [{ field, description: 'must name at least one capability domain' }];
  if (domains.length > CAPABILITY_DOMAINS.length) return [{ field, description: `must have at most ${CAPABILITY_DOMAINS.length} entries` }];
  return domains.flatMap((d, i) => (d && CAPABILITY_DOMAINS.includes(d) ? [] : [{ field: `${field}[${i}]`, description: `must be one of ${CAPABILITY_DOMAINS.join(', ')}` }]));
}

export const MAX_COUNTED_METRICS = 100;

/** Each counted metric must be one the log has, by "name" or "scorer/name". */
export function validateCountedMetrics(counted: string[], summary: InspectSummary): FieldViolation[] {
  if (counted.length === 0) return [{ field: 'header.counted_metrics', description: 'must name at least one metric of the log' }];
  if (counted.length > MAX_COUNTED_METRICS) return [{ field: 'header.counted_metrics', description: `must have at most ${MAX_COUNTED_METRICS} entries` }];
  const known = new Set(summary.metrics.flatMap(metricNames));
  return counted.flatMap((name, i) => (known.has(name) ? [] : [{
    field: `header.counted_metrics[${i}]`,
    description: `metric ${JSON.stringify(name)} is not in the log (it has: ${[...new Set(summary.metrics.map((m) => `${m.scorer}/${m.name}`))].join(', ')})`,
  }]));
}

export function countedMetricsOf(e: Evidence): CountedMetric[] {
  return e.metrics
    .filter((m) => metricNames(m).some((n) => e.countedMetrics.includes(n)))
    .map((m) => ({ evidenceId: e.id, domains: e.domains, names: metricNames(m), value: m.value }));
}

/**
 * What the policy's evaluation reads of a case's evidence besides its metrics: how many items
 * attach to each domain, and the highest marking among all the items (the evaluation's marking
 * derives from it). Folded one item at a time, so a case's evidence is never held whole.
 */
export class EvidenceDomains {
  readonly counts = new Map<CapabilityDomain, number>();
  marking: Marking = 'UNCLASSIFIED';

  add(e: Pick<Evidence, 'domains' | 'marking'>): this {
    for (const d of e.domains) this.counts.set(d, (this.counts.get(d) ?? 0) + 1);
    this.marking = highestMarking(this.marking, e.marking);
    return this;
  }
}

export function evidenceByDomain(items: Evidence[]): EvidenceDomains {
  return items.reduce((all, e) => all.add(e), new EvidenceDomains());
}
