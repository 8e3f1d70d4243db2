/**
 * What Rampart reads from an Inspect (UK AISI) evaluation log, as pure rules over the parsed log
 * header: versions 1 to 3 only, status `success` only, the run spec, scorer metrics (the three
 * result shapes Inspect has written over its versions) and sample counts.
 */

export const SUPPORTED_LOG_VERSIONS = [1, 2, 3];

export class InvalidLogError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidLogError';
  }
}

export interface LogMetric {
  scorer: string;
  name: string;
  /** May be NaN or infinite: Inspect writes Python floats. */
  value: number;
}

export interface InspectSummary {
  version: number;
  task: string;
  model: string;
  dataset?: string;
  sourceRevision?: string;
  metrics: LogMetric[];
  totalSamples?: number;
  completedSamples?: number;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function metricsOf(scorer: string, metrics: unknown): LogMetric[] {
  return Object.entries(obj(metrics) ?? {}).flatMap(([key, m]) => {
    const value = num(obj(m)?.value);
    return value === undefined ? [] : [{ scorer, name: str(obj(m)?.name) ?? key, value }];
  });
}

export function summarizeInspectLog(header: unknown): InspectSummary {
  const log = obj(header);
  if (!log) throw new InvalidLogError('not an Inspect log: the top level is not an object');
  const version = log.version;
  if (typeof version !== 'number' || !Number.isInteger(version)) throw new InvalidLogError('not an Inspect log: no version');
  if (!SUPPORTED_LOG_VERSIONS.includes(version)) throw new InvalidLogError(`log version ${version} is not supported (Inspect log versions 1 to 3)`);
  if (log.status !== 'success') throw new InvalidLogError(`log status is ${JSON.stringify(log.status ?? null)}, not "success": only completed evaluations count as evidence`);
  const spec = obj(log.eval);
  const task = str(spec?.task);
  const model = str(spec?.model);
  if (!spec || !task || !model) throw new InvalidLogError('log has no run spec (eval.task and eval.model)');
  const results = obj(log.results);
  if (!results) throw new InvalidLogError('log has no results');

  const metrics: LogMetric[] = [];
  // v2 and later: results.scores[]; early v2: results.scorers[]; v1: results.scorer + results.metrics.
  for (const score of [...list(results.scores), ...list(results.scorers)]) {
    const s = obj(score);
    metrics.push(...metricsOf(str(s?.name) ?? str(s?.scorer) ?? 'score', s?.metrics));
  }
  if (results.metrics) metrics.push(...metricsOf(str(obj(results.scorer)?.name) ?? 'score', results.metrics));
  if (metrics.length === 0) throw new InvalidLogError('log results hold no scorer metrics');

  const dataset = obj(spec.dataset);
  const revision = obj(spec.revision);
  return {
    version,
    task,
    model,
    ...(str(dataset?.name) ?? str(dataset?.location) ? { dataset: str(dataset?.name) ?? str(dataset?.location) } : {}),
    ...(str(revision?.commit) ? { sourceRevision: [str(revision?.origin), str(revision?.commit)].filter(Boolean).join('@') } : {}),
    metrics,
    ...(num(results.total_samples) !== undefined ? { totalSamples: num(results.total_samples) } : {}),
    ...(num(results.completed_samples) !== undefined ? { completedSamples: num(results.completed_samples) } : {}),
  };
}

/** An array field of the parsed log, or none. */
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The names a metric answers to when an evaluator says which count: "accuracy" or "match/accuracy". */
export function metricNames(m: LogMetric): string[] {
  return [m.name, `${m.scorer}/${m.name}`];
}
