/** A report's scoring: strict CVSS vectors in the report body, the preliminary score, rescoring on validation, KEV and exploitation. */
import type { FieldViolation } from '@rampart/errors';
import { ssvcCoordinatorTable } from '../src/assets/ssvc';
import { cvssVectorsField, reportCveIds, rescore, scoreOnReceipt, scoringChanged, ssvcField } from '../src/domain/report-scoring';
import { NOT_IN_KEV, type KevStatus } from '../src/domain/scoring';
import { validateReportDetails, type ReportDetailsInput } from '../src/domain/validation';

const NOW = new Date('2026-12-01T12:00:00Z');
const LATER = new Date('2026-12-02T12:00:00Z');
const V31_HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N'; // 9.1 Critical
const V31_MEDIUM = 'CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N'; // 3.7 Low... scored below, whatever it is
const V40 = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N'; // 6.9 Medium
const KEV: KevStatus = { listed: true, cveId: 'CVE-2025-48384', dateAdded: '2025-08-25', dueDate: '2025-09-15', dueBeforeAdded: false, knownRansomwareCampaignUse: false, alsoListed: [] };
const table = ssvcCoordinatorTable();

function details(cvssVectors: string[]): ReportDetailsInput {
  return {
    title: 'Path traversal in the upload handler',
    affectedProducts: [{ purl: 'pkg:pypi/Django', ranges: [{ introduced: '4.2', fixed: '4.2.17' }] }],
    cweIds: ['CWE-22'],
    description: 'A crafted file name escapes the upload directory.',
    discovery: { method: 'human' },
    cvssVectors,
  };
}

describe('CVSS vectors in a report', () => {
  it('are checked strictly: an unknown value or a missing base metric is refused on its own index', () => {
    const bad = validateReportDetails(details(['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q', 'CVSS:4.0/AV:N/AC:L']), NOW).violations;
    expect(bad.map((v) => v.field)).toEqual(['details.cvss_vectors[0]', 'details.cvss_vectors[1]']);
    expect(bad[0]!.description).toMatch(/A:Q is not allowed/);
    expect(bad[1]!.description).toMatch(/lacks base metrics/);
  });

  it('lists every problem of one vector, and refuses two vectors of one version', () => {
    const out: FieldViolation[] = [];
    cvssVectorsField(out, 'cvss_vectors', ['CVSS:3.1/AV:Z/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N/XX:1', V31_HIGH, V31_MEDIUM]);
    expect(out.map((v) => v.field)).toEqual(['cvss_vectors[0]', 'cvss_vectors[0]', 'cvss_vectors']);
    expect(validateReportDetails(details([V31_HIGH, V40]), NOW).violations).toEqual([]);
  });

  it('checks SSVC decision points one by one', () => {
    const out: FieldViolation[] = [];
    expect(ssvcField(out, 'ssvc', undefined)).toBeUndefined();
    expect(ssvcField(out, 'ssvc', { exploitation: 'active', automatable: 'maybe', technicalImpact: '', missionWellbeing: 'high' })).toBeUndefined();
    expect(out.map((v) => v.field)).toEqual(['ssvc.automatable', 'ssvc.technical_impact']);
  });
});

describe('scoring a report', () => {
  it('on receipt is preliminary, from the reporter\'s vectors, v4.0 counting over 3.1', () => {
    const s = scoreOnReceipt([V31_HIGH, V40], NOT_IN_KEV, NOW);
    expect(s.priority).toMatchObject({ level: 'routine', decidedBy: 'cvss', preliminary: true });
    expect(s.priority.reasons).toEqual(['CVSS 4.0 6.9 Medium', "preliminary: from the reporter's own claims, before validation"]);
    expect(s.cvss).toEqual([
      { version: '3.1', vector: V31_HIGH, score: 9.1, severity: 'Critical', givenBy: 'reporter' },
      { version: '4.0', vector: V40, score: 6.9, severity: 'Medium', givenBy: 'reporter' },
    ]);
    expect(scoreOnReceipt([], NOT_IN_KEV, NOW).priority.decidedBy).toBe('nothing-yet');
  });

  it('on validation is no longer preliminary; the analyst\'s SSVC decision decides and its vector replaces the reporter\'s of that version', () => {
    const first = scoreOnReceipt([V31_HIGH], NOT_IN_KEV, NOW);
    expect(first.priority.level).toBe('urgent'); // Critical
    const validated = rescore(first, [V31_HIGH], { validation: { analyst: 'eve@treasury', table, vectors: [V31_MEDIUM], ssvc: { exploitation: 'none', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' } } }, LATER);
    expect(validated.priority).toMatchObject({ preliminary: false, decidedBy: 'ssvc' });
    expect(validated.ssvc).toMatchObject({ outcome: expect.any(String), decidedBy: 'eve@treasury', table: 'cisa_coordinator_2_0_3' });
    expect(validated.cvss).toEqual([expect.objectContaining({ vector: V31_MEDIUM, givenBy: 'analyst' })]);
    expect(validated.scoredAt).toBe(LATER);
    expect(scoringChanged(first, validated)).toBe(true);
  });

  it('a KEV listing makes it immediate, with the reason, once: the same listing again changes nothing', () => {
    const first = scoreOnReceipt([V40], NOT_IN_KEV, NOW);
    const listed = rescore(first, [V40], { kev: KEV }, LATER);
    expect(listed.priority).toMatchObject({ level: 'immediate', decidedBy: 'kev', preliminary: true });
    expect(listed.priority.reasons[0]).toBe('in CISA KEV since 2025-08-25, due 2025-09-15 (CVE-2025-48384)');
    expect(scoringChanged(first, listed)).toBe(true);
    expect(scoringChanged(listed, rescore(listed, [V40], { kev: KEV }, LATER))).toBe(false);
  });

  it('exploitation reported raises it; a report stored before scoring is scored from its reporter\'s vectors', () => {
    const exploited = rescore(undefined, [V40], { exploitation: { reports: 1, aiEnabledTooling: true } }, NOW);
    expect(exploited.priority).toMatchObject({ level: 'immediate', decidedBy: 'exploitation' });
    expect(exploited.cvss).toHaveLength(1);
  });

  it('keeps the CVE ids its KEV status is read by across recomputations', () => {
    const joined = rescore(scoreOnReceipt([V40], NOT_IN_KEV, NOW, ['CVE-2024-0001']), [V40], { kev: KEV, cveIds: ['CVE-2024-0001', 'CVE-2025-48384'] }, LATER);
    expect(joined.cveIds).toEqual(['CVE-2024-0001', 'CVE-2025-48384']);
    expect(rescore(joined, [V40], { exploitation: { reports: 1, aiEnabledTooling: false } }, LATER)).toMatchObject({ cveIds: ['CVE-2024-0001', 'CVE-2025-48384'], kev: KEV });
  });

  it('names the CVE ids a report gives: its CVE record and aliases, upper-cased, once', () => {
    expect(reportCveIds({ details: { cve: { cveId: 'cve-2025-48384' } }, aliases: ['GHSA-xxxx-yyyy-zzzz', 'CVE-2025-48384', 'CVE-2024-0001'] })).toEqual(['CVE-2024-0001', 'CVE-2025-48384']);
    expect(reportCveIds({ details: {} })).toEqual([]);
  });
});
