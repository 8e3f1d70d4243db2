/**
 * Hostile input: every validator answers, quickly and without throwing, for input built to exhaust
 * the stack (deep nesting), the regular expressions (long strings, the quadratic SARIF patterns),
 * ajv's pairwise `uniqueItems` (huge arrays), memory (huge error counts) or the parser (bad bytes,
 * YAML alias bombs). Time bounds are generous for a shared machine; what they catch is the
 * difference between milliseconds and minutes.
 */
import { DEFAULT_LIMITS, parseYaml, type FormatInput, type Validation } from '../src/domain/formats';
import { readJson, validators } from './formats-fixtures';

type Run = (input: FormatInput) => Validation<unknown> | Promise<Validation<unknown>>;
const ALL: [string, Run][] = [
  ['osv', (i) => validators.osv(i)],
  ['cve', (i) => validators.cve(i)],
  ['kev', (i) => validators.kev(i)],
  ['sarif', (i) => validators.sarif(i)],
  ['csaf', (i) => validators.csaf(i)],
];

async function timed(run: Run, input: FormatInput): Promise<{ v: Validation<unknown>; ms: number }> {
  const start = performance.now();
  const v = await run(input);
  return { v, ms: performance.now() - start };
}

beforeAll(async () => {
  // Compile every schema and load the CSAF library first: the bounds below are for validating.
  for (const [, run] of ALL) await run('{}');
}, 120_000);

function deepArrayText(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

function deepValue(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i += 1) v = { a: v };
  return v;
}

describe.each(ALL)('%s', (_name, run) => {
  it('refuses a million levels of nesting, as text or as a value, at the depth limit', async () => {
    for (const input of [deepArrayText(1_000_000), { parsed: deepValue(200_000) }] as FormatInput[]) {
      const { v, ms } = await timed(run, input);
      expect(v.ok).toBe(false);
      expect(v.errors).toEqual([expect.objectContaining({ rule: 'limits', message: `is nested deeper than ${DEFAULT_LIMITS.maxDepth} levels` })]);
      expect(ms).toBeLessThan(3_000);
    }
  });

  it('refuses a 10 MB string at its pointer without matching it', async () => {
    const { v, ms } = await timed(run, JSON.stringify({ id: 'a'.repeat(10_000_000), x: [{ y: 'b'.repeat(300_000) }] }));
    expect(v.errors.map((e) => e.pointer)).toEqual(['/id', '/x/0/y']);
    expect(ms).toBeLessThan(3_000);
  });

  it('refuses input over the size limit the service sets, before parsing it', async () => {
    const { v } = await timed((i) => (run === ALL[4]![1] ? validators.csaf(i, { maxBytes: 1_000 }) : validators.osv(i, { maxBytes: 1_000 })), JSON.stringify({ id: 'x'.repeat(2_000) }));
    expect(v.errors).toEqual([expect.objectContaining({ pointer: '', message: expect.stringMatching(/more than the 1000 allowed/) })]);
  });

  it('refuses an array past the item limit, and a document past the value limit', async () => {
    const huge = await timed(run, `{"vulnerabilities":[${'0,'.repeat(1_000_000)}0]}`);
    expect(huge.v.errors).toEqual([expect.objectContaining({ pointer: '/vulnerabilities', message: expect.stringMatching(/^has more than \d+ items$/) })]);
    expect(huge.ms).toBeLessThan(3_000);
    const many = await timed(run, JSON.stringify(Array.from({ length: 60 }, () => Array.from({ length: 9_000 }, () => 0))));
    expect(many.v.errors).toEqual([expect.objectContaining({ pointer: '', message: `has more than ${DEFAULT_LIMITS.maxNodes} values` })]);
  });

  it('answers malformed bytes with one syntax error', async () => {
    for (const input of [new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), '{"a": [1, 2', '', 'nul', '\uFEFF{"a" 1}']) {
      const { v } = await timed(run, input);
      expect(v.ok).toBe(false);
      expect(v.errors).toHaveLength(1);
      expect(v.errors[0]!.rule).toBe('syntax');
    }
  });

  it('never throws on any JSON value', async () => {
    for (const parsed of [null, 0, -1.5, true, 'text', [], [null], { __proto__: { polluted: true } }, { constructor: 1, toString: 2, hasOwnProperty: 3 }]) {
      const { v } = await timed(run, { parsed });
      expect(v.ok).toBe(false);
      expect(v.errors.length).toBeGreaterThan(0);
    }
  });
});

it('caps the errors listed at 1,000 and says how many more', async () => {
  const references = Array.from({ length: 50_000 }, () => ({ type: 'NOPE' }));
  const { v, ms } = await timed((i) => validators.osv(i), JSON.stringify({ id: 'X-1', modified: '2024-01-01T00:00:00Z', references }));
  expect(v.ok).toBe(false);
  expect(v.errors).toHaveLength(1_001);
  expect(v.errorCount).toBeGreaterThan(100_000);
  expect(v.errors[1_000]).toEqual({ pointer: '', message: `and ${v.errorCount - 1_000} more errors`, rule: 'limits' });
  expect(ms).toBeLessThan(10_000);
});

it('checks uniqueItems on 90,000 objects in linear time', async () => {
  const run = { tool: { driver: { name: 'x' } }, artifacts: Array.from({ length: 90_000 }, (_, i) => ({ location: { uri: `src/f${i}.js` } })) };
  const unique = await timed((i) => validators.sarif(i), JSON.stringify({ version: '2.1.0', runs: [run] }));
  expect(unique.v.ok).toBe(true);
  run.artifacts.push({ location: { uri: 'src/f7.js' } });
  const repeated = await timed((i) => validators.sarif(i), JSON.stringify({ version: '2.1.0', runs: [run] }));
  expect(repeated.v.errors).toEqual([expect.objectContaining({ pointer: '/runs/0/artifacts', message: 'must NOT have duplicate items (items ## 90000 and 7 are identical)' })]);
  // Pairwise, 90,000 items are four billion comparisons: minutes.
  expect(unique.ms + repeated.ms).toBeLessThan(15_000);
});

it("matches SARIF's quadratic patterns in linear time", async () => {
  // `[^/]+/.+` and `[0-9]+(\.[0-9]+){3}` take 16 s on V8 for one 100,000-character string.
  const driver = { name: 'x', dottedQuadFileVersion: '0'.repeat(250_000) };
  const artifacts = Array.from({ length: 40 }, (_, i) => ({ mimeType: 'a'.repeat(250_000 - i) }));
  const { v, ms } = await timed((i) => validators.sarif(i), JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver }, artifacts }] }));
  expect(v.errorCount).toBe(41);
  expect(ms).toBeLessThan(10_000);
});

it('bounds the CSAF tests that are quadratic in the number of products', async () => {
  const doc = readJson('csaf/examples/csaf', 'bsi-2022-0001.json');
  doc.product_tree = { full_product_names: Array.from({ length: 10_000 }, (_, i) => ({ name: `p${i}`, product_id: `CSAFPID-${i}` })) };
  doc.vulnerabilities[0].product_status = { known_affected: Array.from({ length: 10_000 }, (_, i) => `CSAFPID-${i}`) };
  const within = await timed((i) => validators.csaf(i), JSON.stringify(doc));
  expect(within.v.errors.every((e) => e.rule !== 'limits')).toBe(true);
  expect(within.ms).toBeLessThan(20_000);
  doc.product_tree.full_product_names.push({ name: 'one more', product_id: 'CSAFPID-X' });
  const past = await timed((i) => validators.csaf(i), JSON.stringify(doc));
  expect(past.v.errors).toEqual([expect.objectContaining({ pointer: '/product_tree/full_product_names', rule: 'limits' })]);
  expect(past.ms).toBeLessThan(3_000);
}, 60_000);

describe('YAML', () => {
  it('refuses an alias bomb', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n');
    const start = performance.now();
    const parsed = parseYaml(bomb, DEFAULT_LIMITS);
    expect(parsed.ok).toBe(false);
    expect(performance.now() - start).toBeLessThan(3_000);
  });

  it('answers deep nesting and syntax errors without throwing', () => {
    for (const text of ['['.repeat(200_000), 'a: [1, 2\nb: {', 'a: 1\na: 2', '\t- x']) {
      const parsed = parseYaml(text, DEFAULT_LIMITS);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.errors.length).toBeGreaterThan(0);
    }
  });

  it('keeps timestamps and Git hashes as text, as PyYAML wrote them', () => {
    const parsed = parseYaml('modified: 2023-11-07T20:24:23.946863Z\nfixed: 1234e5678\nversion: "1.10"\nyes_no: no\nratio: 1.5e+3\nbig: .inf', DEFAULT_LIMITS);
    expect(parsed).toEqual({ ok: true, value: { modified: '2023-11-07T20:24:23.946863Z', fixed: '1234e5678', version: '1.10', yes_no: false, ratio: 1500, big: Infinity } });
  });

  it('refuses numbers JSON cannot hold', () => {
    const parsed = parseYaml('id: X\nmodified: 2024-01-01T00:00:00Z\ndatabase_specific: {score: .nan}', DEFAULT_LIMITS);
    if (!parsed.ok) throw new Error('not parsed');
    expect(validators.osv({ parsed: parsed.value }).errors).toEqual([expect.objectContaining({ pointer: '/database_specific/score', message: 'is not a finite number' })]);
  });
});
