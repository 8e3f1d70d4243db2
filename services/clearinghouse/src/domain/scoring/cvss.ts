/**
 * CVSS scores and severities, computed by ae-cvss-calculator ({metæffekt}, Apache-2.0) from a vector
 * this project has already checked strictly (cvss-vector.ts). Proven exact against every vector of
 * the Red Hat conformance files (test/scoring-cvss.test.ts), v4.0's rounding included: the library
 * adds 1e-6 before rounding to one decimal, as FIRST's own calculator does, so a raw 8.95 (held as
 * 8.9499...) gives 9.0 Critical and a raw 5.6499999999999995 gives 5.7.
 * Cross-checked besides with Red Hat's cvss 3.6 (the conformance files' source) on random vectors
 * with threat, temporal, environmental and supplemental metrics (test/scoring-crosscheck-vectors.md).
 *
 * Two adjustments, both commented where they are made:
 * - v3.0 Roundup (`Cvss3P0ExactRoundup`): the library takes a float ceiling, which overshoots when a
 *   product such as 5.0 x 0.92 lands a hair above a tenth; the v3.1 specification's float-safe
 *   Roundup gives the exact decimal answer (and Red Hat's reference implementation's).
 * - v3 temporal and environmental scores when the vector defines none of their metrics (`scoreV3`):
 *   the library leaves them undefined, the specification still gives them.
 */
import { Cvss3P0, Cvss3P1, Cvss4P0 } from 'ae-cvss-calculator';
import type { CvssMetricGroup, CvssVersion } from './cvss-metrics';
import { parseCvssVector, type CvssVector } from './cvss-vector';

/** FIRST's qualitative severity rating scale (the same for v3.x and v4.0). */
export type CvssSeverity = 'None' | 'Low' | 'Medium' | 'High' | 'Critical';

export interface CvssRating {
  /** 0.0 to 10.0, one decimal. */
  readonly score: number;
  readonly severity: CvssSeverity;
}

interface CvssScoreOf<V extends CvssVersion> extends CvssRating {
  readonly version: V;
  /** The canonical vector (specification order, no Not Defined metrics). */
  readonly vector: string;
  /** The defined metrics by abbreviation, supplemental ones included. */
  readonly metrics: Readonly<Record<string, string>>;
}

/**
 * A v3.0 or v3.1 score. `score` is the most specific of the three: environmental when any
 * environmental metric is defined, else temporal when any temporal metric is, else base.
 */
export interface Cvss3Score extends CvssScoreOf<'3.0' | '3.1'> {
  /** Which of the three `score` is. */
  readonly scoreFrom: 'base' | 'temporal' | 'environmental';
  readonly base: CvssRating;
  readonly temporal: CvssRating;
  readonly environmental: CvssRating;
}

/** CVSS 4.0 nomenclature: which metric groups the one score takes into account. */
export type Cvss4Nomenclature = 'CVSS-B' | 'CVSS-BT' | 'CVSS-BE' | 'CVSS-BTE';

/** A v4.0 score: `score` takes every group the vector defines (see `nomenclature`); `base` takes the base metrics only. */
export interface Cvss4Score extends CvssScoreOf<'4.0'> {
  readonly nomenclature: Cvss4Nomenclature;
  readonly base: CvssRating;
}

export type CvssScore = Cvss3Score | Cvss4Score;

/** Severity of a score (0.0 None, 0.1-3.9 Low, 4.0-6.9 Medium, 7.0-8.9 High, 9.0-10.0 Critical), compared in tenths. */
export function cvssSeverity(score: number): CvssSeverity {
  const tenths = Math.round(score * 10);
  if (tenths <= 0) return 'None';
  if (tenths < 40) return 'Low';
  if (tenths < 70) return 'Medium';
  if (tenths < 90) return 'High';
  return 'Critical';
}

const rating = (score: number): CvssRating => ({ score, severity: cvssSeverity(score) });

/**
 * Scores a CVSS 3.0, 3.1 or 4.0 vector (a string, checked here, or one parsed already). Throws a
 * ValidationError naming `field` and every problem when the string is not a valid vector.
 */
export function scoreCvss(vector: string | CvssVector, field = 'cvss_vector'): CvssScore {
  const parsed = typeof vector === 'string' ? parseCvssVector(vector, field) : vector;
  return parsed.version === '4.0' ? scoreV4(parsed) : scoreV3(parsed, parsed.version);
}

/**
 * CVSS v3.0 defines Roundup as the smallest number, to one decimal place, equal to or higher than its
 * input: a ceiling in exact decimals. The library computes it as Math.ceil(x * 10) / 10 on floats, so
 * 5.0 x 0.92 (RC:U), held as 4.6000000000000005, becomes 4.7 instead of 4.6 (temporal and
 * environmental scores; base scores never hit it in the conformance files). v3.1 fixed the same flaw
 * with a float-safe Roundup (its specification's Appendix A, the library's `roundUp`): use it for
 * v3.0 too. It changes only results that were a float error away from a tenth.
 */
class Cvss3P0ExactRoundup extends Cvss3P0 {
  protected override roundUp1(value: number): number {
    return this.roundUp(value);
  }
}

function scoreV3(parsed: CvssVector, version: '3.0' | '3.1'): Cvss3Score {
  const calculator = (vector: string) => (version === '3.1' ? new Cvss3P1(vector) : new Cvss3P0ExactRoundup(vector));
  const scores = calculator(parsed.vector).calculateScores();
  const base = required(scores.base, parsed.vector);
  const hasTemporal = parsed.groups.has('temporal');
  const hasEnvironmental = parsed.groups.has('environmental');
  // With no temporal metric defined, each multiplier is Not Defined (1.0): the temporal score is
  // Roundup(base), which is the base score.
  const temporal = hasTemporal ? required(scores.temporal, parsed.vector) : base;
  // With no environmental metric defined the specification still scores the environment (modified
  // metrics take the base values, requirements weigh 1.0) and for v3.1 the result can differ from
  // the base score (its modified-impact formula differs). The library computes it only once some
  // environmental metric is defined, so define one that changes nothing: CR:M weighs 1.0, exactly as
  // CR:X does.
  const environmental = hasEnvironmental
    ? required(scores.environmental, parsed.vector)
    : required(calculator(`${parsed.vector}/CR:M`).calculateScores().environmental, parsed.vector);
  const scoreFrom = hasEnvironmental ? 'environmental' : hasTemporal ? 'temporal' : 'base';
  const score = { base, temporal, environmental }[scoreFrom];
  return { version, vector: parsed.vector, metrics: parsed.metrics, ...rating(score), scoreFrom, base: rating(base), temporal: rating(temporal), environmental: rating(environmental) };
}

function scoreV4(parsed: CvssVector): Cvss4Score {
  const scores = new Cvss4P0(parsed.vector).calculateScores();
  const score = scores.overall;
  const base = required(scores.baseMetricsOnly, parsed.vector);
  return { version: '4.0', vector: parsed.vector, metrics: parsed.metrics, ...rating(score), nomenclature: nomenclature(parsed.groups), base: rating(base) };
}

function nomenclature(groups: ReadonlySet<CvssMetricGroup>): Cvss4Nomenclature {
  const t = groups.has('threat');
  const e = groups.has('environmental');
  return t && e ? 'CVSS-BTE' : t ? 'CVSS-BT' : e ? 'CVSS-BE' : 'CVSS-B';
}

/** The library leaves a score undefined only when base metrics are missing, which the parser has ruled out. */
function required(score: number | undefined, vector: string): number {
  if (score === undefined || !Number.isFinite(score)) throw new Error(`the CVSS calculator gave no score for ${vector}`);
  return score;
}
