/** The priority: its documented levels and reasons, and properties over arbitrary inputs. */
import fc from 'fast-check';
import { ssvcCoordinatorTable } from '../src/assets/ssvc';
import {
  decideSsvc, NO_EXPLOITATION, NOT_IN_KEV, PRIORITY_LEVELS, prioritise, samePriority, scoreCvss, SSVC_AUTOMATABLE, SSVC_EXPLOITATION, SSVC_MISSION_WELLBEING,
  SSVC_TECHNICAL_IMPACT, type ExploitationReports, type KevStatus, type PriorityInputs, type SsvcDecision,
} from '../src/domain/scoring';
import { anyCvssVectorArb } from './scoring-fixtures';

const table = ssvcCoordinatorTable();
const V40_CRITICAL = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N'); // 9.3
const V31_CRITICAL = scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'); // 9.8
const V40_MEDIUM = scoreCvss('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N'); // 6.9
const KEV: KevStatus = { listed: true, cveId: 'CVE-2024-0001', dateAdded: '2024-01-02', dueDate: '2024-01-23', dueBeforeAdded: false, knownRansomwareCampaignUse: false, alsoListed: [] };
const ssvc = (exploitation: string, automatable: string, technicalImpact: string, missionWellbeing: string): SsvcDecision =>
  decideSsvc(table, { exploitation, automatable, technicalImpact, missionWellbeing } as Parameters<typeof decideSsvc>[1]);
const inputs = (over: Partial<PriorityInputs> = {}): PriorityInputs => ({ cvss: [], kev: NOT_IN_KEV, exploitation: NO_EXPLOITATION, preliminary: false, ...over });

describe('priority levels and reasons', () => {
  it('puts a KEV-listed flaw first, saying since when and by when', () => {
    const p = prioritise(inputs({ kev: KEV, cvss: [V40_MEDIUM] }));
    expect(p).toMatchObject({ level: 'immediate', decidedBy: 'kev', preliminary: false });
    expect(p.reasons).toEqual(['in CISA KEV since 2024-01-02, due 2024-01-23 (CVE-2024-0001)', 'CVSS 4.0 6.9 Medium']);
    const odd = prioritise(inputs({ kev: { ...KEV, dueDate: '2023-12-01', dueBeforeAdded: true, knownRansomwareCampaignUse: true, alsoListed: ['CVE-2024-0002'] } }));
    expect(odd.reasons[0]).toBe('in CISA KEV since 2024-01-02, due 2023-12-01 (CVE-2024-0001; due date precedes the listing; known ransomware campaign use; also listed: CVE-2024-0002)');
  });

  it('puts a flaw exploited in the wild first, saying whether AI-enabled tooling was indicated', () => {
    expect(prioritise(inputs({ exploitation: { reports: 1, aiEnabledTooling: false } }))).toMatchObject({ level: 'immediate', decidedBy: 'exploitation', reasons: ['exploitation in the wild reported (1 report)'] });
    expect(prioritise(inputs({ exploitation: { reports: 3, aiEnabledTooling: true } })).reasons).toEqual(['exploitation in the wild reported (3 reports, indicators of AI-enabled tooling)']);
  });

  it('follows the SSVC outcome once decided, even against the CVSS severity', () => {
    expect(prioritise(inputs({ ssvc: ssvc('active', 'yes', 'total', 'high'), cvss: [V40_CRITICAL] }))).toMatchObject({
      level: 'immediate', decidedBy: 'ssvc',
      reasons: ['SSVC Act (exploitation active, automatable yes, technical impact total, mission and well-being high; cisa_coordinator_2_0_3 row 35)', 'CVSS 4.0 9.3 Critical'],
    });
    expect(prioritise(inputs({ ssvc: ssvc('public poc', 'yes', 'partial', 'high') })).level).toBe('urgent');
    expect(prioritise(inputs({ ssvc: ssvc('none', 'no', 'total', 'high') })).level).toBe('elevated');
    expect(prioritise(inputs({ ssvc: ssvc('none', 'no', 'partial', 'low'), cvss: [V40_CRITICAL] }))).toMatchObject({ level: 'routine', decidedBy: 'ssvc' });
  });

  it('falls back on the CVSS severity before any SSVC decision, preferring v4.0', () => {
    expect(prioritise(inputs({ cvss: [V31_CRITICAL, V40_MEDIUM] }))).toMatchObject({ level: 'routine', decidedBy: 'cvss', reasons: ['CVSS 4.0 6.9 Medium'], cvss: { version: '4.0', score: 6.9 } });
    expect(prioritise(inputs({ cvss: [V40_CRITICAL] }))).toMatchObject({ level: 'urgent', reasons: ['CVSS 4.0 9.3 Critical'] });
    expect(prioritise(inputs({ cvss: [V31_CRITICAL] }))).toMatchObject({ level: 'urgent', reasons: ['CVSS 3.1 9.8 Critical'] });
    expect(prioritise(inputs({ cvss: [scoreCvss('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U')] })).reasons).toEqual(['CVSS 3.1 9.0 Critical (temporal)']);
    expect(prioritise(inputs({ cvss: [scoreCvss(`${V40_CRITICAL.vector}/E:U`)] })).reasons).toEqual(['CVSS 4.0 8.1 High (CVSS-BT)']);
  });

  it('says when nothing is known yet, and when the inputs are the reporter\'s own claims', () => {
    expect(prioritise(inputs())).toEqual({ level: 'routine', rank: 1e7, decidedBy: 'nothing-yet', reasons: ['no KEV listing, exploitation report, SSVC decision or CVSS score yet'], preliminary: false });
    expect(prioritise(inputs({ cvss: [V40_CRITICAL], preliminary: true }))).toMatchObject({
      preliminary: true, reasons: ['CVSS 4.0 9.3 Critical', "preliminary: from the reporter's own claims, before validation"],
    });
  });

  it('writes its rank digit by digit: level, KEV, exploited, AI tooling, SSVC, CVSS tenths', () => {
    const p = prioritise(inputs({ kev: KEV, exploitation: { reports: 2, aiEnabledTooling: true }, ssvc: ssvc('active', 'yes', 'total', 'high'), cvss: [V40_CRITICAL] }));
    expect(p.rank).toBe(4_1_1_1_4_093);
    expect(prioritise(inputs({ ssvc: ssvc('none', 'no', 'total', 'high'), cvss: [V40_MEDIUM] })).rank).toBe(2_0_0_0_2_069);
  });
});

describe('priority properties', () => {
  // Scored once: scoring a v4.0 vector with environmental metrics takes milliseconds, too slow per run.
  const pool = fc.sample(anyCvssVectorArb(), { numRuns: 60, seed: 14409 }).map((v) => scoreCvss(v));
  const cvssArb = fc.array(fc.constantFrom(...pool, V40_CRITICAL, V31_CRITICAL, V40_MEDIUM), { maxLength: 3 });
  const ssvcArb = fc.option(fc.tuple(fc.constantFrom(...SSVC_EXPLOITATION), fc.constantFrom(...SSVC_AUTOMATABLE), fc.constantFrom(...SSVC_TECHNICAL_IMPACT), fc.constantFrom(...SSVC_MISSION_WELLBEING))
    .map(([e, a, t, m]) => ssvc(e, a, t, m)), { nil: undefined });
  const day = fc.integer({ min: 0, max: 5000 }).map((d) => new Date(Date.UTC(2021, 10, 3) + d * 86_400_000).toISOString().slice(0, 10));
  const kevArb: fc.Arbitrary<KevStatus> = fc.oneof(fc.constant(NOT_IN_KEV), fc.record({
    listed: fc.constant(true as const), cveId: fc.constant('CVE-2024-0001'), dateAdded: day, dueDate: day, dueBeforeAdded: fc.boolean(), knownRansomwareCampaignUse: fc.boolean(), alsoListed: fc.constant([]),
  }));
  const exploitationArb: fc.Arbitrary<ExploitationReports> = fc.record({ reports: fc.nat(5), aiEnabledTooling: fc.boolean() });
  const inputsArb: fc.Arbitrary<PriorityInputs> = fc.record({ cvss: cvssArb, ssvc: ssvcArb, kev: kevArb, exploitation: exploitationArb, preliminary: fc.boolean() });
  const levelOf = (level: string) => PRIORITY_LEVELS.indexOf(level as (typeof PRIORITY_LEVELS)[number]);

  it('never lowers the priority when the flaw is added to KEV', () => {
    fc.assert(fc.property(inputsArb, kevArb.filter((k) => k.listed), (i, kev) => {
      const before = prioritise({ ...i, kev: NOT_IN_KEV });
      const after = prioritise({ ...i, kev });
      expect(after.level).toBe('immediate');
      expect(levelOf(after.level)).toBeGreaterThanOrEqual(levelOf(before.level));
      expect(after.rank).toBeGreaterThan(before.rank);
    }), { numRuns: 400 });
  });

  it('never lowers the priority when exploitation in the wild is reported, with or without AI tooling', () => {
    fc.assert(fc.property(inputsArb, fc.integer({ min: 1, max: 5 }), fc.boolean(), (i, more, ai) => {
      const before = prioritise(i);
      const after = prioritise({ ...i, exploitation: { reports: i.exploitation.reports + more, aiEnabledTooling: i.exploitation.aiEnabledTooling || ai } });
      expect(after.level).toBe('immediate');
      expect(levelOf(after.level)).toBeGreaterThanOrEqual(levelOf(before.level));
      expect(after.rank).toBeGreaterThanOrEqual(before.rank);
    }), { numRuns: 400 });
  });

  it('never lowers the priority when the SSVC exploitation point rises (the decision recomputed on a report)', () => {
    fc.assert(fc.property(inputsArb.filter((i) => i.ssvc !== undefined && i.ssvc.decisionPoints.exploitation !== 'active'), (i) => {
      const p = i.ssvc!.decisionPoints;
      const raised = ssvc(SSVC_EXPLOITATION[SSVC_EXPLOITATION.indexOf(p.exploitation) + 1]!, p.automatable, p.technicalImpact, p.missionWellbeing);
      expect(prioritise({ ...i, ssvc: raised }).rank).toBeGreaterThanOrEqual(prioritise(i).rank);
    }), { numRuns: 300 });
  });

  it('gives the same output for the same inputs, in whatever order the scores come', () => {
    fc.assert(fc.property(inputsArb, (i) => {
      const p = prioritise(i);
      const again = prioritise(structuredClone(i));
      expect(again).toEqual(p);
      expect(samePriority(again, p)).toBe(true);
      expect(prioritise({ ...i, cvss: [...i.cvss].reverse() })).toEqual(p);
    }), { numRuns: 300 });
  });

  it('orders ranks as levels: a higher level always has a higher rank', () => {
    fc.assert(fc.property(inputsArb, inputsArb, (a, b) => {
      const pa = prioritise(a);
      const pb = prioritise(b);
      if (levelOf(pa.level) > levelOf(pb.level)) expect(pa.rank).toBeGreaterThan(pb.rank);
    }), { numRuns: 400 });
  });

  it('tells a changed priority from the same one', () => {
    const a = prioritise(inputs({ cvss: [V40_CRITICAL] }));
    expect(samePriority(a, prioritise(inputs({ cvss: [V40_CRITICAL], preliminary: true })))).toBe(false);
    expect(samePriority(a, prioritise(inputs({ cvss: [V40_CRITICAL], exploitation: { reports: 1, aiEnabledTooling: false } })))).toBe(false);
    expect(samePriority(a, prioritise(inputs({ cvss: [V40_CRITICAL] })))).toBe(true);
  });
});
