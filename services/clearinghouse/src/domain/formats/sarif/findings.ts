/**
 * A scanner's SARIF results as candidate findings: rule, location, fingerprint, level, message.
 * One result at a time, given its run's context, so the service can stream a large log run by run
 * and result by result; `findingsFromLog` does a whole log at once.
 *
 * The fingerprint says when two results are the same finding (across re-scans, or two parties
 * running the same tool): the tool's own `fingerprints` when it gives them (complete identities),
 * else its `partialFingerprints` with the rule and artifact (partial ones are only meant to be
 * compared with those), else a hash of rule and location. Fingerprints are `sha256:` + hex over a
 * canonical text, never the tool's raw strings, so they have one form and bounded length.
 */
import { createHash } from 'node:crypto';
import type { AdvisoryRecord, FindingLocation } from '../advisory-record';
import { cweId, distinct, list, record, text } from '../canonical-helpers';
import type { SarifLevel, SarifLog, SarifRegion, SarifReportingDescriptor, SarifResult, SarifRun } from './types';

export interface CandidateFinding {
  readonly tool: { readonly name: string; readonly version?: string };
  readonly ruleId: string;
  readonly level: SarifLevel;
  readonly message: string;
  readonly location?: { readonly uri: string; readonly uriBaseId?: string; readonly region?: SarifRegion };
  readonly fingerprint: string;
  readonly fingerprintSource: 'fingerprints' | 'partialFingerprints' | 'computed';
  /** From the rule's tags (`external/cwe/cwe-79`, `CWE-79`). */
  readonly cwes: readonly string[];
  readonly runIndex: number;
  readonly resultIndex: number;
}

/** What a result needs from its run: the tool, its rules and the run's artifacts. Built once per run. */
export interface SarifRunContext {
  readonly runIndex: number;
  readonly tool: { readonly name: string; readonly version?: string };
  readonly rulesById: ReadonlyMap<string, SarifReportingDescriptor>;
  readonly rules: readonly SarifReportingDescriptor[];
  readonly artifactUris: readonly (string | undefined)[];
}

const MAX_MESSAGE_CHARS = 4_000;
const LEVELS: readonly SarifLevel[] = ['none', 'note', 'warning', 'error'];

/** The context of a run; its `results` are not read, so it may be built before they arrive. */
export function sarifRunContext(run: Omit<SarifRun, 'results'>, runIndex: number): SarifRunContext {
  const driver = record(record(record(run).tool).driver);
  const rules = list(driver.rules).map((r) => record(r) as unknown as SarifReportingDescriptor);
  const rulesById = new Map<string, SarifReportingDescriptor>();
  for (const r of rules) if (typeof r.id === 'string' && !rulesById.has(r.id)) rulesById.set(r.id, r);
  const version = text(driver.semanticVersion) ?? text(driver.version);
  return {
    runIndex,
    tool: { name: text(driver.name) ?? 'unknown', ...(version ? { version } : {}) },
    rulesById,
    rules,
    artifactUris: list(record(run).artifacts).map((a) => text(record(record(a).location).uri)),
  };
}

function ruleOf(result: Record<string, unknown>, ctx: SarifRunContext): { id: string; rule?: SarifReportingDescriptor } {
  const ref = record(result.rule);
  const index = typeof result.ruleIndex === 'number' ? result.ruleIndex : typeof ref.index === 'number' ? ref.index : undefined;
  const byIndex = index !== undefined ? ctx.rules[index] : undefined;
  const id = text(result.ruleId) ?? text(ref.id) ?? byIndex?.id;
  const rule = byIndex ?? (id !== undefined ? ctx.rulesById.get(id) : undefined);
  // A ruleId may be hierarchical ("CA2101/1"): its rule is the part before the first slash.
  const parent = rule ?? (id?.includes('/') ? ctx.rulesById.get(id.split('/')[0]!) : undefined);
  return { id: id ?? 'unknown', ...(parent ? { rule: parent } : {}) };
}

/** SARIF 3.27.10: a result's level, else its rule's default, else `warning` for a failure and `none` for other kinds. */
function levelOf(result: Record<string, unknown>, rule: SarifReportingDescriptor | undefined): SarifLevel {
  const given = result.level;
  if (typeof given === 'string' && (LEVELS as readonly string[]).includes(given)) return given as SarifLevel;
  const kind = result.kind;
  if (kind !== undefined && kind !== 'fail') return 'none';
  const byRule = rule?.defaultConfiguration?.level;
  return byRule && LEVELS.includes(byRule) ? byRule : 'warning';
}

/** The message's text, or the rule's message string it names with `{0}`-style arguments filled in. */
function messageOf(result: Record<string, unknown>, rule: SarifReportingDescriptor | undefined): string {
  const message = record(result.message);
  let out = text(message.text) ?? text(message.markdown);
  const id = text(message.id);
  if (out === undefined && id !== undefined && rule) {
    const template = record(record(rule.messageStrings)[id]);
    out = text(template.text) ?? text(template.markdown);
  }
  if (out === undefined) return '';
  const args = list(message.arguments).map((a) => (typeof a === 'string' ? a : ''));
  const filled = out.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
  return filled.length <= MAX_MESSAGE_CHARS ? filled : `${filled.slice(0, MAX_MESSAGE_CHARS - 1)}…`;
}

const REGION_FIELDS = ['startLine', 'startColumn', 'endLine', 'endColumn', 'charOffset', 'charLength', 'byteOffset', 'byteLength'] as const;

function locationOf(result: Record<string, unknown>, ctx: SarifRunContext): CandidateFinding['location'] {
  const physical = record(record(list(result.locations)[0]).physicalLocation);
  const artifact = record(physical.artifactLocation);
  const index = typeof artifact.index === 'number' ? artifact.index : undefined;
  const uri = text(artifact.uri) ?? (index !== undefined ? ctx.artifactUris[index] : undefined);
  if (uri === undefined) return undefined;
  const given = record(physical.region);
  const region: SarifRegion = {};
  for (const field of REGION_FIELDS) {
    const v = given[field];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) region[field] = v;
  }
  const uriBaseId = text(artifact.uriBaseId);
  return { uri, ...(uriBaseId ? { uriBaseId } : {}), ...(Object.keys(region).length > 0 ? { region } : {}) };
}

function digest(parts: readonly string[]): string {
  // Each part is JSON-quoted so that no choice of parts can make two different lists hash alike.
  return `sha256:${createHash('sha256').update(parts.map((p) => JSON.stringify(p)).join(',')).digest('hex')}`;
}

function sortedEntries(value: unknown): [string, string][] {
  return Object.entries(record(value))
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function fingerprintOf(result: Record<string, unknown>, ruleId: string, location: CandidateFinding['location']): Pick<CandidateFinding, 'fingerprint' | 'fingerprintSource'> {
  const full = sortedEntries(result.fingerprints);
  if (full.length > 0) return { fingerprint: digest(['fingerprints', ...full.flat()]), fingerprintSource: 'fingerprints' };
  const where = location ? [location.uriBaseId ?? '', location.uri] : ['', ''];
  const partial = sortedEntries(result.partialFingerprints);
  if (partial.length > 0) return { fingerprint: digest(['partialFingerprints', ruleId, ...where, ...partial.flat()]), fingerprintSource: 'partialFingerprints' };
  const r = location?.region ?? {};
  const span = REGION_FIELDS.map((f) => (r[f] === undefined ? '' : String(r[f])));
  return { fingerprint: digest(['computed', ruleId, ...where, ...span]), fingerprintSource: 'computed' };
}

function cwesOf(rule: SarifReportingDescriptor | undefined, result: Record<string, unknown>): string[] {
  const tags = [...list(record(rule?.properties).tags), ...list(record(result.properties).tags)];
  return distinct(
    tags.map((t) => {
      if (typeof t !== 'string') return undefined;
      // CodeQL: "external/cwe/cwe-089"; Semgrep: "CWE-78: Improper Neutralization ..."; others: "cwe-327".
      const m = /(?:^|\/)cwe-(\d{1,9})(?!\d)/i.exec(t.trim());
      return m ? cweId(`CWE-${m[1]}`) : undefined;
    }),
  );
}

/** One result as a candidate finding. */
export function findingFromResult(result: SarifResult, ctx: SarifRunContext, resultIndex: number): CandidateFinding {
  const r = record(result);
  const { id: ruleId, rule } = ruleOf(r, ctx);
  const location = locationOf(r, ctx);
  return {
    tool: ctx.tool,
    ruleId,
    level: levelOf(r, rule),
    message: messageOf(r, rule),
    ...(location ? { location } : {}),
    ...fingerprintOf(r, ruleId, location),
    cwes: cwesOf(rule, r),
    runIndex: ctx.runIndex,
    resultIndex,
  };
}

/** Every result of one run. */
export function* findingsFromRun(run: SarifRun, runIndex: number): Generator<CandidateFinding> {
  const ctx = sarifRunContext(run, runIndex);
  const results = list(record(run).results);
  for (let i = 0; i < results.length; i += 1) yield findingFromResult(results[i] as SarifResult, ctx, i);
}

/** Every result of every run of a log. */
export function findingsFromLog(log: SarifLog): CandidateFinding[] {
  return list(record(log).runs).flatMap((run, i) => [...findingsFromRun(run as SarifRun, i)]);
}

/** A finding as a record for the flaw rules: its id is its fingerprint, until an analyst links it to a flaw. */
export function findingToAdvisoryRecord(finding: CandidateFinding): AdvisoryRecord {
  const location: FindingLocation | undefined = finding.location
    ? {
        uri: finding.location.uri,
        ...(finding.location.region?.startLine !== undefined ? { startLine: finding.location.region.startLine } : {}),
        ruleId: finding.ruleId,
        fingerprint: finding.fingerprint,
      }
    : undefined;
  return {
    source: 'sarif',
    id: finding.fingerprint,
    aliases: [],
    withdrawn: false,
    summary: `${finding.tool.name}: ${finding.ruleId}`,
    ...(finding.message ? { details: finding.message } : {}),
    cwes: [...finding.cwes],
    affected: [],
    severities: [],
    references: [],
    ...(location ? { locations: [location] } : {}),
  };
}
