/**
 * Reading a CVSS vector string strictly: the version prefix, then `METRIC:VALUE` pairs separated by
 * `/`, every metric known to that version, each at most once, each value one the specification
 * allows, every base metric present. Every problem is reported at once, each as its own violation of
 * the caller's field (the service's `cvss_vector`), so a client fixes them in one round.
 *
 * Metric order is not enforced: the specifications give an order for writing vectors, real feeds
 * (GitHub advisories among them) do not always keep it, and the order changes no score. The parsed
 * vector is written back in the specification's order without Not Defined (`X`) metrics: that
 * canonical form is what is scored and stored; the record keeps what was received beside it.
 */
import { ValidationError, type FieldViolation } from '@rampart/errors';
import { CVSS_METRICS, type CvssMetric, type CvssMetricGroup, type CvssVersion } from './cvss-metrics';

/** Longer than any valid vector (a v4.0 vector with every metric is under 250 characters). */
export const MAX_CVSS_VECTOR_LENGTH = 512;

export interface CvssVector {
  readonly version: CvssVersion;
  /** Canonical form: prefix, then the defined metrics in the specification's order, no `X` values. */
  readonly vector: string;
  /** The defined metrics (no `X`), by abbreviation, in the specification's order. */
  readonly metrics: Readonly<Record<string, string>>;
  /** Which groups have at least one defined metric (base always). */
  readonly groups: ReadonlySet<CvssMetricGroup>;
}

const PREFIX = /^CVSS:(3\.0|3\.1|4\.0)$/;
const PAIR = /^([A-Za-z]+):([A-Za-z]+)$/;
/** Enough of a client's text to recognise it, never all of it. */
const echo = (text: string) => JSON.stringify(text.length <= 24 ? text : `${text.slice(0, 23)}…`);
const list = (values: readonly string[]) => values.join(', ');

/**
 * Reads `value` as a CVSS 3.0, 3.1 or 4.0 vector. Pushes one violation of `field` per problem onto
 * `out` and returns undefined when there is any; otherwise returns the parsed vector.
 */
export function cvssVectorField(out: FieldViolation[], field: string, value: string | undefined): CvssVector | undefined {
  const problems = problemsOf(value ?? '');
  if ('problems' in problems) {
    for (const description of problems.problems) out.push({ field, description });
    return undefined;
  }
  return problems.vector;
}

/** Reads `value` as a CVSS vector or throws a ValidationError naming `field` and every problem. */
export function parseCvssVector(value: string, field = 'cvss_vector'): CvssVector {
  const out: FieldViolation[] = [];
  const parsed = cvssVectorField(out, field, value);
  if (!parsed) throw new ValidationError(out);
  return parsed;
}

function problemsOf(text: string): { vector: CvssVector } | { problems: string[] } {
  if (text === '') return { problems: ['is required: a CVSS vector such as CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'] };
  if (text.length > MAX_CVSS_VECTOR_LENGTH) return { problems: [`must be at most ${MAX_CVSS_VECTOR_LENGTH} characters (got ${text.length})`] };
  const [prefix = '', ...parts] = text.split('/');
  const version = PREFIX.exec(prefix)?.[1] as CvssVersion | undefined;
  if (!version) return { problems: [`must start with CVSS:4.0/, CVSS:3.1/ or CVSS:3.0/ (got ${echo(prefix)})`] };

  const known = new Map<string, CvssMetric>(CVSS_METRICS[version].map((metric) => [metric.key, metric]));
  const given = new Map<string, string>();
  const problems: string[] = [];
  parts.forEach((part, i) => {
    const pair = PAIR.exec(part);
    if (!pair) {
      problems.push(`part ${i + 1} (${echo(part)}) is not METRIC:VALUE`);
      return;
    }
    const [, key = '', val = ''] = pair;
    const metric = known.get(key);
    if (!metric) problems.push(`${echo(key)} is not a CVSS:${version} metric (they are ${list([...known.keys()])})`);
    else if (given.has(key)) problems.push(`metric ${key} is given more than once`);
    else if (!metric.values.includes(val)) problems.push(`${key}:${val} is not allowed: ${metric.name} (${key}) takes ${list(metric.values)}`);
    if (metric && !given.has(key)) given.set(key, val);
  });
  const missing = CVSS_METRICS[version].filter((metric) => metric.group === 'base' && !given.has(metric.key)).map((metric) => metric.key);
  if (missing.length > 0) problems.push(`lacks base metric${missing.length > 1 ? 's' : ''} ${list(missing)} (CVSS:${version} needs every base metric)`);
  if (problems.length > 0) return { problems };

  const metrics: Record<string, string> = {};
  const groups = new Set<CvssMetricGroup>();
  for (const metric of CVSS_METRICS[version]) {
    const val = given.get(metric.key);
    if (val === undefined || val === 'X') continue;
    metrics[metric.key] = val;
    groups.add(metric.group);
  }
  const vector = [`CVSS:${version}`, ...Object.entries(metrics).map(([key, val]) => `${key}:${val}`)].join('/');
  return { vector: { version, vector, metrics, groups } };
}
