/** The report body's rules: every violation at once, each naming its field and reason; a good body made canonical. */
import { reportRequestFingerprint } from '../src/domain/idempotency';
import { LIMITS, validateIdempotencyKey, validateReportDetails, validateReportId, validateTransition, type ReportDetailsInput } from '../src/domain/validation';
import { PRODUCT_LIMITS } from '../src/domain/products';

const NOW = new Date('2026-12-01T12:00:00Z');
const DAY = 24 * 3600 * 1000;

function input(overrides: Partial<ReportDetailsInput> = {}): ReportDetailsInput {
  return {
    title: '  Path traversal in the upload handler ',
    affectedProducts: [{ purl: 'pkg:pypi/Django', ranges: [{ introduced: '4.2', fixed: '4.2.17' }], versions: [] }, { purl: 'pkg:npm/%40angular/core@17.0.1' }],
    cweIds: ['CWE-22'],
    description: 'A crafted file name escapes the upload directory.',
    proof: 'curl -F "file=@x;filename=../../etc/cron.d/x" https://example.test/upload',
    discovery: { method: 'ai_model', toolName: 'frontier-model-7', toolVersion: '2026-11' },
    requestedEmbargo: { endAt: new Date(NOW.getTime() + 45 * DAY), timeZone: 'America/New_York' },
    cvssVectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N'],
    cve: { state: 'requested', cna: 'GitHub_M', cveId: '' },
    ...overrides,
  };
}

const fieldsOf = (i: ReportDetailsInput | undefined) => validateReportDetails(i, NOW).violations.map((v) => v.field);

describe('a good report', () => {
  it('is made canonical: trimmed, purls in canonical form, TLP AMBER by default', () => {
    const { details, violations } = validateReportDetails(input(), NOW);
    expect(violations).toEqual([]);
    expect(details).toEqual({
      title: 'Path traversal in the upload handler',
      affectedProducts: [
        { purl: 'pkg:pypi/django', ranges: [{ introduced: '4.2', fixed: '4.2.17' }], versions: [] },
        { purl: 'pkg:npm/%40angular/core@17.0.1', ranges: [], versions: [] },
      ],
      cweIds: ['CWE-22'],
      description: 'A crafted file name escapes the upload directory.',
      proof: 'curl -F "file=@x;filename=../../etc/cron.d/x" https://example.test/upload',
      discovery: { method: 'ai_model', toolName: 'frontier-model-7', toolVersion: '2026-11' },
      requestedEmbargo: { endAt: new Date(NOW.getTime() + 45 * DAY), timeZone: 'America/New_York' },
      tlp: 'AMBER',
      cvssVectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N'],
      cve: { state: 'requested', cna: 'GitHub_M' },
    });
  });

  it('keeps a label the reporter gave, a human finder without a tool, no proof, no embargo, an assigned CVE', () => {
    const { details, violations } = validateReportDetails(input({ tlp: 'AMBER+STRICT', discovery: { method: 'human' }, proof: '', requestedEmbargo: undefined, cve: { state: 'assigned', cna: 'mitre', cveId: 'CVE-2026-123456' } }), NOW);
    expect(violations).toEqual([]);
    expect(details).toMatchObject({ tlp: 'AMBER+STRICT', discovery: { method: 'human' }, cve: { state: 'assigned', cna: 'mitre', cveId: 'CVE-2026-123456' } });
    expect(details).not.toHaveProperty('proof');
    expect(details).not.toHaveProperty('requestedEmbargo');
  });

  it('spells a time zone as the tz database does, and refuses a bare offset or an unknown zone', () => {
    expect(validateReportDetails(input({ requestedEmbargo: { endAt: new Date(NOW.getTime() + DAY), timeZone: 'europe/berlin' } }), NOW).details?.requestedEmbargo?.timeZone).toBe('Europe/Berlin');
    expect(validateReportDetails(input({ requestedEmbargo: { endAt: new Date(NOW.getTime() + DAY), timeZone: 'UTC' } }), NOW).details?.requestedEmbargo?.timeZone).toBe('UTC');
    for (const timeZone of ['+05:00', 'Mars/Olympus_Mons', 'America/New_York; drop', '']) {
      expect(fieldsOf(input({ requestedEmbargo: { endAt: new Date(NOW.getTime() + DAY), timeZone } }))).toEqual(['details.requested_embargo.time_zone']);
    }
  });
});

describe('a bad report', () => {
  it('is refused with every violation at once, each naming its field', () => {
    const violations = validateReportDetails({
      title: '',
      affectedProducts: [
        { purl: 'not a purl', ranges: [], versions: [] },
        { purl: 'pkg:pypi/requests@2.31.0', ranges: [{ introduced: '2.0' }] },
        { purl: 'pkg:pypi/urllib3' },
        { purl: 'pkg:maven/org.example/lib', ranges: [{ introduced: '', fixed: '2', lastAffected: '1.9' }], versions: ['1.0', '1.0'] },
      ],
      cweIds: ['79', 'CWE-22', 'CWE-22'],
      description: 'x'.repeat(LIMITS.description + 1),
      proof: 'bad\u0000byte',
      discovery: { method: 'scanner' },
      requestedEmbargo: { endAt: new Date(NOW.getTime() - DAY), timeZone: 'Nowhere/Land' },
      tlp: 'unknown (9)',
      cvssVectors: ['CVSS:2.0/AV:N', 'CVSS:3.1/AV:N/AC:L', 'CVSS:3.1/AV:L/AC:L'],
      cve: { state: 'assigned', cna: 'x', cveId: 'CVE-26-1' },
    }, NOW).violations;
    expect(violations.map((v) => v.field)).toEqual([
      'details.title',
      'details.affected_products[0].purl',
      'details.affected_products[1]',
      'details.affected_products[2]',
      'details.affected_products[3].ranges[0].introduced',
      'details.affected_products[3].ranges[0]',
      'details.affected_products[3].versions',
      'details.cwe_ids[0]',
      'details.cwe_ids',
      'details.description',
      'details.proof',
      'details.discovery.tool_name',
      'details.requested_embargo.end_time',
      'details.requested_embargo.time_zone',
      'details.tlp',
      'details.cvss_vectors[0]',
      'details.cvss_vectors[1]', // lacks base metrics (checked strictly)
      'details.cvss_vectors[2]',
      'details.cvss_vectors',
      'details.cve.cna',
      'details.cve.cve_id',
    ]);
    for (const v of violations) expect(v.description.length).toBeGreaterThan(5);
    expect(violations.find((v) => v.field === 'details.affected_products[0].purl')?.description).toMatch(/^must be a package URL/);
    expect(violations.find((v) => v.field === 'details.description')?.description).toBe(`must be at most ${LIMITS.description} characters (got ${LIMITS.description + 1})`);
  });

  it('requires the details, a title, a description, a product and a discovery method', () => {
    expect(fieldsOf(undefined)).toEqual(['details']);
    expect(fieldsOf({})).toEqual(['details.title', 'details.affected_products', 'details.description', 'details.discovery.method']);
  });

  it('bounds every count and size, checking no element past a bound', () => {
    const products = Array.from({ length: PRODUCT_LIMITS.products + 50 }, (_, i) => ({ purl: `not a purl ${i}` }));
    const fields = fieldsOf(input({ affectedProducts: products, cweIds: Array.from({ length: LIMITS.cweIds + 1 }, (_, i) => `CWE-${i + 1}`), proof: 'p'.repeat(LIMITS.proof + 1), title: 't'.repeat(LIMITS.title + 1) }));
    expect(fields).toContain('details.affected_products');
    expect(fields.filter((f) => f.endsWith('.purl'))).toHaveLength(PRODUCT_LIMITS.products);
    expect(fields).toEqual(expect.arrayContaining(['details.cwe_ids', 'details.proof', 'details.title']));
    const long = fieldsOf(input({ affectedProducts: [{ purl: `pkg:pypi/${'a'.repeat(PRODUCT_LIMITS.purl)}`, versions: ['1'] }] }));
    expect(long).toEqual(['details.affected_products[0].purl']);
    const ranges = fieldsOf(input({ affectedProducts: [{ purl: 'pkg:pypi/a', ranges: Array.from({ length: PRODUCT_LIMITS.ranges + 1 }, () => ({ introduced: '0' })), versions: Array.from({ length: PRODUCT_LIMITS.versions + 1 }, (_, i) => String(i)) }] }));
    expect(ranges).toEqual(['details.affected_products[0].ranges', 'details.affected_products[0].versions']);
  });

  it('refuses a product named twice, a requested embargo too far out, and a CVE half given', () => {
    expect(fieldsOf(input({ affectedProducts: [{ purl: 'pkg:pypi/Django', versions: ['4.2'] }, { purl: 'pkg:pypi/django', versions: ['5.0'] }] }))).toEqual(['details.affected_products']);
    expect(fieldsOf(input({ requestedEmbargo: { endAt: new Date(NOW.getTime() + (LIMITS.embargoDays + 1) * DAY), timeZone: 'UTC' } }))).toEqual(['details.requested_embargo.end_time']);
    expect(fieldsOf(input({ requestedEmbargo: { timeZone: 'UTC' } }))).toEqual(['details.requested_embargo.end_time']);
    expect(fieldsOf(input({ cve: { cna: 'mitre', cveId: '' } }))).toEqual(['details.cve.state']);
    expect(fieldsOf(input({ cve: { state: 'requested', cna: 'mitre', cveId: 'CVE-2026-1234' } }))).toEqual(['details.cve.cve_id']);
    expect(fieldsOf(input({ cve: { state: 'assigned', cna: '', cveId: '' } }))).toEqual(['details.cve.cna', 'details.cve.cve_id']);
    expect(fieldsOf(input({ cve: { state: 'unknown (7)', cna: 'mitre' } }))).toEqual(['details.cve.state']);
  });
});

describe('the other fields', () => {
  it('checks idempotency keys and report ids', () => {
    expect(validateIdempotencyKey('')).toEqual([expect.objectContaining({ field: 'idempotency_key' })]);
    expect(validateIdempotencyKey('a b')).toEqual([expect.objectContaining({ field: 'idempotency_key' })]);
    expect(validateIdempotencyKey('retry-1:2026')).toEqual([]);
    expect(validateReportId('x')).toEqual([expect.objectContaining({ field: 'report_id' })]);
    expect(validateReportId('0193b0a8-7c1e-7000-8000-00000000dead')).toEqual([]);
  });

  it('checks a transition: a revision, a status other than received, and one to twenty reasons', () => {
    expect(validateTransition({ expectedRevision: 1, to: 'valid', reasons: [' reproduced '] })).toEqual({ to: 'valid', reasons: ['reproduced'], violations: [] });
    expect(validateTransition({ expectedRevision: 0, to: 'received', reasons: [] }).violations.map((v) => v.field)).toEqual(['expected_revision', 'to_status', 'reasons']);
    expect(validateTransition({ expectedRevision: 1, to: undefined, reasons: ['', 'r'.repeat(LIMITS.reason + 1)] }).violations.map((v) => v.field)).toEqual(['to_status', 'reasons[0]', 'reasons[1]']);
    expect(validateTransition({ expectedRevision: 1, to: 'closed', reasons: Array.from({ length: LIMITS.reasons + 1 }, () => 'why') }).violations.map((v) => v.field)).toEqual(['reasons']);
  });

  it('fingerprints what a retry must repeat', () => {
    const a = validateReportDetails(input(), NOW).details!;
    const b = validateReportDetails(input({ title: 'Path traversal in the upload handler' }), NOW).details!;
    const c = validateReportDetails(input({ cweIds: ['CWE-23'] }), NOW).details!;
    expect(reportRequestFingerprint(a)).toBe(reportRequestFingerprint(b)); // the same once canonical
    expect(reportRequestFingerprint(a)).not.toBe(reportRequestFingerprint(c));
  });
});
