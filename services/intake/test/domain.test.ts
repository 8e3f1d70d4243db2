import { ConflictError, FailedPreconditionError } from '@rampart/errors';
import { amend, receive, requestFingerprint, withdraw } from '../src/domain/rules';
import { validateDetails, validateIdempotencyKey, validateSubmissionId, type ModelDetailsInput } from '../src/domain/validation';

const now = new Date('2026-11-22T12:00:00Z');
const day = 24 * 3600 * 1000;

function input(overrides: Partial<ModelDetailsInput> = {}): ModelDetailsInput {
  return {
    modelName: 'Atlas',
    modelVersion: '2.1',
    description: 'A general model',
    modalities: ['text', 'code'],
    trainingComputeFlop: 3e25,
    parameterCount: 400_000_000_000,
    intendedPartnerReleaseAt: new Date(now.getTime() + 10 * day),
    intendedPublicReleaseAt: new Date(now.getTime() + 40 * day),
    selfReportedEvaluations: [{ benchmark: 'Cybench', score: 0.42, evaluationDate: '2026-11-01' }],
    pointsOfContact: [{ name: 'Ada', email: 'Ada@Example.com', role: 'security lead' }],
    ...overrides,
  };
}

const fields = (i?: ModelDetailsInput, previous?: Parameters<typeof validateDetails>[2]) => validateDetails(i, now, previous).violations.map((v) => v.field);

describe('submission validation', () => {
  it('accepts a complete submission and normalises it', () => {
    const { details, violations } = validateDetails(input(), now);
    expect(violations).toEqual([]);
    expect(details?.pointsOfContact[0]?.email).toBe('ada@example.com');
  });

  it('names every missing required field at once', () => {
    expect(fields({})).toEqual(expect.arrayContaining([
      'details.model_name', 'details.model_version', 'details.description', 'details.modalities',
      'details.intended_partner_release_time', 'details.intended_public_release_time', 'details.points_of_contact',
    ]));
    expect(fields(undefined)).toEqual(['details']);
  });

  it('refuses a public release before the partner release', () => {
    expect(fields(input({ intendedPublicReleaseAt: new Date(now.getTime() + 5 * day) }))).toEqual(['details.intended_public_release_time']);
  });

  it('refuses dates in the past, but lets an amendment keep a date that has passed', () => {
    const past = new Date(now.getTime() - day);
    expect(fields(input({ intendedPartnerReleaseAt: past }))).toEqual(['details.intended_partner_release_time']);
    const previous = validateDetails(input(), new Date(past.getTime() - 30 * day)).details!;
    const kept = { ...previous, intendedPartnerReleaseAt: past };
    expect(fields(input({ intendedPartnerReleaseAt: past }), kept)).toEqual([]);
  });

  it('bounds sizes and rejects control characters, non-finite numbers and bad dates', () => {
    expect(fields(input({ modelName: 'x'.repeat(201) }))).toEqual(['details.model_name']);
    expect(fields(input({ description: 'nul\u0000here' }))).toEqual(['details.description']);
    expect(fields(input({ trainingComputeFlop: Number.POSITIVE_INFINITY }))).toEqual(['details.training_compute_flop']);
    expect(fields(input({ modalities: ['text', 'smell'] }))).toEqual(['details.modalities[1]']);
    expect(fields(input({ selfReportedEvaluations: [{ benchmark: 'B', score: Number.NaN, evaluationDate: '2026-02-30' }] })))
      .toEqual(['details.self_reported_evaluations[0].score', 'details.self_reported_evaluations[0].evaluation_date']);
    expect(fields(input({ selfReportedEvaluations: [{ benchmark: 'B', score: 1, evaluationDate: '2027-01-01' }] })))
      .toEqual(['details.self_reported_evaluations[0].evaluation_date']);
    expect(fields(input({ pointsOfContact: [{ name: 'A', email: 'not-an-email' }] }))).toEqual(['details.points_of_contact[0].email']);
  });

  it('checks ids and keys', () => {
    expect(validateIdempotencyKey('')).toHaveLength(1);
    expect(validateIdempotencyKey('retry-1')).toEqual([]);
    expect(validateIdempotencyKey('has space')).toHaveLength(1);
    expect(validateSubmissionId('0193b0a8-7c1e-7000-8000-000000000000')).toEqual([]);
    expect(validateSubmissionId('../etc')[0]?.field).toBe('submission_id');
  });
});

describe('submission rules', () => {
  const details = validateDetails(input(), now).details!;
  const received = receive({ id: 's1', organization: 'acme', details, actor: 'dev@acme', now }).submission;

  it('amends only from the current revision', () => {
    expect(() => amend(received, { expectedRevision: 2, details, actor: 'dev@acme', now })).toThrow(ConflictError);
    const amended = amend(received, { expectedRevision: 1, details, actor: 'dev@acme', now });
    expect(amended.submission.revision).toBe(2);
    expect(amended.revision).toMatchObject({ revision: 2, change: 'amended', changedBy: 'dev@acme' });
  });

  it('withdraws once; again changes nothing; a withdrawn submission cannot be amended', () => {
    const withdrawn = withdraw(received, { reason: 'changed plans', actor: 'dev@acme', now })!;
    expect(withdrawn.submission).toMatchObject({ status: 'withdrawn', revision: 2, withdrawal: { reason: 'changed plans' } });
    expect(withdraw(withdrawn.submission, { reason: 'again', actor: 'dev@acme', now })).toBeUndefined();
    expect(() => amend(withdrawn.submission, { expectedRevision: 2, details, actor: 'dev@acme', now })).toThrow(FailedPreconditionError);
  });

  it('fingerprints bodies so a retry matches and a changed body does not', () => {
    expect(requestFingerprint(details)).toBe(requestFingerprint(validateDetails(input(), now).details!));
    expect(requestFingerprint(details)).not.toBe(requestFingerprint({ ...details, modelVersion: '2.2' }));
  });
});
