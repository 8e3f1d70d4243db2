/**
 * CycloneDX 1.6 SBOMs: every JSON and XML file of the official test data accepted or refused as its
 * name says, the refused ones with their errors; a valid SBOM broken in several places lists every
 * break; components (nested too) read into inventory entries keyed for matching, alike from JSON
 * and XML; CPE names for components without a purl; hand-entered products with field errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FieldViolation } from '@rampart/errors';
import { REPO_ROOT } from '@rampart/testing';
import { enteredProducts, inventoryOf, parseCpe } from '../src/domain/inventory';
import { readSbom, MAX_SBOM_BYTES } from '../src/inventory/sbom-validation';

const DIR = path.join(REPO_ROOT, '../shared/conformance/cyclonedx/testdata');
const all = fs.readdirSync(DIR).sort();
const files = all.filter((f) => f.endsWith('.json') || f.endsWith('.xml'));
/** The protobuf text form: CycloneDX's third encoding, which the clearinghouse does not take. */
const textprotos = all.filter((f) => f.endsWith('.textproto'));

describe('the CycloneDX 1.6 test data', () => {
  it('has its 190 files: 70 JSON, 74 XML, 46 protobuf text', () => {
    expect(all.length).toBe(190);
    expect(files.filter((f) => f.endsWith('.json')).length).toBe(70);
    expect(files.filter((f) => f.endsWith('.xml')).length).toBe(74);
    expect(textprotos.length).toBe(46);
    expect(files.length + textprotos.length).toBe(all.length);
  });

  it.each(textprotos)('%s (protobuf text, valid or not) is refused as JSON and as XML', async (file) => {
    const bytes = fs.readFileSync(path.join(DIR, file));
    expect(await readSbom(bytes, 'json')).toMatchObject({ ok: false, errors: [{ rule: 'syntax' }] });
    const xml = await readSbom(bytes, 'xml');
    expect(xml.ok).toBe(false);
    expect(!xml.ok && xml.errors.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is accepted or refused as its name says', async (file) => {
    const reading = await readSbom(fs.readFileSync(path.join(DIR, file)), file.endsWith('.json') ? 'json' : 'xml');
    if (file.startsWith('valid-')) expect(reading).toMatchObject({ ok: true });
    else {
      expect(reading.ok).toBe(false);
      expect(!reading.ok && reading.errors.length).toBeGreaterThan(0);
    }
  });
});

describe('an SBOM broken in several places', () => {
  const valid = JSON.parse(fs.readFileSync(path.join(DIR, 'valid-bom-1.6.json'), 'utf8')) as { components: Record<string, unknown>[] } & Record<string, unknown>;

  it('lists every break, each at its JSON pointer', async () => {
    const broken = structuredClone(valid);
    broken.components[0]!.type = 'not-a-type';
    broken.components[1]!.hashes = [{ alg: 'MD5', content: 'zz' }];
    broken.serialNumber = 'not-a-urn';
    const reading = await readSbom(Buffer.from(JSON.stringify(broken)), 'json');
    expect(reading.ok).toBe(false);
    const pointers = !reading.ok ? reading.errors.map((e) => e.pointer) : [];
    expect(pointers).toEqual(expect.arrayContaining(['/components/0/type', '/components/1/hashes/0/content', '/serialNumber']));
  });

  it('lists every break of an XML SBOM with its line', async () => {
    const xml = fs.readFileSync(path.join(DIR, 'valid-bom-1.6.xml'), 'utf8').replace(/<component type="library"/, '<component type="not-a-type"').replace('<name>', '<nome>').replace('</name>', '</nome>');
    const reading = await readSbom(Buffer.from(xml), 'xml');
    expect(reading.ok).toBe(false);
    const messages = !reading.ok ? reading.errors.map((e) => e.message) : [];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.every((m) => /^line \d+: /.test(m))).toBe(true);
  });

  it('refuses bytes that are not JSON, empty or too large, before the schema', async () => {
    expect(await readSbom(Buffer.from('{"bomFormat": '), 'json')).toMatchObject({ ok: false, errors: [{ rule: 'syntax' }] });
    expect(await readSbom(Buffer.alloc(0), 'json')).toMatchObject({ ok: false, errors: [{ message: 'is empty' }] });
    expect(await readSbom(Buffer.alloc(MAX_SBOM_BYTES + 1, 0x20), 'xml')).toMatchObject({ ok: false, errors: [{ rule: 'limits' }] });
    expect(await readSbom(Buffer.from('<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><!ENTITY'), 'xml')).toMatchObject({ ok: false });
  });
});

describe('components', () => {
  it('reads the same entries from the JSON and the XML form of one SBOM, nested ones too', async () => {
    const fromJson = await readSbom(fs.readFileSync(path.join(DIR, 'valid-bom-1.6.json')), 'json');
    const fromXml = await readSbom(fs.readFileSync(path.join(DIR, 'valid-bom-1.6.xml')), 'xml');
    if (!fromJson.ok || !fromXml.ok) throw new Error('valid-bom-1.6 should be valid');
    expect(fromJson.inventory.entries.length).toBeGreaterThan(0);
    expect(fromXml.inventory).toEqual(fromJson.inventory);
    for (const e of fromJson.inventory.entries) expect(e.key).toMatch(/^(pkg:|cpe:)/);
  });

  it('keys CRAN and Swift components, whose purl type requires a version, rather than counting them unmatched', async () => {
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [
      { type: 'library', name: 'A3', purl: 'pkg:cran/A3@0.9.1' },
      { type: 'library', name: 'Alamofire', purl: 'pkg:swift/github.com/Alamofire/Alamofire@5.4.3' },
    ] };
    const reading = await readSbom(Buffer.from(JSON.stringify(bom)), 'json');
    expect(reading).toMatchObject({ ok: true, inventory: { unmatched: 0 } });
    expect(reading.ok && reading.inventory.entries.map((e) => [e.key, e.purl, e.version])).toEqual([
      ['pkg:cran/A3', 'pkg:cran/A3@0.9.1', '0.9.1'],
      ['pkg:swift/github.com/Alamofire/Alamofire', 'pkg:swift/github.com/Alamofire/Alamofire@5.4.3', '5.4.3'],
    ]);
  });

  it('puts the component version into a purl that has none, whatever its characters, without throwing', () => {
    const out: FieldViolation[] = [];
    const inventory = inventoryOf([{ name: 'x', version: '1.0+b1', purl: 'pkg:npm/x' }, { name: 'y', version: '\ud800', purl: 'pkg:npm/y' }], out);
    expect(inventory.entries.map((e) => [e.key, e.purl, e.version])).toEqual([
      ['pkg:npm/x', 'pkg:npm/x@1.0+b1', '1.0+b1'],
      ['pkg:npm/y', 'pkg:npm/y@%EF%BF%BD', '\ufffd'],
    ]);
    expect(out).toEqual([]);
  });

  it('keys a component by purl identity, else by its CPE, else counts it unmatched', async () => {
    const bom = {
      bomFormat: 'CycloneDX', specVersion: '1.6', version: 1,
      components: [
        { type: 'library', name: 'Django', version: '4.2.16', purl: 'pkg:pypi/Django@4.2.16', 'bom-ref': 'django',
          components: [{ type: 'library', name: 'sqlparse', purl: 'pkg:pypi/sqlparse@0.4.4' }] },
        { type: 'firmware', name: 'controller', version: '3.1', cpe: 'cpe:2.3:h:acme:plc_controller:3.1:*:*:*:*:*:*:*' },
        { type: 'library', name: 'in-house' },
      ],
    };
    const reading = await readSbom(Buffer.from(JSON.stringify(bom)), 'json');
    expect(reading).toMatchObject({ ok: true, inventory: { unmatched: 1 } });
    expect(reading.ok && reading.inventory.entries).toEqual([
      { key: 'pkg:pypi/django', purl: 'pkg:pypi/django@4.2.16', version: '4.2.16', name: 'Django', bomRef: 'django' },
      { key: 'pkg:pypi/sqlparse', purl: 'pkg:pypi/sqlparse@0.4.4', version: '0.4.4', name: 'sqlparse' },
      { key: 'cpe:h:acme:plc_controller', version: '3.1', name: 'controller', cpe: { part: 'h', vendor: 'acme', product: 'plc_controller', version: '3.1' } },
    ]);
  });
});

describe('CPE names and hand-entered products', () => {
  it.each([
    ['cpe:2.3:a:microsoft:internet_explorer:8.0.6001:beta:*:*:*:*:*:*', { part: 'a', vendor: 'microsoft', product: 'internet_explorer', version: '8.0.6001' }],
    ['cpe:2.3:o:cisco:ios:15.1\\:2:*:*:*:*:*:*:*', { part: 'o', vendor: 'cisco', product: 'ios', version: '15.1:2' }],
    ['cpe:/a:apache:http_server:2.4.1', { part: 'a', vendor: 'apache', product: 'http_server', version: '2.4.1' }],
    ['cpe:2.3:a:acme:tool:*:*:*:*:*:*:*:*', { part: 'a', vendor: 'acme', product: 'tool' }],
  ])('reads %s', (text, cpe) => {
    expect(parseCpe(text)).toEqual(cpe);
  });

  it('reads a 2.2 URI in any case, and its percent-encoded characters', () => {
    expect(parseCpe('cpe:/A:Acme:Tool:1.0')).toEqual({ part: 'a', vendor: 'acme', product: 'tool', version: '1.0' });
    expect(parseCpe('cpe:/a:acme%21:tool')).toEqual({ part: 'a', vendor: 'acme!', product: 'tool' });
  });

  it('refuses, without throwing, a 2.2 URI whose percent-encoding is not UTF-8; the SBOM counts it unmatched', async () => {
    expect(parseCpe('cpe:/a:%ff:tool')).toBeUndefined();
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [{ type: 'library', name: 'x', cpe: 'cpe:/a:%ff:tool' }] };
    expect(await readSbom(Buffer.from(JSON.stringify(bom)), 'json')).toMatchObject({ ok: true, inventory: { entries: [], unmatched: 1 } });
    const out: FieldViolation[] = [];
    enteredProducts(out, [{ cpe: 'cpe:/a:%ff:tool' }]);
    expect(out.map((v) => v.field)).toEqual(['products[0].cpe']);
  });

  it.each(['cpe:2.3:x:acme:tool:1:*:*:*:*:*:*:*', 'cpe:2.3:a:acme', 'cpe:/a', 'pkg:npm/x@1', 'cpe:2.3:a:*:*:1:*:*:*:*:*:*:*', 'c'.repeat(600)])('refuses %s', (text) => {
    expect(parseCpe(text)).toBeUndefined();
  });

  it('takes products by purl with a version or by CPE, naming every bad one', () => {
    const out: FieldViolation[] = [];
    const inventory = enteredProducts(out, [{ purl: 'pkg:npm/lodash@4.17.20' }, { cpe: 'cpe:/a:apache:http_server:2.4.1' }, { purl: 'pkg:npm/lodash' }, { purl: 'nope' }, { cpe: 'cpe:bad' }, {}, { purl: 'pkg:npm/a@1', cpe: 'cpe:/a:b:c' }]);
    expect(inventory.entries.map((e) => e.key)).toEqual(['pkg:npm/lodash', 'cpe:a:apache:http_server', 'pkg:npm/lodash']);
    expect(out.map((v) => v.field)).toEqual(['products[2].purl', 'products[3].purl', 'products[4].cpe', 'products[5]', 'products[6]']);
  });
});
