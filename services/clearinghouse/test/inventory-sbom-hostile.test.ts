/**
 * SBOMs at and past the caps, and the XML details: an SBOM as large as accepted validates (libxml2's
 * memory ceiling fits it); too many or too deeply nested components, a DTD, deep JSON are refused
 * before any schema runs; XML errors name the element's XPath and line, without namespace noise and
 * bounded; entities in XML values are decoded; formats the schema uses (idn-email) are enforced.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@rampart/testing';
import { decodeXmlText, elementsOnLines, MAX_COMPONENT_DEPTH, MAX_COMPONENTS, xmlSchemaProblems } from '../src/domain/inventory';
import { MAX_SBOM_BYTES, readSbom } from '../src/inventory/sbom-validation';

const DIR = path.join(REPO_ROOT, '../shared/conformance/cyclonedx/testdata');
const NS = 'http://cyclonedx.org/schema/bom/1.6';

function xmlBom(n: number, describe = 180): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    parts.push(`<component type="library" bom-ref="c${i}"><name>package-${i}</name><version>1.0.${i}</version><description>${'d'.repeat(describe)}</description><purl>pkg:npm/package-${i}@1.0.${i}</purl></component>`);
  }
  return `<?xml version="1.0"?>\n<bom xmlns="${NS}" version="1"><components>\n${parts.join('\n')}\n</components></bom>`;
}

const jsonBom = (components: unknown[]) => Buffer.from(JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components }));

describe('SBOMs as large as accepted', () => {
  it('validates and reads an XML SBOM of nearly the largest size, with as many components as allowed', async () => {
    const xml = xmlBom(MAX_COMPONENTS - 1, 150);
    expect(xml.length).toBeGreaterThan(0.8 * MAX_SBOM_BYTES);
    expect(xml.length).toBeLessThan(MAX_SBOM_BYTES);
    const reading = await readSbom(Buffer.from(xml), 'xml');
    expect(reading.ok && reading.inventory.entries.length).toBe(MAX_COMPONENTS - 1);
  }, 60_000);

  it('refuses one component too many, JSON or XML, before the schema', async () => {
    const components = Array.from({ length: MAX_COMPONENTS + 1 }, (_, i) => ({ type: 'library', name: `p${i}` }));
    expect(await readSbom(jsonBom(components), 'json')).toMatchObject({ ok: false, errors: [{ pointer: '/components', rule: 'limits' }] });
    expect(await readSbom(Buffer.from(xmlBom(MAX_COMPONENTS + 1, 0)), 'xml')).toMatchObject({ ok: false, errors: [{ rule: 'limits' }] });
  }, 60_000);

  it('refuses components nested deeper than allowed, naming where', async () => {
    let nested: Record<string, unknown> = { type: 'library', name: 'leaf' };
    for (let i = 0; i < MAX_COMPONENT_DEPTH; i++) nested = { type: 'library', name: `level-${i}`, components: [nested] };
    const reading = await readSbom(jsonBom([nested]), 'json');
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.errors.every((e) => e.rule === 'limits')).toBe(true);
  });

  it('refuses JSON nested far too deep for any schema walk, without throwing', async () => {
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(await readSbom(Buffer.from(deep), 'json')).toMatchObject({ ok: false, errors: [{ rule: 'limits' }] });
  });

  it('refuses an XML SBOM with a DTD (entity expansion) before validating it', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><bom xmlns="${NS}" version="1"><components><component type="library"><name>&b;</name></component></components></bom>`;
    expect(await readSbom(Buffer.from(xml), 'xml')).toMatchObject({ ok: false, errors: [{ rule: 'limits', message: expect.stringMatching(/DOCTYPE/) as unknown }] });
  });

  it('refuses bytes that are not UTF-8', async () => {
    expect(await readSbom(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'json')).toMatchObject({ ok: false, errors: [{ rule: 'syntax' }] });
  });
});

describe('XML errors', () => {
  const valid = fs.readFileSync(path.join(DIR, 'valid-bom-1.6.xml'), 'utf8');

  it('lists every break with its line and the XPath of the element or attribute at fault', async () => {
    const broken = valid
      .replace('<timestamp>2020-04-13T20:20:39+00:00</timestamp>', '<timestamp>2020-04-13</timestamp>')
      .replace('<component type="application" bom-ref="pkg:maven/com.acme/tomcat-catalina', '<component type="not-a-type" bom-ref="pkg:maven/com.acme/tomcat-catalina')
      .replace('<scope>required</scope>', '<scope>sometimes</scope>');
    const reading = await readSbom(Buffer.from(broken), 'xml');
    if (reading.ok) throw new Error('should be refused');
    expect(reading.errors.map((e) => e.pointer)).toEqual(['/bom/metadata[1]/timestamp[1]', '/bom/components[1]/component[1]/@type', '/bom/components[1]/component[1]/scope[1]']);
    for (const e of reading.errors) {
      expect(e.message).toMatch(/^line \d+: Element '/);
      expect(e.message).not.toContain('{http://cyclonedx.org');
    }
  });

  it('bounds a message that quotes the whole SPDX licence list', async () => {
    const reading = await readSbom(fs.readFileSync(path.join(DIR, 'invalid-license-id-1.6.xml')), 'xml');
    if (reading.ok) throw new Error('should be refused');
    expect(reading.errors[0]!.pointer).toMatch(/\/license\[1\]\/id\[1\]$/);
    expect(reading.errors[0]!.message.length).toBeLessThanOrEqual(500);
  });

  it('gives no path where the line holds several elements of the kind (minified), the line still', () => {
    const text = `<bom xmlns="${NS}"><components><component type="x"/><component type="y"/></components></bom>`;
    const [p] = xmlSchemaProblems(text, [{ message: `Schemas validity error : Element '{${NS}}component', attribute 'type': bad`, line: 1 }]);
    expect(p).toEqual({ pointer: '', message: "line 1: Element 'component', attribute 'type': bad", rule: 'schema' });
  });

  it('walks tags past comments, CDATA, processing instructions and quoted `>`', () => {
    const text = ['<?xml version="1.0"?>', '<bom a="x>y">', '<!-- <component> -->', '<c:components xmlns:c="u"><![CDATA[<component>]]>', '<c:component b=\'>\'/>', '<c:component', '  type="z">', '</c:component></c:components></bom>'].join('\n');
    const found = elementsOnLines(text, new Set([5, 7]));
    expect(found.get(5)).toEqual([{ name: 'component', path: '/bom/components[1]/component[1]' }]);
    expect(found.get(7)).toEqual([{ name: 'component', path: '/bom/components[1]/component[2]' }]);
  });
});

describe('XML values and JSON formats', () => {
  it('decodes entities and character references in the values read', async () => {
    const xml = `<?xml version="1.0"?><bom xmlns="${NS}" version="1"><components><component type="library" bom-ref="a&amp;b"><name>caf&#xE9; &lt;x&gt;</name><version>1.0</version><purl>pkg:maven/org.acme/lib@1.0?classifier=sources&amp;type=jar</purl></component></components></bom>`;
    const reading = await readSbom(Buffer.from(xml), 'xml');
    expect(reading.ok && reading.inventory.entries).toEqual([{ key: 'pkg:maven/org.acme/lib', purl: 'pkg:maven/org.acme/lib@1.0?classifier=sources&type=jar', version: '1.0', name: 'café <x>', bomRef: 'a&b' }]);
    expect(decodeXmlText('&#0; &#xD800; &unknown; &amp;amp;')).toBe('&#0; &#xD800; &unknown; &amp;');
  });

  it('enforces the idn-email format the schema names', async () => {
    const bom = { bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, metadata: { authors: [{ name: 'A', email: 'not an address' }] } };
    expect(await readSbom(Buffer.from(JSON.stringify(bom)), 'json')).toMatchObject({ ok: false, errors: [{ pointer: '/metadata/authors/0/email' }] });
  });
});
