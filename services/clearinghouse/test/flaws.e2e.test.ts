/**
 * Imports and one record per flaw end to end: the service as its own process on real nats-server,
 * FerretDB and Jaeger, called over gRPC. The 2,661 PyPA advisories imported through the service
 * (YAML read here, sent as OSV JSON) give the groups and flags the flaws rule gives; importing them
 * again changes and announces nothing; another order gives the same groups. A reporter's report
 * and an imported record of one CVE end in one Vulnerability crediting both; a merge that would
 * join two CVE ids is flagged, not made, until an analyst merges (and can undo it).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { readStream, waitFor } from '@rampart/testing';
import { regroup, type FlawRecord } from '../src/domain/flaws';
import { pypaRecords } from './flaws-fixtures';
import { importAll, osvItem, osvRecord, pypaFiles, regroupsSettled, storedGroups } from './flaws-harness';
import { call, ClearinghouseHarness, reportDetails } from './harness';

/** The seven PyPA advisories the official OSV schema refuses (a GIT `fixed` that is not a full commit hash). */
const PYPA_INVALID = ['PYSEC-2017-27', 'PYSEC-2019-155', 'PYSEC-2021-371', 'PYSEC-2021-424', 'PYSEC-2021-425', 'PYSEC-2021-436', 'PYSEC-2023-80'];

const O = v1.ImportOutcome;
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
};

/** What the flaws rule gives for `records`: groups (id, members) and flags (id, kind, groups). */
function expected(records: readonly FlawRecord[]) {
  const r = regroup(records);
  return { groups: r.groups.map((g) => ({ id: g.id, members: g.members })), flags: r.flags.map((f) => ({ id: f.id, kind: f.kind, groups: f.groups })) };
}

const eventsOn = async (h: ClearinghouseHarness, prefix: string) => (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.subject.startsWith(prefix));

describe('the PyPA corpus imported through the service', () => {
  const h = new ClearinghouseHarness();
  let analyst: string;
  beforeAll(async () => {
    await h.start();
    analyst = await h.analyst();
  }, 90_000);
  afterAll(() => h.stop());

  it('groups all 2,661 advisories as the flaws rule does, stores the seven the schema refuses as invalid with their reasons, and a second import changes and announces nothing', async () => {
    const files = pypaFiles();
    expect(files).toHaveLength(2661);
    const results = await importAll(h, analyst, files.map((f) => osvItem(f.json)));
    const byOutcome = (o: v1.ImportOutcome) => results.filter((r) => r.outcome === o);
    expect(byOutcome(O.IMPORT_OUTCOME_STORED)).toHaveLength(2654);
    const invalid = byOutcome(O.IMPORT_OUTCOME_INVALID);
    expect(invalid.map((r) => r.advisoryIds[0]).sort()).toEqual(PYPA_INVALID.map((id) => `osv:${id}`));
    for (const r of invalid) expect(r.errors.map((e) => e.pointer)).toContain('/affected/0/ranges/0/events/1/fixed');

    // Stored as received, with the reasons; never grouped.
    const stored = await h.mongo.db(h.database).collection('clearinghouse_advisories').findOne({ _id: 'osv:PYSEC-2021-371' as never });
    expect(stored).toMatchObject({ state: 'invalid', errorCount: expect.any(Number), received: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(stored!.record).toBeUndefined();

    await waitFor('every regroup applied', () => regroupsSettled(h), 170_000, 250);
    const want = expected(pypaRecords().filter((r) => !PYPA_INVALID.includes(r.id)));
    const got = await storedGroups(h);
    expect(got.groups.length).toBe(want.groups.length);
    expect(got.groups).toEqual(want.groups);
    expect(got.flags).toEqual(want.flags);
    expect(got.flags.filter((f) => f.kind === 'cve-conflict')).toHaveLength(3);
    for (const id of PYPA_INVALID) expect(got.groups.some((g) => g.members.includes(id))).toBe(false);

    // Again: every item unchanged, nothing written, nothing announced.
    const before = (await h.jsm.streams.info('CLEARINGHOUSE_EVENTS')).state.last_seq;
    const again = await importAll(h, analyst, files.map((f) => osvItem(f.json)));
    expect(again.filter((r) => r.outcome !== O.IMPORT_OUTCOME_UNCHANGED && r.outcome !== O.IMPORT_OUTCOME_INVALID)).toEqual([]);
    expect(again.filter((r) => r.outcome === O.IMPORT_OUTCOME_INVALID)).toHaveLength(7);
    // A marker imported after it: once its vulnerability is announced, anything the second import wrote would be too.
    const [marker] = await importAll(h, analyst, [osvItem(osvRecord('OSV-2099-MARKER'))]);
    expect(marker!.outcome).toBe(O.IMPORT_OUTCOME_STORED);
    await waitFor('the marker grouped', async () => (await eventsOn(h, 'rampart.clearinghouse.vulnerability.')).some((m) => m.event.subject === 'OSV-2099-MARKER'));
    const after = (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.seq > before);
    expect(after.filter((m) => m.event.subject !== 'OSV-2099-MARKER' && m.event.subject !== 'osv:OSV-2099-MARKER').map((m) => m.subject)).toEqual([]);
    expect((await storedGroups(h)).groups.filter((g) => g.id !== 'OSV-2099-MARKER')).toEqual(want.groups);
  }, 300_000);
});

describe('another order', () => {
  const h = new ClearinghouseHarness();
  let analyst: string;
  beforeAll(async () => {
    await h.start();
    analyst = await h.analyst();
  }, 90_000);
  afterAll(() => h.stop());

  it('gives the same groups and flags for a large shuffled part of the corpus: every record of every multi-record flaw and conflict, and 300 others', async () => {
    const all = pypaRecords().filter((r) => !PYPA_INVALID.includes(r.id));
    const full = regroup(all);
    const linked = new Set([...full.groups.filter((g) => g.members.length > 1).flatMap((g) => g.members), ...full.flags.flatMap((f) => f.records)]);
    const others = shuffled(all.filter((r) => !linked.has(r.id)), 7).slice(0, 300);
    const chosen = new Set([...linked, ...others.map((r) => r.id)]);
    const files = shuffled(pypaFiles().filter((f) => chosen.has(f.id)), 11);
    expect(files.length).toBeGreaterThan(1000);
    // Smaller requests, so that regroups of one component interleave with its records' arrivals.
    const results = await importAll(h, analyst, files.map((f) => osvItem(f.json)), 25, 3);
    expect(results.filter((r) => r.outcome !== O.IMPORT_OUTCOME_STORED)).toEqual([]);
    await waitFor('every regroup applied', () => regroupsSettled(h), 120_000, 250);
    const got = await storedGroups(h);
    const want = expected(all.filter((r) => chosen.has(r.id)));
    expect(got.groups).toEqual(want.groups);
    expect(got.flags).toEqual(want.flags);
    expect(got.flags.filter((f) => f.kind === 'cve-conflict')).toHaveLength(3);
  }, 150_000);
});

describe('reports and records of one flaw, conflicts, analysts decisions', () => {
  const h = new ClearinghouseHarness();
  let analyst: string;
  let acme: string;
  let initech: string;
  beforeAll(async () => {
    await h.start();
    analyst = await h.analyst();
    acme = await h.reporter('acme');
    initech = await h.reporter('initech');
  }, 90_000);
  afterAll(() => h.stop());

  const vulnerability = async (id: string, token = analyst) => (await call<v1.GetVulnerabilityResponse>(h.client, 'getVulnerability', { vulnerabilityId: id }, token)).vulnerability!;
  const settled = () => waitFor('every regroup applied', () => regroupsSettled(h), 30_000, 100);
  const importOsv = async (...records: Record<string, unknown>[]) => importAll(h, analyst, records.map((r) => osvItem(r)));
  const submitValidated = async (token: string, cveId: string) => {
    // TLP GREEN: shareable with the other reporters of the flaw (an AMBER report's flaw is redacted for them, embargoes' part).
    const { report } = await h.submit(token, reportDetails({ tlp: v1.TlpLabel.TLP_LABEL_GREEN, cve: { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'GitHub_M', cveId } }));
    await call(h.client, 'transitionReport', { reportId: report!.id, expectedRevision: 1, toStatus: v1.ReportStatus.REPORT_STATUS_VALID, reasons: ['reproduced on 4.2.16'] }, analyst);
    return report!.id;
  };

  it('joins two reporters\' reports and an imported record naming one CVE into one Vulnerability, crediting each, and tells each reporter where its report went', async () => {
    const first = await submitValidated(acme, 'CVE-2099-0001');
    const [imported] = await importOsv(osvRecord('OSV-2099-0001', ['CVE-2099-0001']));
    expect(imported!.outcome).toBe(O.IMPORT_OUTCOME_STORED);
    const second = await submitValidated(initech, 'CVE-2099-0001');
    await settled();

    const v = await vulnerability('CVE-2099-0001');
    expect(v).toMatchObject({ id: 'CVE-2099-0001', state: v1.VulnerabilityState.VULNERABILITY_STATE_CURRENT, cveIds: ['CVE-2099-0001'], flags: [] });
    expect(v.recordIds).toEqual(['OSV-2099-0001', first, second].sort());
    expect(v.credits.map((c) => ({ organization: c.organization, sources: c.sources, recordIds: c.recordIds }))).toEqual([
      { organization: 'acme', sources: ['reporter'], recordIds: [first] },
      { organization: 'treasury', sources: ['osv'], recordIds: ['OSV-2099-0001'] },
      { organization: 'initech', sources: ['reporter'], recordIds: [second] },
    ]);

    // Each reporter reads, on its own report, the flaw it joined, and that flaw with its own credit only.
    const report = (await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: first }, acme)).report!;
    expect(report.flaw).toMatchObject({ vulnerabilityId: 'CVE-2099-0001' });
    const listed = (await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 100 }, acme)).reports.find((r) => r.id === first)!;
    expect(listed.flaw).toMatchObject({ vulnerabilityId: 'CVE-2099-0001' });
    const seen = await vulnerability('CVE-2099-0001', initech);
    expect(seen.credits.map((c) => c.organization)).toEqual(['initech']);
    expect(seen.recordIds).toEqual(['OSV-2099-0001', second].sort());
    expect(seen.flags).toEqual([]);
    // A reporter none of whose reports it holds: as if absent.
    const stranger = await h.reporter('globex');
    expect(await codeOf(vulnerability('CVE-2099-0001', stranger))).toBe(status.NOT_FOUND);
    expect(await codeOf(call(h.client, 'listVulnerabilities', {}, acme))).toBe(status.PERMISSION_DENIED);

    const events = (await eventsOn(h, 'rampart.clearinghouse.vulnerability.')).filter((m) => m.event.subject === 'CVE-2099-0001');
    expect(events.at(-1)!.event.data).toMatchObject({ vulnerabilityId: 'CVE-2099-0001', recordIds: ['OSV-2099-0001', first, second].sort() });
    // Ids and credits only: the reports' descriptions and proofs stay in the reports.
    for (const e of events) expect(e.body).not.toContain('upload directory');
  });

  it('flags a merge that would join two CVE ids instead of making it; an analyst merges them, and undoes it', async () => {
    await importOsv(osvRecord('OSV-2099-1001', ['CVE-2099-1001', 'GHSA-2099-aaaa-bbbb']), osvRecord('OSV-2099-1002', ['CVE-2099-1002', 'GHSA-2099-aaaa-bbbb']));
    await settled();
    const [a, b] = [await vulnerability('CVE-2099-1001'), await vulnerability('CVE-2099-1002')];
    expect(a.recordIds).toEqual(['OSV-2099-1001']);
    expect(b.recordIds).toEqual(['OSV-2099-1002']);
    for (const v of [a, b]) {
      expect(v.flags).toEqual([expect.objectContaining({ kind: v1.FlawFlagKind.FLAW_FLAG_KIND_CVE_CONFLICT, vulnerabilityIds: ['CVE-2099-1001', 'CVE-2099-1002'], sharedIds: ['GHSA-2099-aaaa-bbbb'] })]);
    }
    const flagged = await eventsOn(h, 'rampart.clearinghouse.vulnerability.flagged');
    expect(flagged.map((m) => m.event.subject)).toEqual(expect.arrayContaining(['CVE-2099-1001', 'CVE-2099-1002']));
    const listed = (await call<v1.ListVulnerabilitiesResponse>(h.client, 'listVulnerabilities', { flaggedOnly: true }, analyst)).vulnerabilities.map((v) => v.id);
    expect(listed).toEqual(expect.arrayContaining(['CVE-2099-1001', 'CVE-2099-1002']));

    const { decision } = await call<v1.MergeVulnerabilitiesResponse>(h.client, 'mergeVulnerabilities', { vulnerabilityIds: ['CVE-2099-1001', 'CVE-2099-1002'], reason: 'the CNA assigned two ids to one flaw' }, analyst);
    expect(decision).toMatchObject({ kind: 'merge', vulnerabilityIds: ['CVE-2099-1001', 'CVE-2099-1002'], decidedBy: 'eve@treasury' });
    await settled();
    const merged = await vulnerability('OSV-2099-1001');
    expect(merged).toMatchObject({ state: v1.VulnerabilityState.VULNERABILITY_STATE_CURRENT, recordIds: ['OSV-2099-1001', 'OSV-2099-1002'], cveIds: ['CVE-2099-1001', 'CVE-2099-1002'], flags: [] });
    expect(await vulnerability('CVE-2099-1001')).toMatchObject({ state: v1.VulnerabilityState.VULNERABILITY_STATE_MERGED, mergedInto: 'OSV-2099-1001' });
    expect((await eventsOn(h, 'rampart.clearinghouse.vulnerability.merged')).some((m) => m.event.subject === 'OSV-2099-1001')).toBe(true);
    expect((await eventsOn(h, 'rampart.clearinghouse.grouping.decided')).map((m) => m.event.subject)).toContain(decision!.id);

    await call(h.client, 'undoGroupingDecision', { decisionId: decision!.id, reason: 'two flaws after all' }, analyst);
    expect(await codeOf(call(h.client, 'undoGroupingDecision', { decisionId: decision!.id, reason: 'again' }, analyst))).toBe(status.FAILED_PRECONDITION);
    await settled();
    expect(await vulnerability('CVE-2099-1001')).toMatchObject({ state: v1.VulnerabilityState.VULNERABILITY_STATE_CURRENT, recordIds: ['OSV-2099-1001'] });
    expect(await vulnerability('CVE-2099-1002')).toMatchObject({ state: v1.VulnerabilityState.VULNERABILITY_STATE_CURRENT, recordIds: ['OSV-2099-1002'] });
    expect((await vulnerability('OSV-2099-1001')).state).toBe(v1.VulnerabilityState.VULNERABILITY_STATE_SPLIT);
  });

  it('regroups a replaced record, and splits by an analyst\'s decision until it is undone', async () => {
    await importOsv(osvRecord('OSV-2099-2001', ['CVE-2099-2001']), osvRecord('OSV-2099-2002', ['CVE-2099-2001']), osvRecord('OSV-2099-2003', ['CVE-2099-2001']));
    await settled();
    expect((await vulnerability('CVE-2099-2001')).recordIds).toEqual(['OSV-2099-2001', 'OSV-2099-2002', 'OSV-2099-2003']);

    const { decision } = await call<v1.SplitVulnerabilityResponse>(h.client, 'splitVulnerability', { vulnerabilityId: 'CVE-2099-2001', recordIds: ['OSV-2099-2003'], reason: 'another flaw in the same release' }, analyst);
    await settled();
    // Both parts link CVE-2099-2001, so neither is named by it: each by its smallest record id.
    expect(await vulnerability('CVE-2099-2001')).toMatchObject({ state: v1.VulnerabilityState.VULNERABILITY_STATE_SPLIT, splitInto: ['OSV-2099-2001', 'OSV-2099-2003'] });
    expect((await vulnerability('OSV-2099-2001')).recordIds).toEqual(['OSV-2099-2001', 'OSV-2099-2002']);
    expect((await vulnerability('OSV-2099-2003')).recordIds).toEqual(['OSV-2099-2003']);
    expect((await eventsOn(h, 'rampart.clearinghouse.vulnerability.split')).map((m) => m.event.subject)).toContain('CVE-2099-2001');
    await call(h.client, 'undoGroupingDecision', { decisionId: decision!.id, reason: 'one flaw after all' }, analyst);
    await settled();
    expect((await vulnerability('CVE-2099-2001')).recordIds).toEqual(['OSV-2099-2001', 'OSV-2099-2002', 'OSV-2099-2003']);

    // The feed corrects a record: its alias gone, it leaves the flaw.
    const [replaced] = await importOsv(osvRecord('OSV-2099-2002', [], { modified: '2025-02-01T00:00:00Z' }));
    expect(replaced!.outcome).toBe(O.IMPORT_OUTCOME_REPLACED);
    await settled();
    expect((await vulnerability('CVE-2099-2001')).recordIds).toEqual(['OSV-2099-2001', 'OSV-2099-2003']);
    expect((await vulnerability('OSV-2099-2002')).recordIds).toEqual(['OSV-2099-2002']);
  });

  it('flags, with the reason, a validated report that shares no id with another but its fingerprint (package, range, CWE), without merging them', async () => {
    const validated = async (token: string, introduced: string) => {
      const { report } = await h.submit(token, reportDetails({ affectedProducts: [{ purl: 'pkg:pypi/rampart-fingerprint', ranges: [{ introduced, fixed: '2.0' }], versions: [] }], cweIds: ['CWE-79'], cve: undefined }));
      await call(h.client, 'transitionReport', { reportId: report!.id, expectedRevision: 1, toStatus: v1.ReportStatus.REPORT_STATUS_VALID, reasons: ['reproduced'] }, analyst);
      return report!.id;
    };
    const first = await validated(acme, '1.0');
    const second = await validated(initech, '1.5');
    await settled();
    const v = await vulnerability(second);
    expect(v.recordIds).toEqual([second]);
    expect(v.flags).toEqual([expect.objectContaining({
      kind: v1.FlawFlagKind.FLAW_FLAG_KIND_LIKELY_DUPLICATE, vulnerabilityIds: [first, second].sort(), recordIds: [second, first], likelihood: 'high',
      reason: expect.stringContaining('same package pkg:pypi/rampart-fingerprint'),
    })]);
    expect((await vulnerability(first)).recordIds).toEqual([first]);
  });

  it('answers every item of a batch, each refused one with every error at its JSON pointer, the others imported', async () => {
    const broken = osvRecord('OSV-2099-3002', ['CVE-2099-3002'], { modified: 'yesterday', affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, ranges: [{ type: 'SOMETIMES', events: [] }] }] });
    const { results } = await call<v1.ImportAdvisoriesResponse>(h.client, 'importAdvisories', { items: [
      osvItem(osvRecord('OSV-2099-3001', ['CVE-2099-3001'])),
      osvItem(broken),
      { format: v1.AdvisoryFormat.ADVISORY_FORMAT_OSV, document: Buffer.from('{"id": ') },
      { format: v1.AdvisoryFormat.ADVISORY_FORMAT_UNSPECIFIED, document: Buffer.from('{}') },
    ] }, analyst);
    expect(results.map((r) => [r.index, r.outcome])).toEqual([[0, O.IMPORT_OUTCOME_STORED], [1, O.IMPORT_OUTCOME_INVALID], [2, O.IMPORT_OUTCOME_INVALID], [3, O.IMPORT_OUTCOME_INVALID]]);
    expect(results[1]!.advisoryIds).toEqual(['osv:OSV-2099-3002']);
    expect(results[1]!.errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/modified', '/affected/0/ranges/0/type']));
    expect(results[1]!.errorCount).toBeGreaterThanOrEqual(2);
    expect(results[2]!.advisoryIds).toEqual([]);
    expect(results[2]!.errors[0]!.rule).toBe('syntax');
    expect(results[3]!.errors[0]!.message).toContain('format');
    await settled();
    expect((await vulnerability('CVE-2099-3001')).recordIds).toEqual(['OSV-2099-3001']);
    // Kept as received, with its reasons, never grouped.
    expect(await codeOf(vulnerability('OSV-2099-3002'))).toBe(status.NOT_FOUND);
    expect(await codeOf(vulnerability('CVE-2099-3002'))).toBe(status.NOT_FOUND);
    expect(await h.mongo.db(h.database).collection('clearinghouse_advisories').findOne({ _id: 'osv:OSV-2099-3002' as never })).toMatchObject({ state: 'invalid', errorCount: results[1]!.errorCount });

    expect(await codeOf(call(h.client, 'importAdvisories', { items: [] }, analyst))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'importAdvisories', { items: [osvItem(osvRecord('OSV-2099-3003'))] }, acme))).toBe(status.PERMISSION_DENIED);
  });
});
