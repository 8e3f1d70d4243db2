/**
 * Components known only by a CPE: a CVE 5.1 record's `cpes` and a CSAF product's CPE helper become
 * CPE keys on the affected package, and a component's CPE version is judged against the record's
 * ranges in the vendor-version order.
 */
import { csafToAdvisoryRecords, cveToAdvisoryRecord, type CveRecord } from '../src/domain/formats';
import { affectsByCpe } from '../src/domain/matching';
import { copy, readJson, validators } from './formats-fixtures';

/** A real published record, given the affected entry a vendor with CPEs would write. */
function cveWithCpes(): CveRecord {
  const doc = copy(readJson('cve', 'records', 'CVE-2021-0004_published.json'));
  doc.containers.cna.affected = [{
    vendor: 'OpenSSL', product: 'OpenSSL', defaultStatus: 'unaffected',
    cpes: ['cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*', 'cpe:/a:openssl:openssl'],
    versions: [{ version: '1.1.1', lessThan: '1.1.1l', status: 'affected', versionType: 'custom' }, { version: '3.0.0', lessThan: '3.0.2', status: 'affected', versionType: 'semver' }],
  }];
  return doc as CveRecord;
}

describe('CPE keys from advisories', () => {
  it('a CVE record: the listed CPEs, 2.3 and 2.2 forms read to one key', () => {
    const doc = cveWithCpes();
    expect(validators.cve(JSON.stringify(doc)).ok).toBe(true);
    const [pkg] = cveToAdvisoryRecord(doc).affected;
    expect(pkg).toMatchObject({ product: 'OpenSSL OpenSSL', cpes: ['cpe:a:openssl:openssl'] });
  });

  it('a CSAF product tree: the identification helper`s CPE, with the version it names', () => {
    const csaf = {
      document: { category: 'csaf_security_advisory', csaf_version: '2.0', title: 't', publisher: { category: 'vendor', name: 'Acme', namespace: 'https://acme.example' }, tracking: { id: 'ACME-1', status: 'final', version: '1', initial_release_date: '2026-01-01T00:00:00Z', current_release_date: '2026-01-01T00:00:00Z', revision_history: [{ number: '1', date: '2026-01-01T00:00:00Z', summary: 's' }] } },
      product_tree: { full_product_names: [{ product_id: 'P1', name: 'Acme Gateway 4.2.1', product_identification_helper: { cpe: 'cpe:2.3:h:acme:gateway:4.2.1:*:*:*:*:*:*:*' } }] },
      vulnerabilities: [{ cve: 'CVE-2026-0001', product_status: { known_affected: ['P1'] } }],
    };
    const [record] = csafToAdvisoryRecords(csaf as never);
    expect(record!.affected).toEqual([expect.objectContaining({ cpes: ['cpe:h:acme:gateway'], versions: ['4.2.1'] })]);
  });
});

describe('judging a CPE-named component', () => {
  const [pkg] = cveToAdvisoryRecord(cveWithCpes()).affected;
  const verdict = (key: string, version?: string) => affectsByCpe(pkg!, key, version).verdict;

  it('versions with letters are ordered as vendors write them: 1.1.1k affected, 1.1.1l fixed', () => {
    expect(['1.1.0', '1.1.1', '1.1.1k', '1.1.1l', '1.1.2', '3.0.1', '3.0.2'].map((v) => verdict('cpe:a:openssl:openssl', v)))
      .toEqual(['not-affected', 'affected', 'affected', 'not-affected', 'not-affected', 'affected', 'not-affected']);
    expect(affectsByCpe(pkg!, 'cpe:a:openssl:openssl', '1.1.1k').fixedVersions).toEqual(['1.1.1l', '3.0.2']);
  });

  it('another product, or no version: never a guess', () => {
    expect(verdict('cpe:a:libressl:libressl', '1.1.1k')).toBe('not-affected');
    expect(verdict('cpe:a:openssl:openssl')).toBe('unknown');
    expect(verdict('cpe:a:openssl:openssl', 'x')).toBe('unknown');
  });
});
