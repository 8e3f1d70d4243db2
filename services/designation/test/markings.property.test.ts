/**
 * The marking rule, as a property over every field of every message, every marking and every
 * clearance: no serialized response holds a value above its reader's clearance, and no event a
 * value above its stream's ceiling.
 *
 * Cases are built from random evidence (at random markings), random policies, consultations and
 * decisions whose every string, number and date is a sentinel: a value unique to its field and
 * marking that cannot occur by accident. The derived fields come from the real derivation
 * (determine, missingDomains); every response and event from the real mapping and event
 * functions, serialized as it leaves (protobuf bytes, event JSON). Then:
 * - no output holds a sentinel above its limit (the derivation carries its inputs' markings);
 * - every direct field at or below the reader's clearance does reach it (the check can see);
 * - changing every value above a clearance, enums and shapes included, changes nothing a reader
 *   at that clearance receives (what sentinels cannot tag: levels, domains, flags).
 */
import fc from 'fast-check';
import { CLEARANCES, clearanceAtLeast, type Clearance, type Marking } from '@rampart/auth';
import { designationV1 as v1 } from '@rampart/proto';
import { releasableAssessment } from '../src/domain/assessment';
import { CAPABILITY_DOMAINS, type CapabilityDomain } from '../src/domain/capability';
import type { Case, CaseStatus, ConsultationView, DecisionOutcome } from '../src/domain/case';
import { countedMetricsOf, evidenceByDomain, evidenceMarking, type Evidence } from '../src/domain/evidence';
import { determine, missingDomains, type Comparison, type ThresholdPolicy } from '../src/domain/policy';
import { assessmentEvent, caseEvent, evidenceEvent } from '../src/events/designation-events';
import { assessmentToWire, caseToWire, evidenceToWire, policyToWire } from '../src/grpc/mapping';

const now = new Date('2026-11-22T12:00:00Z');
/** Metric names a policy can name: shared words, not sentinels. */
const POOL = ['accuracy', 'solve_rate'];
const COMPARISONS: Comparison[] = ['gte', 'gt', 'lte', 'lt'];
const OPTIONAL = ['task', 'model', 'dataset', 'sourceRevision', 'totalSamples', 'completedSamples', 'logVersion', 'suiteName', 'suiteVersion', 'elicitationNotes', 'logFileId'] as const;
/** What the authority's release declassifies (the developer's own facts and the decision's date). */
const DECLASSIFIED_BY_RELEASE = new Set(['case.id', 'case.organization', 'case.modelName', 'case.modelVersion', 'case.submissionRevision', 'decision.effectiveAt']);
const CLASSIFIED_CEILING: Marking = 'SECRET';
const RELEASABLE_CEILING: Marking = 'UNCLASSIFIED';

// ---- sentinels -------------------------------------------------------------------------------

interface Sentinel { field: string; marking: Marking; record: 'case' | 'evidence' | 'policy' | 'internal'; patterns: Buffer[] }

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = BigInt(n);
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (v > 0n);
  return Buffer.from(bytes);
}
const letters = (n: number) => n.toString(26).split('').map((c) => String.fromCharCode(97 + parseInt(c, 26))).join('');
const le64 = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; };

/**
 * Values no field holds by accident, each remembered with the field and marking it was born with.
 * Keyed by where it sits, so a twin case built alongside gets the same value in the same place.
 */
class Sentinels {
  readonly born: Sentinel[] = [];
  private readonly byKey = new Map<string, string | number | Date>();

  private remember<T extends string | number | Date>(key: string, s: Omit<Sentinel, 'patterns'>, make: (n: number) => T, patterns: (v: T) => Buffer[]): T {
    const known = this.byKey.get(key);
    if (known !== undefined) return known as T;
    const value = make(this.born.length);
    this.byKey.set(key, value);
    this.born.push({ ...s, patterns: patterns(value) });
    return value;
  }

  text(key: string, s: Omit<Sentinel, 'patterns'>): string {
    // Also a valid NATS subject token: an organisation id becomes one.
    return this.remember(key, s, (n) => `S-${s.field.replaceAll('.', '_')}-${s.marking}-${letters(n)}-Z`, (v) => [Buffer.from(v)]);
  }

  count(key: string, s: Omit<Sentinel, 'patterns'>): number {
    return this.remember(key, s, (n) => 3_000_000_000 + n * 7_919, (v) => [varint(v), Buffer.from(String(v))]);
  }

  /** A sentinel near `near` (so comparisons with thresholds still go either way). */
  real(key: string, s: Omit<Sentinel, 'patterns'>, near: number): number {
    return this.remember(key, s, (n) => Math.round(near * 1000) / 1000 + (n + 1) * 1.01e-7 + 2.3e-14, (v) => [le64(v), Buffer.from(String(v))]);
  }

  date(key: string, s: Omit<Sentinel, 'patterns'>): Date {
    return this.remember(key, s, (n) => new Date(Date.UTC(2091, 0, 1) + n * 3_600_123 + 457), (v) => [varint(Math.floor(v.getTime() / 1000)), Buffer.from(v.toISOString())]);
  }
}

// ---- scenarios ---------------------------------------------------------------------------------

const realArb = fc.oneof({ weight: 9, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(Number.NaN, Infinity, -Infinity) });
const detailsArb = fc.record({
  domains: fc.subarray([...CAPABILITY_DOMAINS], { minLength: 1 }),
  metrics: fc.array(fc.record({ pooled: fc.option(fc.constantFrom(...POOL), { nil: undefined }), value: realArb, counted: fc.boolean() }), { minLength: 1, maxLength: 3 }),
  optional: fc.subarray([...OPTIONAL]),
});
type Details = typeof detailsArb extends fc.Arbitrary<infer T> ? T : never;
const itemArb = fc.record({ requested: fc.constantFrom(...CLEARANCES), kind: fc.constantFrom('inspect_log' as const, 'suite_result' as const), details: detailsArb });
const thresholdArb = fc.record({ pooled: fc.option(fc.constantFrom(...POOL), { nil: undefined }), comparison: fc.constantFrom(...COMPARISONS), value: fc.double({ min: 0, max: 1, noNaN: true }) });
const policyArb = fc.record({
  rules: fc.uniqueArray(fc.record({ domain: fc.constantFrom(...CAPABILITY_DOMAINS), atOrAbove: fc.array(thresholdArb, { maxLength: 2 }), cannotRuleOut: fc.array(thresholdArb, { maxLength: 2 }) }), { selector: (r) => r.domain, minLength: 1 }),
  requiredDomains: fc.subarray([...CAPABILITY_DOMAINS], { minLength: 1 }),
});
const entryArb = fc.record({ required: fc.boolean(), view: fc.option(fc.constantFrom<ConsultationView>('concur', 'non_concur', 'comments'), { nil: undefined }), comments: fc.boolean() });
const decisionArb = fc.record({ outcome: fc.constantFrom<DecisionOutcome>('covered', 'not_covered'), lapsed: fc.integer({ min: 0, max: 2 }) });
const MAX_ITEMS = 5;
const MAX_ENTRIES = 3;
const scenarioArb = fc.record({
  status: fc.constantFrom<CaseStatus>('evaluating', 'consulting', 'decided', 'withdrawn'),
  items: fc.array(itemArb, { maxLength: MAX_ITEMS }),
  policy: fc.option(policyArb, { nil: undefined }),
  consultation: fc.option(fc.array(entryArb, { maxLength: MAX_ENTRIES }), { nil: undefined }),
  decision: fc.option(decisionArb, { nil: undefined }),
  released: fc.boolean(),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;
/** Other values for everything a twin may change. */
const otherArb = fc.record({
  items: fc.array(detailsArb, { minLength: MAX_ITEMS, maxLength: MAX_ITEMS }),
  policy: policyArb,
  entries: fc.array(entryArb, { minLength: MAX_ENTRIES, maxLength: MAX_ENTRIES }),
  decision: decisionArb,
});
type Other = typeof otherArb extends fc.Arbitrary<infer T> ? T : never;

const highest = (...ms: Marking[]): Marking => ms.reduce((a, b) => (clearanceAtLeast(a, b) ? a : b), 'UNCLASSIFIED');
/** What the rule says the decision's outcome and rationale are marked: the highest of what they derive from, the evaluation. */
function expectedDecisionMarking(s: Scenario): Marking {
  const items = s.policy ? s.items.map((i) => evidenceMarking(i.requested)) : [];
  return highest('SECRET', ...items);
}

/** The same scenario with every value above `clearance` replaced by another (shapes and enums too). */
function twin(s: Scenario, other: Other, clearance: Clearance): Scenario {
  const above = (m: Marking) => !clearanceAtLeast(clearance, m);
  return {
    ...s,
    items: s.items.map((item, i) => (above(evidenceMarking(item.requested)) ? { ...item, details: other.items[i]! } : item)),
    policy: s.policy && above('SECRET') ? other.policy : s.policy,
    consultation: s.consultation?.map((e, i) => (above('SECRET') ? { ...e, view: other.entries[i]!.view, comments: other.entries[i]!.comments } : e)),
    decision: s.decision && {
      outcome: above(expectedDecisionMarking(s)) ? other.decision.outcome : s.decision.outcome,
      lapsed: above('SECRET') ? other.decision.lapsed : s.decision.lapsed,
    },
  };
}

interface Built { c: Case; evidence: Evidence[]; policy?: ThresholdPolicy }

/**
 * Builds the case the service would hold. `variant` names the copy of a value above the twin's
 * clearance, so the twin's hidden values differ while its visible ones are the same.
 */
function build(s: Scenario, sentinels: Sentinels, variant: (m: Marking) => string): Built {
  const key = (path: string, m: Marking) => `${variant(m)}/${path}`;
  const text = (path: string, field: string, marking: Marking, record: Sentinel['record']) => sentinels.text(key(path, marking), { field, marking, record });
  const count = (path: string, field: string, marking: Marking, record: Sentinel['record']) => sentinels.count(key(path, marking), { field, marking, record });
  const date = (path: string, field: string, marking: Marking, record: Sentinel['record']) => sentinels.date(key(path, marking), { field, marking, record });
  const real = (path: string, field: string, marking: Marking, record: Sentinel['record'], near: number) => (Number.isFinite(near) ? sentinels.real(key(path, marking), { field, marking, record }, near) : near);

  const id = text('case.id', 'case.id', 'CUI', 'case');
  const evidence = s.items.map((item, i): Evidence => {
    const marking = evidenceMarking(item.requested);
    const at = `evidence[${i}]`;
    const d: Details = item.details;
    const metrics = d.metrics.map((m, j) => ({
      scorer: text(`${at}.metrics[${j}].scorer`, 'evidence.metrics.scorer', marking, 'evidence'),
      name: m.pooled ?? text(`${at}.metrics[${j}].name`, 'evidence.metrics.name', marking, 'evidence'),
      value: real(`${at}.metrics[${j}].value`, 'evidence.metrics.value', marking, 'evidence', m.value),
    }));
    const optional = Object.fromEntries(d.optional.map((f) => {
      if (f === 'logFileId') return [f, text(`${at}.${f}`, `evidence.${f}`, 'CUI', 'internal')];
      const isCount = f === 'totalSamples' || f === 'completedSamples' || f === 'logVersion';
      return [f, isCount ? count(`${at}.${f}`, `evidence.${f}`, marking, 'evidence') : text(`${at}.${f}`, `evidence.${f}`, marking, 'evidence')];
    }));
    return {
      id: text(`${at}.id`, 'evidence.id', 'CUI', 'evidence'),
      caseId: id,
      kind: item.kind,
      domains: d.domains,
      countedMetrics: [...new Set(metrics.filter((_, j) => j === 0 || d.metrics[j]!.counted).map((m) => m.name))],
      metrics,
      ...optional,
      sha256: text(`${at}.sha256`, 'evidence.sha256', marking, 'evidence'),
      sizeBytes: count(`${at}.sizeBytes`, 'evidence.sizeBytes', marking, 'evidence'),
      marking,
      recordedBy: text(`${at}.recordedBy`, 'evidence.recordedBy', 'CUI', 'evidence'),
      recordedAt: date(`${at}.recordedAt`, 'evidence.recordedAt', 'CUI', 'evidence'),
    };
  });

  const threshold = (t: { pooled?: string | undefined; comparison: Comparison; value: number }, at: string) => ({
    metric: t.pooled ?? text(`${at}.metric`, 'policy.threshold.metric', 'SECRET', 'policy'),
    comparison: t.comparison,
    value: real(`${at}.value`, 'policy.threshold.value', 'SECRET', 'policy', t.value),
  });
  const policy: ThresholdPolicy | undefined = s.policy && {
    version: count('policy.version', 'policy.version', 'SECRET', 'policy'),
    rules: s.policy.rules.map((r, i) => ({
      domain: r.domain,
      atOrAbove: r.atOrAbove.map((t, j) => threshold(t, `policy.rules[${i}].atOrAbove[${j}]`)),
      cannotRuleOut: r.cannotRuleOut.map((t, j) => threshold(t, `policy.rules[${i}].cannotRuleOut[${j}]`)),
    })),
    requiredDomains: s.policy.requiredDomains,
    createdBy: text('policy.createdBy', 'policy.createdBy', 'SECRET', 'policy'),
    createdAt: date('policy.createdAt', 'policy.createdAt', 'SECRET', 'policy'),
  };

  // The evaluation, derived as the service derives it.
  const byDomain = evidenceByDomain(evidence);
  const determinations = policy ? determine(policy, evidence.flatMap(countedMetricsOf), byDomain) : [];
  const missing: CapabilityDomain[] = policy ? missingDomains(policy, byDomain) : [];

  const decisionMarking = expectedDecisionMarking(s);
  const c: Case = {
    id,
    organization: text('case.organization', 'case.organization', 'CUI', 'case'),
    modelName: text('case.modelName', 'case.modelName', 'CUI', 'case'),
    modelVersion: text('case.modelVersion', 'case.modelVersion', 'CUI', 'case'),
    submissionRevision: count('case.submissionRevision', 'case.submissionRevision', 'CUI', 'case'),
    status: s.status,
    revision: count('case.revision', 'case.revision', 'CUI', 'case'),
    determinations,
    readyForDecision: !!policy && missing.length === 0,
    missingDomains: missing,
    ...(s.consultation ? {
      consultation: {
        requestedBy: text('consultation.requestedBy', 'consultation.requestedBy', 'CUI', 'case'),
        requestedAt: date('consultation.requestedAt', 'consultation.requestedAt', 'CUI', 'case'),
        entries: s.consultation.map((e, i) => {
          const at = `consultation.entries[${i}]`;
          return {
            agency: text(`${at}.agency`, 'consultation.entries.agency', 'CUI', 'case'),
            title: text(`${at}.title`, 'consultation.entries.title', 'CUI', 'case'),
            required: e.required,
            deadline: date(`${at}.deadline`, 'consultation.entries.deadline', 'CUI', 'case'),
            ...(e.view ? { view: e.view } : {}),
            ...(e.comments ? { comments: text(`${at}.comments`, 'consultation.entries.comments', 'SECRET', 'case') } : {}),
            // As in the domain: who answered, and when, is recorded exactly when a view is.
            ...(e.view ? { recordedBy: text(`${at}.recordedBy`, 'consultation.entries.recordedBy', 'SECRET', 'case'), recordedAt: date(`${at}.recordedAt`, 'consultation.entries.recordedAt', 'SECRET', 'case') } : {}),
          };
        }),
      },
    } : {}),
    ...(s.decision ? {
      decision: {
        outcome: s.decision.outcome,
        rationale: text('decision.rationale', 'decision.rationale', decisionMarking, 'case'),
        effectiveAt: date('decision.effectiveAt', 'decision.effectiveAt', 'CUI', 'case'),
        decidedBy: text('decision.decidedBy', 'decision.decidedBy', 'SECRET', 'case'),
        decidedAt: date('decision.decidedAt', 'decision.decidedAt', 'CUI', 'case'),
        policyVersion: count('decision.policyVersion', 'decision.policyVersion', 'SECRET', 'case'),
        lapsedAgencies: Array.from({ length: s.decision.lapsed }, (_, i) => text(`decision.lapsedAgencies[${i}]`, 'decision.lapsedAgencies', 'SECRET', 'case')),
      },
    } : {}),
    // The wire says only whether it was released.
    ...(s.released ? { releasedAt: date('case.releasedAt', 'case.releasedAt', 'CUI', 'internal') } : {}),
    createdAt: date('case.createdAt', 'case.createdAt', 'CUI', 'case'),
    updatedAt: date('case.updatedAt', 'case.updatedAt', 'CUI', 'case'),
  };
  return { c, evidence, ...(policy ? { policy } : {}) };
}

// ---- what leaves -------------------------------------------------------------------------------

const bytes = (u: Uint8Array) => Buffer.from(u);
const CASE_VERBS = [['case', 'opened'], ['case', 'reopened'], ['case', 'closed'], ['determination', 'changed'], ['consultation', 'requested'], ['consultation', 'recorded'], ['consultation', 'lapsed'], ['decision', 'issued']] as const;

/** Every response a reader at `clearance` can be given, serialized. */
function responses(b: Built, clearance: Clearance): Record<string, Buffer> {
  return {
    GetCase: bytes(v1.GetCaseResponse.encode({ case: caseToWire(b.c, clearance) }).finish()),
    ListEvidence: bytes(v1.ListEvidenceResponse.encode({ evidence: b.evidence.map((e) => evidenceToWire(e, clearance)), nextPageToken: '' }).finish()),
    ...(b.policy ? { GetThresholdPolicy: bytes(v1.GetThresholdPolicyResponse.encode({ policy: policyToWire(b.policy, clearance) }).finish()) } : {}),
  };
}

function classifiedEvents(b: Built): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const verb of CASE_VERBS) {
    const entry = caseEvent(b.c, [...verb] as Parameters<typeof caseEvent>[1], now);
    out[`event ${entry.subject}`] = Buffer.from(entry.subject + entry.payload);
  }
  b.evidence.forEach((e, i) => {
    const entry = evidenceEvent(e, now);
    out[`event ${entry.subject}[${i}]`] = Buffer.from(entry.subject + entry.payload);
  });
  return out;
}

/** The release, as answered and as published on the developer's subject. */
function releasable(b: Built): Record<string, Buffer> {
  if (!b.c.decision) return {};
  const assessment = releasableAssessment(b.c, now);
  const entry = assessmentEvent(assessment, now);
  const out: Record<string, Buffer> = { [`event ${entry.subject}`]: Buffer.from(entry.subject + entry.payload) };
  for (const clearance of CLEARANCES) out[`GetReleasableAssessment@${clearance}`] = bytes(v1.GetReleasableAssessmentResponse.encode({ assessment: assessmentToWire(assessment, clearance) }).finish());
  return out;
}

const dataOf = (payload: Buffer) => JSON.stringify((JSON.parse(payload.toString().slice(payload.indexOf('{'))) as { data: unknown }).data);

/** The sentinels above `limit` found in `output`, named. */
function leaks(sentinels: Sentinels, name: string, output: Buffer, limit: Marking, allowed: Set<string> = new Set()): string[] {
  return sentinels.born
    .filter((s) => !clearanceAtLeast(limit, s.marking) && !allowed.has(s.field) && s.patterns.some((p) => output.includes(p)))
    .map((s) => `${name} (limit ${limit}) holds ${s.field} (${s.marking})`);
}

describe('markings: no value reaches a reader or stream above its clearance', () => {
  it('holds for every field of every message, every marking and every clearance', () => {
    fc.assert(
      fc.property(scenarioArb, otherArb, (scenario, other) => {
        const sentinels = new Sentinels();
        const built = build(scenario, sentinels, () => 'a');
        const found: string[] = [];

        for (const clearance of CLEARANCES) {
          const out = responses(built, clearance);
          for (const [name, output] of Object.entries(out)) found.push(...leaks(sentinels, `${name}@${clearance}`, output, clearance));
          // The check can see: every direct field the reader is cleared for is there.
          const direct: [Sentinel['record'], string][] = [['case', 'GetCase'], ['evidence', 'ListEvidence'], ['policy', 'GetThresholdPolicy']];
          for (const [record, name] of direct) {
            const missing = sentinels.born.filter((s) => s.record === record && clearanceAtLeast(clearance, s.marking) && !s.patterns.some((p) => out[name]!.includes(p)));
            found.push(...missing.map((s) => `${name}@${clearance} lacks ${s.field} (${s.marking}), which its reader is cleared for`));
          }
        }
        for (const [name, output] of Object.entries(classifiedEvents(built))) found.push(...leaks(sentinels, name, output, CLASSIFIED_CEILING));
        for (const [name, output] of Object.entries(releasable(built))) found.push(...leaks(sentinels, name, output, RELEASABLE_CEILING, DECLASSIFIED_BY_RELEASE));

        // What sentinels cannot tag (levels, domains, flags, shapes): a reader sees the same
        // whatever the values above its clearance are.
        for (const clearance of CLEARANCES.filter((c) => c !== 'TOP_SECRET')) {
          const variant = (m: Marking) => (clearanceAtLeast(clearance, m) ? 'a' : `b${clearance}`);
          const other_ = build(twin(scenario, other, clearance), sentinels, variant);
          const [mine, theirs] = [responses(built, clearance), responses(other_, clearance)];
          for (const name of Object.keys(mine)) if (!mine[name]!.equals(theirs[name]!)) found.push(`${name}@${clearance} depends on values above ${clearance}`);
          if (clearance === CLASSIFIED_CEILING) {
            const [a, b] = [classifiedEvents(built), classifiedEvents(other_)];
            for (const name of Object.keys(a)) if (dataOf(a[name]!) !== dataOf(b[name]!)) found.push(`${name} depends on values above its ceiling ${clearance}`);
          }
        }
        expect([...new Set(found)]).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
