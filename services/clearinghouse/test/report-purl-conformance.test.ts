/**
 * Affected products are checked with packageurl-js: against the package-url spec's own test suite
 * (../shared/conformance/purl), every purl the suite parses is accepted and every one it refuses in
 * the core specification is refused. Type-specific rules newer than packageurl-js 2.0.1 are not
 * all enforced by it: those few inputs are listed, so a library upgrade that closes a gap shows here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '@rampart/testing';
import { canonicalPurl } from '../src/domain/products';

interface PurlCase { test_type: string; input: unknown; expected_failure?: boolean; expected_output?: unknown; description: string }

const DIR = path.join(REPO_ROOT, '../shared/conformance/purl');
const files = [path.join(DIR, 'spec/specification-test.json'), ...readdirSync(path.join(DIR, 'types')).map((f) => path.join(DIR, 'types', f))];
const cases = files.flatMap((file) => (JSON.parse(readFileSync(file, 'utf8')) as { tests: PurlCase[] }).tests
  .filter((t) => t.test_type === 'parse' && typeof t.input === 'string')
  .map((t) => ({ ...t, file: path.basename(file), input: t.input as string })));

/** Refused by the suite's type rules, accepted by packageurl-js 2.0.1. */
const LIBRARY_GAPS = new Set([
  'pkg:chrome-extension/44444algnefjeiefhmpklpfiohadpglk', 'pkg:chrome-extension/dogs', 'pkg:chrome-extension/dlpngalgnefjeiefhmpklpfiohadpglk@1.2.3.4.5',
  'pkg:chrome-extension/dlpngalgnefjeiefhmpklpfiohadpglk@1.2.3-beta', 'pkg:cpan/LWP::UserAgent@6.7.6', 'pkg:cpan/GDT/URI::PackageURL', 'pkg:cpan/URI::PackageURL',
  'pkg:gem/jruby-launcher@1.1.2?Platform=java', 'pkg:julia/@1.9.0', 'pkg:julia/Dates', 'pkg:otp/namespace/hex@2.1.1',
  'pkg:Rpm/fedora/curl@7.50.3-1.fc25?Arch=i386&Distro=fedora-25', 'pkg:vcpkg/boost/asio@1.84.0', 'pkg:vcpkg/@1.0.8', 'pkg:vscode-extension/java@1.46.2025091308',
]);

it('reads the suite', () => {
  expect(cases.length).toBeGreaterThan(150);
});

it('accepts every purl the suite parses', () => {
  const refused = cases.filter((c) => !c.expected_failure).filter((c) => 'problem' in canonicalPurl(c.input));
  expect(refused.map((c) => `${c.file}: ${c.input}`)).toEqual([]);
});

it('refuses every purl the specification refuses; of the type rules, all but the listed gaps of packageurl-js', () => {
  const accepted = cases.filter((c) => c.expected_failure).filter((c) => !('problem' in canonicalPurl(c.input)));
  expect(accepted.filter((c) => c.file === 'specification-test.json').map((c) => c.input)).toEqual([]);
  expect([...new Set(accepted.map((c) => c.input))].sort()).toEqual([...LIBRARY_GAPS].sort());
});

it("gives the suite's canonical form for the purls it parses", () => {
  const differ = cases.filter((c) => !c.expected_failure && typeof c.expected_output === 'string')
    .map((c) => ({ c, got: canonicalPurl(c.input) }))
    .filter(({ c, got }) => 'purl' in got && got.purl !== c.expected_output);
  expect(differ.map(({ c, got }) => `${c.input}: expected ${String(c.expected_output)}, got ${'purl' in got ? got.purl : ''}`)).toEqual([]);
});
