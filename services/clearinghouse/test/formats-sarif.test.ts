/**
 * SARIF 2.1.0: realistic logs validated against the OASIS schema (draft-04), broken ones refused
 * with every error, and results turned into candidate findings whole or one run and one result at
 * a time (as the service streams them), with fingerprints that match across re-scans.
 */
import { findingFromResult, findingsFromLog, findingsFromRun, findingToAdvisoryRecord, sarifRunContext } from '../src/domain/formats';
import { copy, expectRefusedAt, lines, validators } from './formats-fixtures';
import { codeqlLog, semgrepLog, templatedLog } from './formats-sarif-samples';

it.each([
  ['CodeQL', codeqlLog],
  ['Semgrep', semgrepLog],
  ['a templated scanner', templatedLog],
])('accepts a log of %s', (_name, log) => {
  const v = validators.sarif(JSON.stringify(log()));
  expect(lines(v.errors)).toEqual([]);
  expect(v.ok).toBe(true);
});

it('validates one run and one result at a time', () => {
  const run = codeqlLog().runs[0];
  expect(validators.sarifRun({ parsed: run }).ok).toBe(true);
  expect(validators.sarifResult({ parsed: run.results[0] }).ok).toBe(true);
  const broken = copy(run.results[0]);
  broken.level = 'fatal';
  delete broken.message;
  expectRefusedAt(validators.sarifResult({ parsed: broken }), ['/level', '/message']);
  expectRefusedAt(validators.sarifRun({ parsed: { ...run, tool: {} } }), ['/tool/driver']);
});

it('lists every break of a log broken in several places at once, each at its pointer', () => {
  const log = codeqlLog();
  log.version = '2.0.0';
  log.runs[0].artifacts.push(copy(log.runs[0].artifacts[0]));
  log.runs[0].results[0].level = 'fatal';
  log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  log.runs[0].results[0].ruleIndex = -2;
  delete log.runs[0].results[1].message;
  log.runs[0].tool.driver.rules[1].helpUri = 'not a uri';
  log.runs[0].properties = 'not a bag';
  log.runs[0].tool.driver.rules[0].defaultConfiguration.rank = 101;
  const v = validators.sarif(JSON.stringify(log));
  expectRefusedAt(v, [
    '/version',
    '/runs/0/artifacts',
    '/runs/0/results/0/level',
    '/runs/0/results/0/locations/0/physicalLocation/region/startLine',
    '/runs/0/results/0/ruleIndex',
    '/runs/0/results/1/message',
    '/runs/0/tool/driver/rules/1/helpUri',
    '/runs/0/properties',
    '/runs/0/tool/driver/rules/0/defaultConfiguration/rank',
  ]);
});

describe('candidate findings', () => {
  it('take rule, location, level, message and CWEs from the result and its rule', () => {
    const [sql, xss] = findingsFromLog(codeqlLog());
    expect(sql).toMatchObject({
      tool: { name: 'CodeQL', version: '2.16.1' },
      ruleId: 'js/sql-injection',
      level: 'error',
      message: 'This query string depends on a [user-provided value](1).',
      location: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', region: { startLine: 42, startColumn: 23, endColumn: 71 } },
      fingerprintSource: 'partialFingerprints',
      cwes: ['CWE-89', 'CWE-90'],
      runIndex: 0,
      resultIndex: 0,
    });
    // The location through the run's artifact index.
    expect(xss).toMatchObject({ ruleId: 'js/reflected-xss', location: { uri: 'server/views/search.js' }, cwes: ['CWE-79', 'CWE-116'] });
    expect(sql!.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("use a tool's full fingerprints, else its partial ones with rule and artifact, else rule and location", () => {
    const [semgrep] = findingsFromLog(semgrepLog());
    expect(semgrep).toMatchObject({ fingerprintSource: 'fingerprints', cwes: ['CWE-78'], level: 'error' });
    const [templated, passed] = findingsFromLog(templatedLog());
    expect(templated).toMatchObject({ fingerprintSource: 'computed', message: 'Host 10.0.0.7:443 accepts TLS 1.0, which is deprecated.', level: 'warning', cwes: ['CWE-327'] });
    expect(templated!.location).toBeUndefined();
    expect(passed).toMatchObject({ level: 'none' });
  });

  it('match across re-scans: a moved line keeps a partial fingerprint, a computed one follows the location', () => {
    const first = findingsFromLog(codeqlLog());
    const rescan = codeqlLog();
    rescan.runs[0].results[0].locations[0].physicalLocation.region.startLine = 57;
    expect(findingsFromLog(rescan)[0]!.fingerprint).toBe(first[0]!.fingerprint);

    const withoutPartial = codeqlLog();
    delete withoutPartial.runs[0].results[0].partialFingerprints;
    const a = findingsFromLog(withoutPartial)[0]!;
    expect(a.fingerprintSource).toBe('computed');
    expect(findingsFromLog(copy(withoutPartial))[0]!.fingerprint).toBe(a.fingerprint);
    withoutPartial.runs[0].results[0].locations[0].physicalLocation.region.startLine = 57;
    expect(findingsFromLog(withoutPartial)[0]!.fingerprint).not.toBe(a.fingerprint);

    const otherRule = codeqlLog();
    otherRule.runs[0].results[0].ruleId = 'js/xss';
    otherRule.runs[0].results[0].ruleIndex = 1;
    delete otherRule.runs[0].results[0].rule;
    expect(findingsFromLog(otherRule)[0]!.fingerprint).not.toBe(first[0]!.fingerprint);
  });

  it('come out the same one result at a time as for the whole log', () => {
    const log = codeqlLog();
    const { results, ...runWithoutResults } = log.runs[0];
    const ctx = sarifRunContext(runWithoutResults, 0);
    const streamed = (results as unknown[]).map((r, i) => findingFromResult(r as never, ctx, i));
    expect(streamed).toEqual(findingsFromLog(log));
    expect([...findingsFromRun(log.runs[0], 0)]).toEqual(streamed);
  });

  it('become records for the flaw rules, named by their fingerprint', () => {
    const [sql] = findingsFromLog(codeqlLog());
    expect(findingToAdvisoryRecord(sql!)).toEqual({
      source: 'sarif',
      id: sql!.fingerprint,
      aliases: [],
      withdrawn: false,
      summary: 'CodeQL: js/sql-injection',
      details: sql!.message,
      cwes: ['CWE-89', 'CWE-90'],
      affected: [],
      severities: [],
      references: [],
      locations: [{ uri: 'server/routes/orders.js', startLine: 42, ruleId: 'js/sql-injection', fingerprint: sql!.fingerprint }],
    });
  });

  it('never throw on a malformed log', () => {
    for (const junk of [null, 7, 'x', [], { runs: 'x' }, { runs: [null, 1, { results: [null, 2, { message: 5, locations: [null] }] }] }]) {
      expect(() => findingsFromLog(junk as never)).not.toThrow();
    }
    const [, , odd] = findingsFromLog({ runs: [{ tool: { driver: { name: 'x' } }, results: [null, 2, { ruleIndex: 99, message: { text: 'm' } }] }] } as never);
    expect(odd).toMatchObject({ ruleId: 'unknown', level: 'warning', message: 'm', fingerprintSource: 'computed' });
  });
});
