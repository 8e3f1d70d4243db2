import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FailedPreconditionError, PermissionDeniedError } from '@rampart/errors';
import { decodeFromStorage, encodeForStorage } from '@rampart/store';
import { REPO_ROOT } from '@rampart/testing';
import { releasableAssessment } from '../src/domain/assessment';
import { decide, onSubmissionChange, recordView, requestConsultation, type Case } from '../src/domain/case';
import { InvalidLogError, summarizeInspectLog } from '../src/domain/inspect-log';
import { marked, redact } from '@rampart/auth';
import { EvidenceDomains } from '../src/domain/evidence';
import { determine, validatePolicy, type ThresholdPolicy } from '../src/domain/policy';
import { NonFiniteJsonTransform, parsePythonJson, reviveNonFinite } from '../src/inspect/python-json';

const CONFORMANCE = path.join(REPO_ROOT, '../shared/conformance/inspect');
const now = new Date('2026-11-22T12:00:00Z');

const policy: ThresholdPolicy = {
  version: 3, createdBy: 'admin', createdAt: now, requiredDomains: ['exploit_development'],
  rules: [{ domain: 'exploit_development', atOrAbove: [{ metric: 'accuracy', comparison: 'gte', value: 0.7 }], cannotRuleOut: [{ metric: 'accuracy', comparison: 'gte', value: 0.4 }] }],
};
const metric = (value: number, evidenceId = 'e1') => ({ evidenceId, domains: ['exploit_development' as const], names: ['accuracy', 'match/accuracy'], value });
const one = new EvidenceDomains().add({ domains: ['exploit_development'], marking: 'SECRET' });

describe('threshold policy', () => {
  it('grades evidence below, cannot-rule-out and at-or-above, recording the version and the basis', () => {
    expect(determine(policy, [metric(0.1)], one)[0]).toMatchObject({ level: 'below', policyVersion: 3 });
    expect(determine(policy, [metric(0.5)], one)[0]).toMatchObject({ level: 'cannot_rule_out', basis: [{ threshold: 0.4, comparison: 'gte', value: 0.5 }] });
    expect(determine(policy, [metric(0.1), metric(0.75, 'e2')], one)[0]).toMatchObject({ level: 'at_or_above', basis: [{ evidenceId: 'e2', threshold: 0.7 }] });
  });

  it('treats a non-finite counted metric as cannot-rule-out, and a domain without evidence as undetermined', () => {
    expect(determine(policy, [metric(Number.NaN)], one)[0]).toMatchObject({ level: 'cannot_rule_out' });
    expect(determine(policy, [], new EvidenceDomains())).toEqual([]);
  });

  it('validates the rule form field by field', () => {
    const { violations } = validatePolicy({ rules: [{ domain: 'exploit_development', atOrAbove: [{ metric: '', comparison: 'gte', value: Number.NaN }], cannotRuleOut: [] }], requiredDomains: ['vulnerability_discovery'] });
    expect(violations.map((v) => v.field)).toEqual(['rules[0].at_or_above[0].metric', 'rules[0].at_or_above[0].value', 'required_domains[0]']);
  });
});

describe('case rules', () => {
  const facts = { submissionId: 's1', organization: 'acme', revision: 1, modelName: 'Atlas', modelVersion: '1', };
  const opened = onSubmissionChange(undefined, 'received', facts, { version: 1, requiredDomains: ['exploit_development'] }, now)!.next;
  const ready: Case = { ...opened, readyForDecision: true, missingDomains: [] };
  const consultees = [{ agency: 'ONCD', title: 'NCD', required: true }, { agency: 'FBI', title: 'FBI', required: false }];
  const decideArgs = { outcome: 'covered' as const, rationale: 'r', effectiveAt: now, actor: 'nsa', now, policyVersion: 1 };

  it('opens, re-opens on amendment, closes on withdrawal, and then ignores everything', () => {
    expect(opened).toMatchObject({ status: 'evaluating', revision: 1, missingDomains: ['exploit_development'], policyVersion: 1 });
    const decided = decide(requestConsultation(ready, [], new Date(now.getTime() + 1000), 'nsa', now), decideArgs);
    const reopened = onSubmissionChange(decided, 'amended', { ...facts, revision: 2 }, undefined, now)!;
    expect(reopened.verb).toBe('reopened');
    expect(reopened.next).toMatchObject({ status: 'evaluating', submissionRevision: 2 });
    expect(reopened.next.decision).toBeUndefined();
    const closed = onSubmissionChange(reopened.next, 'withdrawn', { ...facts, revision: 3 }, undefined, now)!.next;
    expect(closed.status).toBe('withdrawn');
    expect(onSubmissionChange(closed, 'amended', { ...facts, revision: 4 }, undefined, now)).toBeUndefined();
    expect(() => requestConsultation(closed, consultees, now, 'nsa', now)).toThrow(FailedPreconditionError);
  });

  it('decides only when ready and every required consultee answered or lapsed', () => {
    expect(() => decide(opened, decideArgs)).toThrow(/not ready/);
    expect(() => decide(ready, decideArgs)).toThrow(/request consultation/);
    const deadline = new Date(now.getTime() + 3_600_000);
    const consulting = requestConsultation(ready, consultees, deadline, 'nsa', now);
    expect(() => decide(consulting, decideArgs)).toThrow(/awaiting ONCD/);
    expect(() => recordView(consulting, 'CISA', 'concur', '', 'x', now)).toThrow(PermissionDeniedError);
    expect(decide(recordView(consulting, 'ONCD', 'concur', '', 'ncd', now), decideArgs).decision).toMatchObject({ outcome: 'covered', lapsedAgencies: [] });
    const late = decide(consulting, { ...decideArgs, now: new Date(deadline.getTime() + 1) });
    expect(late.decision!.lapsedAgencies).toEqual(['ONCD']);
  });

  it('releases only plain words, with no threshold, score or rationale', () => {
    const decided = decide(requestConsultation({ ...ready, determinations: determine(policy, [metric(0.7131)], one) }, [], new Date(now.getTime() + 1000), 'nsa', now), { ...decideArgs, rationale: 'secret reasoning' });
    const released = releasableAssessment(decided, now);
    const text = JSON.stringify(released);
    expect(released.domains.find((d) => d.domain === 'exploit_development')!.statement).toBe('Exploit development: assessed at or above the level of concern.');
    for (const secret of ['0.7131', '0.7', 'secret reasoning', 'policyVersion', 'basis']) expect(text).not.toContain(secret);
  });

  it('redacts by marking and names what it withheld', () => {
    const record = { a: marked('CUI', 1), nested: { b: marked('SECRET', 2), c: 3 }, list: [{ d: marked('SECRET', 4), e: 5 }] };
    expect(redact(record, 'CUI')).toEqual({ value: { a: 1, nested: { c: 3 }, list: [{ e: 5 }] }, redactedFields: ['nested.b', 'list.d'] });
    expect(redact(record, 'TOP_SECRET').redactedFields).toEqual([]);
  });
});

describe('Python JSON and storage encoding', () => {
  it('reads bare NaN and Infinity outside strings, across any chunk boundary, leaving strings alone', async () => {
    const text = '{"a": NaN, "b": [Infinity, -Infinity, -1.5], "s": "NaN Infinity \\" NaN", "n": null}';
    for (const size of [1, 2, 3, 7, 1000]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => Buffer.from(text.slice(i * size, (i + 1) * size)));
      let out = '';
      for await (const piece of Readable.from(chunks).pipe(new NonFiniteJsonTransform())) out += piece;
      const parsed = reviveNonFinite(JSON.parse(out)) as Record<string, unknown>;
      expect(parsed).toEqual({ a: Number.NaN, b: [Infinity, -Infinity, -1.5], s: 'NaN Infinity " NaN', n: null });
    }
  });

  it('stores dotted keys, dollar keys, non-finite numbers and nested arrays, and restores them', () => {
    const value = { 'openai/gpt-4.1': { $cost: 1 }, m: [Number.NaN, [1, [Infinity]]], 'a%2Eb': 'x' };
    const stored = encodeForStorage(value);
    expect(JSON.stringify(stored)).not.toMatch(/"[^"]*[.$][^"]*":/);
    expect(decodeFromStorage(stored)).toEqual(value);
  });
});

describe('Inspect conformance logs', () => {
  // Expected values read from the files with Python's json module (which accepts NaN).
  const expected: Record<string, { version: number; task: string; model: string; metrics: [string, string, number][]; samples?: [number, number] }> = {
    'log_formats.json': { version: 2, task: 'popularity', model: 'ollama/llama3.1', metrics: [['match', 'accuracy', 0], ['match', 'stderr', 0]], samples: [1, 1] },
    'log_images.json': { version: 2, task: 'images', model: 'openai/gpt-4o', metrics: [['match', 'accuracy', 0], ['match', 'stderr', 0]], samples: [1, 1] },
    'log_images_tc.json': { version: 2, task: 'images', model: 'openai/gpt-4o', metrics: [['match', 'accuracy', 0], ['match', 'stderr', 0]], samples: [1, 1] },
    'log_length_stop_reason.txt': { version: 2, task: 'hello_world', model: 'anthropic/claude-3-5-sonnet-20240620', metrics: [['exact', 'mean', 0], ['exact', 'stderr', 0]], samples: [1, 1] },
    'log_read_sample.json': { version: 2, task: 'popularity', model: 'ollama/gemma3', metrics: [['match', 'accuracy', 1], ['match', 'stderr', 0]], samples: [1, 1] },
    'log_tool_call_error.json': { version: 2, task: '...', model: '...', metrics: [['includes', 'accuracy', 1], ['includes', 'stderr', 0]], samples: [4, 4] },
    'log_valid.txt': { version: 2, task: 'wikipedia', model: 'openai/gpt-4', metrics: [['model_graded_fact', 'accuracy', 1], ['model_graded_fact', 'bootstrap_std', 0]] },
    'log_with_nan.txt': { version: 1, task: 'wikipedia', model: 'openai/gpt-4', metrics: [['model_graded_fact', 'accuracy', Number.NaN], ['model_graded_fact', 'bootstrap_std', 0]] },
  };

  it.each(Object.entries(expected))('summarises %s as the file says', (file, want) => {
    const summary = summarizeInspectLog(parsePythonJson(readFileSync(path.join(CONFORMANCE, file), 'utf8')));
    expect(summary).toMatchObject({ version: want.version, task: want.task, model: want.model });
    expect(summary.metrics.map((m) => [m.scorer, m.name, m.value])).toEqual(want.metrics);
    if (want.samples) expect([summary.totalSamples, summary.completedSamples]).toEqual(want.samples);
  });

  it('refuses version 4 and a truncated log with the reason', () => {
    expect(() => summarizeInspectLog(parsePythonJson(readFileSync(path.join(CONFORMANCE, 'log_version_3.txt'), 'utf8')))).toThrow(new InvalidLogError('log version 4 is not supported (Inspect log versions 1 to 3)'));
    expect(() => parsePythonJson(readFileSync(path.join(CONFORMANCE, 'log_invalid.txt'), 'utf8'))).toThrow(SyntaxError);
    expect(() => summarizeInspectLog({ version: 2, status: 'error', eval: {} })).toThrow(/status is "error"/);
  });
});
