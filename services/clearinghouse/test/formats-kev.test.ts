/**
 * The CISA KEV catalog: the snapshot accepted whole, including the entries whose due date precedes
 * the date they were added; a catalog broken in several places; each entry's canonical form.
 */
import { kevCatalogToAdvisoryRecords, kevEntryToAdvisoryRecord, type KevCatalog } from '../src/domain/formats';
import { copy, expectRefusedAt, lines, readBytes, readJson, validators } from './formats-fixtures';

const FILE = ['kev', 'known_exploited_vulnerabilities.json'] as const;

it('accepts the snapshot, entries due before they were added among them', () => {
  const v = validators.kev(readBytes(...FILE));
  expect(lines(v.errors)).toEqual([]);
  if (!v.ok) return;
  expect(v.warnings).toEqual([]);
  const early = v.document.vulnerabilities.filter((e) => e.dueDate < e.dateAdded);
  expect(early.length).toBeGreaterThan(0);
  const records = kevCatalogToAdvisoryRecords(v.document);
  expect(records.length).toBe(1404);
  const sample = records.find((r) => r.id === early[0]!.cveID)!;
  expect(sample.knownExploited).toEqual({ dateAdded: early[0]!.dateAdded, dueDate: early[0]!.dueDate, requiredAction: early[0]!.requiredAction, ransomware: early[0]!.knownRansomwareCampaignUse });
});

it('lists every break of a catalog broken in several places at once, each at its pointer', () => {
  const doc = copy(readJson(...FILE));
  delete doc.catalogVersion;
  doc.dateReleased = 'last tuesday';
  doc.vulnerabilities[0].cveID = 'CVE-2025';
  doc.vulnerabilities[1].dateAdded = '2025-13-01';
  delete doc.vulnerabilities[2].requiredAction;
  doc.vulnerabilities[3].cwes = ['CWE-79', 'XSS'];
  doc.vulnerabilities[1000].dueDate = 20250101;
  const v = validators.kev(JSON.stringify(doc));
  expectRefusedAt(v, [
    '/catalogVersion',
    '/dateReleased',
    '/vulnerabilities/0/cveID',
    '/vulnerabilities/1/dateAdded',
    '/vulnerabilities/2/requiredAction',
    '/vulnerabilities/3/cwes/1',
    '/vulnerabilities/1000/dueDate',
  ]);
  expect(v.errorCount).toBe(7);
});

it('warns, without refusing, when the count disagrees or an entry repeats', () => {
  const doc = copy(readJson<KevCatalog>(...FILE));
  doc.vulnerabilities.push(doc.vulnerabilities[5]!);
  const v = validators.kev(JSON.stringify(doc));
  expect(v.ok).toBe(true);
  expect(lines(v.warnings)).toEqual([
    `/count: says 1404 entries but the catalog lists 1405`,
    expect.stringMatching(/^\/vulnerabilities\/1404\/cveID: lists CVE-\d+-\d+ again \(first at entry 5\)$/),
  ]);
});

it('maps an entry to the canonical form: the CVE id, the product, references from the notes', () => {
  const r = kevEntryToAdvisoryRecord({
    cveID: 'CVE-2025-48384',
    vendorProject: 'Git',
    product: 'Git',
    vulnerabilityName: 'Git Link Following Vulnerability',
    dateAdded: '2025-08-25',
    shortDescription: 'Git contains a link following vulnerability.',
    requiredAction: 'Apply mitigations per vendor instructions.',
    dueDate: '2025-09-15',
    knownRansomwareCampaignUse: 'Unknown',
    notes: 'See: https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9 ; https://nvd.nist.gov/vuln/detail/CVE-2025-48384',
    cwes: ['CWE-59', 'CWE-436'],
  });
  expect(r).toEqual({
    source: 'kev',
    id: 'CVE-2025-48384',
    aliases: [],
    withdrawn: false,
    published: '2025-08-25',
    summary: 'Git Link Following Vulnerability',
    details: 'Git contains a link following vulnerability.',
    cwes: ['CWE-59', 'CWE-436'],
    affected: [{ product: 'Git Git', ranges: [], versions: [] }],
    severities: [],
    references: ['https://github.com/git/git/security/advisories/GHSA-vwqx-4fm8-6qc9', 'https://nvd.nist.gov/vuln/detail/CVE-2025-48384'],
    knownExploited: { dateAdded: '2025-08-25', dueDate: '2025-09-15', requiredAction: 'Apply mitigations per vendor instructions.', ransomware: 'Unknown' },
  });
});
