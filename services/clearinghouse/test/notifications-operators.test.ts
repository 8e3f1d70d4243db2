/**
 * Operators (sector, size, contacts, guarded webhook endpoints), their per-asset remediation reports
 * with VEX justifications, the exposure view by sector and size, and escalation of unacknowledged
 * notifications about flaws exploited in the wild.
 */
import type { FieldViolation } from '@rampart/errors';
import {
  DEFAULT_ESCALATION,
  escalationFor,
  exposureBySectorAndSize,
  isEscalationDue,
  nextNotification,
  operatorProfile,
  remediationOf,
  STRICT_ENDPOINTS,
  type AssetExposure,
  type OperatorProfileInput,
} from '../src/domain/notifications';

const valid: OperatorProfileInput = {
  name: 'Valley Regional Hospital',
  sector: 'healthcare-and-public-health',
  size: 'small',
  contacts: [
    { name: 'IT lead', email: 'It@Valley.example', primary: true },
    { name: 'Administrator', email: 'admin@valley.example' },
  ],
  webhooks: [{ id: 'soc', url: 'https://hooks.valley.example/rampart' }],
};

const check = (input: OperatorProfileInput) => {
  const out: FieldViolation[] = [];
  const profile = operatorProfile(out, input, STRICT_ENDPOINTS);
  return { out, profile };
};

describe('operator profiles', () => {
  it('accepts a complete profile and normalises e-mail case', () => {
    const { out, profile } = check(valid);
    expect(out).toEqual([]);
    expect(profile.contacts[0]!.email).toBe('it@valley.example');
  });

  it('lists every problem at once, each with its field', () => {
    const { out } = check({
      name: '',
      sector: 'retail',
      size: 'tiny',
      contacts: [{ name: 'x', email: 'not-an-address' }, { name: '', email: 'not-an-address' }],
      webhooks: [
        { id: 'Bad Id', url: 'http://10.0.0.1/hook' },
        { id: 'b', url: 'https://169.254.169.254/' },
      ],
    });
    const fields = out.map((v) => v.field);
    expect(fields).toEqual(
      expect.arrayContaining(['name', 'sector', 'size', 'contacts[0].email', 'contacts[1].name', 'contacts[1].email', 'contacts', 'webhooks[0].id', 'webhooks[0].url', 'webhooks[1].url']),
    );
    expect(out.find((v) => v.field === 'contacts' && /primary/.test(v.description))).toBeDefined();
    expect(out.find((v) => v.field === 'contacts' && /twice/.test(v.description))).toBeDefined();
  });

  it('caps contacts and endpoints', () => {
    const many = Array.from({ length: 25 }, (_, i) => ({ name: `c${i}`, email: `c${i}@x.example`, primary: i === 0 }));
    expect(check({ ...valid, contacts: many }).out).toEqual([{ field: 'contacts', description: 'must have at most 20 entries' }]);
    const hooks = Array.from({ length: 6 }, (_, i) => ({ id: `h${i}`, url: 'https://hooks.example.com/x' }));
    expect(check({ ...valid, webhooks: hooks }).out).toEqual([{ field: 'webhooks', description: 'must have at most 5 entries' }]);
  });
});

describe('remediation reports', () => {
  const report = (input: Parameters<typeof remediationOf>[1]) => {
    const out: FieldViolation[] = [];
    return { value: remediationOf(out, input), out };
  };

  it.each(['affected', 'patched', 'mitigated'])('accepts %s without a justification', (state) => {
    expect(report({ state, note: 'ticket 42' })).toEqual({ value: { state, note: 'ticket 42' }, out: [] });
  });

  it('requires a VEX justification for not_affected, and only then', () => {
    expect(report({ state: 'not_affected' }).out).toEqual([{ field: 'justification', description: expect.stringMatching(/required/) }]);
    expect(report({ state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' })).toEqual({ value: { state: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', note: '' }, out: [] });
    expect(report({ state: 'patched', justification: 'component_not_present' }).out).toEqual([{ field: 'justification', description: 'is given only when the state is not_affected' }]);
    expect(report({ state: 'not_affected', justification: 'trust me' }).out.map((v) => v.field)).toEqual(['justification']);
    expect(report({ state: 'fixed-ish' }).out.map((v) => v.field)).toEqual(['state']);
  });
});

describe('exposure by sector and size', () => {
  const asset = (operatorId: string, sector: AssetExposure['sector'], size: AssetExposure['size'], assetId: string, state?: 'affected' | 'patched' | 'mitigated'): AssetExposure => ({
    operatorId,
    sector,
    size,
    assetId,
    ...(state ? { remediation: { state, note: '' } } : {}),
  });

  it('counts operators still exposed (any asset unreported or affected) and assets per state', () => {
    const rows = exposureBySectorAndSize([
      asset('bank-1', 'financial-services', 'small', 'a1', 'patched'),
      asset('bank-1', 'financial-services', 'small', 'a2'),
      asset('bank-2', 'financial-services', 'small', 'a1', 'mitigated'),
      asset('water-1', 'water-and-wastewater', 'small', 'a1', 'affected'),
      asset('hospital-1', 'healthcare-and-public-health', 'large', 'a1', 'patched'),
    ]);
    expect(rows).toEqual([
      { sector: 'financial-services', size: 'small', operators: 2, exposedOperators: 1, assets: { affected: 1, patched: 1, mitigated: 1, not_affected: 0 } },
      { sector: 'healthcare-and-public-health', size: 'large', operators: 1, exposedOperators: 0, assets: { affected: 0, patched: 1, mitigated: 0, not_affected: 0 } },
      { sector: 'water-and-wastewater', size: 'small', operators: 1, exposedOperators: 1, assets: { affected: 1, patched: 0, mitigated: 0, not_affected: 0 } },
    ]);
    expect(exposureBySectorAndSize([])).toEqual([]);
  });
});

describe('escalation', () => {
  const issuedAt = new Date('2026-11-22T00:00:00Z');
  const contacts = [
    { name: 'IT', email: 'it@x.example', primary: true },
    { name: 'CEO', email: 'ceo@x.example', primary: false },
  ];
  const notify = (kevListed: boolean) =>
    nextNotification(
      undefined,
      { affected: [{ assetId: 'a', purl: 'pkg:npm/x@1.0.0', version: '1.0.0', fixedVersions: [] }], fix: { patches: [], workarounds: [] }, priority: 'immediate', priorityReasons: [], kevListed, tlp: 'AMBER' },
      { operatorId: 'o', vulnerabilityId: 'v' },
      issuedAt,
    )!;

  it('escalates an unacknowledged KEV notification to the other contacts and an analyst after the delay', () => {
    const e = escalationFor(notify(true), false, contacts, DEFAULT_ESCALATION)!;
    expect(e).toEqual({ at: new Date(issuedAt.getTime() + DEFAULT_ESCALATION.afterMs), contacts: [contacts[1]], toAnalyst: true });
    expect(isEscalationDue(e, new Date(e.at.getTime() - 1))).toBe(false);
    expect(isEscalationDue(e, e.at)).toBe(true);
  });

  it('does not escalate an acknowledged one, nor one for a flaw not in KEV', () => {
    expect(escalationFor(notify(true), true, contacts, DEFAULT_ESCALATION)).toBeUndefined();
    expect(escalationFor(notify(false), false, contacts, DEFAULT_ESCALATION)).toBeUndefined();
  });
});
