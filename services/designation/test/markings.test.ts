/**
 * The marking rule on the cases an outside review found (issue 6, section 3): each is a named
 * instance of what markings.property.test.ts checks over every field.
 */
import { designationV1 as v1 } from '@rampart/proto';
import { releasableAssessment } from '../src/domain/assessment';
import type { Case } from '../src/domain/case';
import { countedMetricsOf, evidenceByDomain, type Evidence } from '../src/domain/evidence';
import { determine, missingDomains, type ThresholdPolicy } from '../src/domain/policy';
import { assessmentEvent, caseEvent, evidenceEvent } from '../src/events/designation-events';
import { caseToWire, evidenceToWire, policyToWire } from '../src/grpc/mapping';

const now = new Date('2026-11-22T12:00:00Z');
const TS_SCORE = 0.8123;
const SECRET_SCORE = 0.5517;
const double = (v: number) => { const b = Buffer.alloc(8); b.writeDoubleLE(v); return b; };

const policy: ThresholdPolicy = {
  version: 7, createdBy: 'admin@nsa', createdAt: now, requiredDomains: ['exploit_development', 'vulnerability_discovery'],
  rules: [
    { domain: 'exploit_development', atOrAbove: [{ metric: 'accuracy', comparison: 'gte', value: 0.75 }], cannotRuleOut: [{ metric: 'accuracy', comparison: 'gte', value: 0.5 }] },
    { domain: 'vulnerability_discovery', atOrAbove: [{ metric: 'accuracy', comparison: 'gte', value: 0.75 }], cannotRuleOut: [{ metric: 'accuracy', comparison: 'gte', value: 0.5 }] },
  ],
};

function item(id: string, marking: Evidence['marking'], domain: Evidence['domains'][number], value: number, kind: Evidence['kind'] = 'suite_result'): Evidence {
  return {
    id, caseId: 'c1', kind, domains: [domain], countedMetrics: ['accuracy'], metrics: [{ scorer: 'Cybench', name: 'accuracy', value }],
    suiteName: 'Cybench', suiteVersion: '2.1', totalSamples: 40, sha256: `sha-of-${id}`, sizeBytes: 1234, marking, recordedBy: 'evaluator@nsa', recordedAt: now,
  };
}

function caseWith(evidence: Evidence[], decided = false): Case {
  const byDomain = evidenceByDomain(evidence);
  const missing = missingDomains(policy, byDomain);
  return {
    id: 'c1', organization: 'acme', modelName: 'Atlas', modelVersion: '5', submissionRevision: 2, status: decided ? 'decided' : 'evaluating', revision: 9,
    determinations: determine(policy, evidence.flatMap(countedMetricsOf), byDomain), readyForDecision: missing.length === 0, missingDomains: missing, policyVersion: 7,
    ...(decided ? { decision: { outcome: 'covered' as const, rationale: 'the exploit results', effectiveAt: now, decidedBy: 'director@nsa', decidedAt: now, policyVersion: 7, lapsedAgencies: ['CISA'] } } : {}),
    createdAt: now, updatedAt: now,
  };
}

const secretItem = item('e-secret', 'SECRET', 'vulnerability_discovery', SECRET_SCORE);
const topSecretItem = item('e-ts', 'TOP_SECRET', 'exploit_development', TS_SCORE);
const bytesOf = (c: Case, clearance: Parameters<typeof caseToWire>[1]) => Buffer.from(v1.Case.encode(caseToWire(c, clearance)).finish());

describe('a derived value carries the highest marking of what it derives from', () => {
  it('withholds the whole evaluation from a SECRET reader once TOP_SECRET evidence is in it, and shows it at TOP_SECRET', () => {
    const c = caseWith([secretItem, topSecretItem]);
    const secret = caseToWire(c, 'SECRET');
    expect(secret).toMatchObject({ determinations: [], missingDomains: [], readyForDecision: false });
    expect(secret.redactedFields).toEqual(expect.arrayContaining(['determinations', 'missingDomains', 'readyForDecision']));
    expect(bytesOf(c, 'SECRET').includes(double(TS_SCORE))).toBe(false);

    const top = caseToWire(c, 'TOP_SECRET');
    expect(top.determinations.map((d) => d.basis[0]!.value)).toEqual([TS_SCORE, SECRET_SCORE]); // exploit_development, vulnerability_discovery
    expect(top.readyForDecision).toBe(true);
    expect(bytesOf(c, 'TOP_SECRET').includes(double(TS_SCORE))).toBe(true);
  });

  it('shows a SECRET reader the evaluation of SECRET evidence, without its thresholds below SECRET', () => {
    const c = caseWith([secretItem]);
    expect(caseToWire(c, 'SECRET').determinations).toEqual([expect.objectContaining({ level: v1.DeterminationLevel.DETERMINATION_LEVEL_CANNOT_RULE_OUT, policyVersion: 7 })]);
    expect(caseToWire(c, 'CUI')).toMatchObject({ determinations: [], missingDomains: [] });
    expect(policyToWire(policy, 'CUI')).toEqual(v1.ThresholdPolicy.fromPartial({}));
    expect(policyToWire(policy, 'SECRET').version).toBe(7);
  });

  it('marks the decision as the evaluation it judges: TOP_SECRET evidence withholds outcome and rationale from SECRET', () => {
    const decision = caseToWire(caseWith([secretItem, topSecretItem], true), 'SECRET').decision!;
    expect(decision).toMatchObject({ outcome: v1.DecisionOutcome.DECISION_OUTCOME_UNSPECIFIED, rationale: '', decidedBy: 'director@nsa', policyVersion: 7 });
    expect(caseToWire(caseWith([secretItem], true), 'SECRET').decision).toMatchObject({ outcome: v1.DecisionOutcome.DECISION_OUTCOME_COVERED, rationale: 'the exploit results' });
  });
});

describe('one marking table per record, for every response and event', () => {
  it('keeps decidedBy and policyVersion SECRET in GetCase as in the release (which carries neither)', () => {
    const c = caseWith([secretItem], true);
    const cui = caseToWire(c, 'CUI');
    expect(cui.decision).toMatchObject({ decidedBy: '', policyVersion: 0, lapsedAgencies: [], effectiveTime: now });
    expect(cui.redactedFields).toEqual(expect.arrayContaining(['decision.decidedBy', 'decision.policyVersion', 'decision.lapsedAgencies', 'decision.outcome', 'decision.rationale']));
    const released = JSON.stringify(releasableAssessment(c, now));
    for (const secret of ['director@nsa', 'the exploit results', 'CISA', String(SECRET_SCORE), '"policyVersion"']) expect(released).not.toContain(secret);
  });

  it('hides the SHA-256 and size of an item below its marking, for suite results and logs alike', () => {
    for (const kind of ['suite_result', 'inspect_log'] as const) {
      const e = item('e1', 'TOP_SECRET', 'exploit_development', TS_SCORE, kind);
      expect(evidenceToWire(e, 'SECRET')).toMatchObject({ id: 'e1', marking: v1.Classification.CLASSIFICATION_TOP_SECRET, recordedBy: 'evaluator@nsa', sha256: '', sizeBytes: 0, metrics: [] });
      expect(evidenceToWire(e, 'SECRET').redactedFields).toEqual(expect.arrayContaining(['sha256', 'sizeBytes', 'domains', 'metrics', 'elicitationNotes']));
      expect(evidenceToWire(e, 'TOP_SECRET')).toMatchObject({ sha256: 'sha-of-e1', sizeBytes: 1234, redactedFields: [] });
    }
  });

  it('redacts events to their stream ceiling: no TOP_SECRET domains, hash or evaluation on DESIGNATION_CLASSIFIED', () => {
    const data = (payload: string) => (JSON.parse(payload) as { data: Record<string, unknown> }).data;
    const ts = data(evidenceEvent(topSecretItem, now).payload);
    expect(ts).toEqual({ evidenceId: 'e-ts', caseId: 'c1', revision: 1, kind: 'suite_result', marking: 'TOP_SECRET', redactedFields: ['domains', 'sha256'] });
    expect(data(evidenceEvent(secretItem, now).payload)).toMatchObject({ domains: ['vulnerability_discovery'], sha256: 'sha-of-e-secret', redactedFields: [] });

    const decided = data(caseEvent(caseWith([secretItem, topSecretItem], true), ['decision', 'issued'], now).payload);
    expect(decided).toMatchObject({ caseId: 'c1', revision: 9, status: 'decided', decision: { effectiveAt: now.toISOString(), policyVersion: 7 } });
    expect(decided).not.toHaveProperty('determinations');
    expect(decided).not.toHaveProperty('readyForDecision');
    expect(decided.decision).not.toHaveProperty('outcome');
    expect(decided.redactedFields).toEqual(['determinations', 'readyForDecision', 'decision.outcome']);
  });

  it('releases by an explicit act: exactly the released fields, revision the submission revision decided on', () => {
    const entry = assessmentEvent(releasableAssessment(caseWith([topSecretItem, secretItem], true), now), now);
    expect(entry.subject).toBe('rampart.developer.acme.designation.assessment.released');
    const data = (JSON.parse(entry.payload) as { data: Record<string, unknown> }).data;
    expect(Object.keys(data).sort()).toEqual(['caseId', 'domains', 'effectiveAt', 'modelName', 'modelVersion', 'organization', 'outcome', 'releasedAt', 'revision', 'submissionRevision', 'tlp']);
    expect(data).toMatchObject({ revision: 2, outcome: 'covered', tlp: 'AMBER+STRICT' });
    expect(entry.payload).not.toContain(String(TS_SCORE));
  });
});
