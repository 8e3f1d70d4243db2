/**
 * CVE JSON 5.1 against the bundled schema and the CVE Program's own extra rule, on the fixtures of
 * the CVE services' API tests, as those tests judge them: published and rejected records accepted;
 * two `en` descriptions refused although the schema passes them; `en` with `en-gb`, and two French
 * ones beside an English one, accepted; identical entries and no English one refused by the schema.
 * The `RESERVED` fixture and the `reject*` request bodies are not CVE records (no containers, or
 * only a CNA container): refused.
 */
import { cveToAdvisoryRecord, type CveRecord } from '../src/domain/formats';
import { copy, expectRefusedAt, lines, readBytes, readJson, validators } from './formats-fixtures';

const ACCEPTED = [
  'records/CVE-2000-0008_published.json',
  'records/CVE-2021-0004_published.json',
  'records/CVE-2021-0005_published.json',
  'records/CVE-3000-0001_nonexistent.json',
  'records/CVE-2009-0009_rejected.json',
  'records/CVE-2000-0008_published_langs/cna_descriptions-multipleEnLangsDifferentLocale.json',
  'records/CVE-2000-0008_published_langs/cna_descriptions-multipleSameLangs.json',
];

const REFUSED: Readonly<Record<string, string>> = {
  'records/CVE-2000-0008_published_langs/cna_descriptions-multipleEnLangs.json': '/containers/cna/descriptions/1/lang',
  'records/CVE-2000-0008_published_langs/cna_descriptions-multipleIdenticalEntries.json': '/containers/cna/descriptions',
  'records/CVE-2000-0008_published_langs/cna_descriptions-multipleSameLangsNoEn.json': '/containers/cna/descriptions',
  'records/CVE-2017-5833_reserved.json': '/containers',
  'records/rejectBody.json': '/cveMetadata',
  'records/rejectBodyMultipleDiffEngValues.json': '/cveMetadata',
  'records/rejectBodyMultipleEngLangs.json': '/cveMetadata',
  'records/rejectBodyMultipleIdenticalValues.json': '/cveMetadata',
  'records/rejectBodyMultipleNonEngValues.json': '/cveMetadata',
  'records/rejectBodyMultipleSameEngValues.json': '/cveMetadata',
  'records/rejectExisting.json': '/cveMetadata',
};

it.each(ACCEPTED)('accepts %s', (file) => {
  const v = validators.cve(readBytes('cve', file));
  expect(lines(v.errors)).toEqual([]);
  expect(v.ok).toBe(true);
});

it.each(Object.entries(REFUSED))('refuses %s, naming %s', (file, at) => {
  expectRefusedAt(validators.cve(readBytes('cve', file)), [at]);
});

it('refuses two English descriptions only through the CVE Program rule: the schema passes them', () => {
  const v = validators.cve(readBytes('cve', 'records/CVE-2000-0008_published_langs/cna_descriptions-multipleEnLangs.json'));
  expect(v.errors).toEqual([expect.objectContaining({ rule: 'cve-unique-english', pointer: '/containers/cna/descriptions/1/lang' })]);
});

it('accepts timestamps without a time zone, and the canonical form gives them Z', () => {
  const doc = copy(readJson<CveRecord>('cve', 'records/CVE-2021-0005_published.json'));
  doc.cveMetadata.datePublished = '2021-06-01T10:11:12';
  doc.cveMetadata.dateUpdated = '2021-06-02T10:11:12.345';
  const v = validators.cve(JSON.stringify(doc));
  expect(lines(v.errors)).toEqual([]);
  if (!v.ok) return;
  const r = cveToAdvisoryRecord(v.document);
  expect(r.published).toBe('2021-06-01T10:11:12Z');
  expect(r.modified).toBe('2021-06-02T10:11:12.345Z');
  doc.cveMetadata.datePublished = '2021-02-30T10:11:12';
  expectRefusedAt(validators.cve(JSON.stringify(doc)), ['/cveMetadata/datePublished']);
});

it('lists every break of a record broken in several places at once, each at its pointer', () => {
  const doc = copy(readJson('cve', 'records/CVE-2021-0005_published.json'));
  doc.cveMetadata.cveId = 'CVE-21-5';
  delete doc.cveMetadata.assignerOrgId;
  doc.containers.cna.affected[0].versions[0].status = 'broken';
  doc.containers.cna.references[0].url = 'not a url';
  doc.containers.cna.descriptions.push({ lang: 'en', value: 'second English text' });
  doc.containers.cna['x~y/z'] = 1;
  doc.dataVersion = 5.1;
  const v = validators.cve(JSON.stringify(doc));
  expectRefusedAt(v, [
    '/cveMetadata/cveId',
    '/cveMetadata/assignerOrgId',
    '/containers/cna/affected/0/versions/0/status',
    '/containers/cna/references/0/url',
    `/containers/cna/descriptions/${doc.containers.cna.descriptions.length - 1}/lang`,
    '/containers/cna/x~0y~1z',
    '/dataVersion',
  ]);
});

it('maps a record to the canonical form', () => {
  const doc = readJson('cve', 'records/CVE-2021-0005_published.json');
  const v = validators.cve(JSON.stringify(doc));
  if (!v.ok) throw new Error(lines(v.errors).join('\n'));
  const r = cveToAdvisoryRecord(v.document);
  expect(r).toMatchObject({ source: 'cve', id: 'CVE-2021-0005', aliases: [], withdrawn: false });
  expect(r.details).toBe(doc.containers.cna.descriptions[0].value);
  expect(r.references).toEqual(doc.containers.cna.references.map((x: { url: string }) => x.url));
});

it('maps version entries, registry packages, CWEs, metrics and rejection', () => {
  const record = {
    dataType: 'CVE_RECORD',
    dataVersion: '5.1',
    cveMetadata: { cveId: 'CVE-2024-1234', state: 'PUBLISHED', assignerOrgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6', datePublished: '2024-03-01T00:00:00' },
    containers: {
      cna: {
        providerMetadata: { orgId: 'b3476cb9-2e3d-41a6-98d0-0f47421a65b6' },
        title: 'Template injection',
        descriptions: [{ lang: 'fr', value: 'injection' }, { lang: 'en-US', value: 'Template injection in acme' }],
        affected: [
          {
            collectionURL: 'https://pypi.org',
            packageName: 'Acme_Lib',
            versions: [
              { version: '1.0', status: 'affected', lessThan: '1.4', versionType: 'python' },
              { version: '2.0', status: 'affected', lessThanOrEqual: '2.2', versionType: 'python', changes: [{ at: '2.1', status: 'unaffected' }] },
              { version: '3.0.1', status: 'affected' },
              { version: '3.0.2', status: 'unaffected' },
            ],
          },
          { vendor: 'Acme', product: 'Appliance', defaultStatus: 'affected' },
        ],
        problemTypes: [{ descriptions: [{ lang: 'en', description: 'CWE-1336', cweId: 'CWE-1336', type: 'CWE' }] }],
        metrics: [{ cvssV3_1: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8, baseSeverity: 'CRITICAL' } }],
        references: [{ url: 'https://example.com/a' }],
      },
      adp: [{ providerMetadata: { orgId: '134c704f-9b21-4f2e-91b3-4a467353bcc0' }, problemTypes: [{ descriptions: [{ lang: 'en', description: 'CWE-94', cweId: 'CWE-94', type: 'CWE' }] }] }],
    },
  };
  const r = cveToAdvisoryRecord(record as CveRecord);
  expect(r.published).toBe('2024-03-01T00:00:00Z');
  expect(r.summary).toBe('Template injection');
  expect(r.details).toBe('Template injection in acme');
  expect(r.cwes).toEqual(['CWE-1336', 'CWE-94']);
  expect(r.severities).toEqual([{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }]);
  expect(r.affected).toEqual([
    { purl: 'pkg:pypi/acme-lib', ranges: [{ introduced: '1.0', fixed: '1.4' }, { introduced: '2.0', fixed: '2.1' }], versions: ['3.0.1'] },
    { product: 'Acme Appliance', ranges: [{ introduced: '0' }], versions: [] },
  ]);
  const rejected = cveToAdvisoryRecord(readJson<CveRecord>('cve', 'records/CVE-2009-0009_rejected.json'));
  expect(rejected.withdrawn).toBe(true);
  expect(rejected.details).toMatch(/^I professional site/);
});
