/**
 * Scoring end to end: the clearinghouse as its own process on real nats-server, FerretDB and Jaeger,
 * called over gRPC. A report is scored on receipt (preliminary) in the same write and the same trace
 * as its receipt; validation scores it again in a trace of its own linked to the receipt's; a KEV
 * import raises a listed report's priority once; bad vectors, decision points and catalogs are
 * refused naming every problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer, fieldViolationsOf } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { REPO_ROOT, sharedServers, waitFor, waitForTrace, type StoredEvent } from '@rampart/testing';
import { call, ClearinghouseHarness, reportDetails } from './harness';

const h = new ClearinghouseHarness();
let acme: string;
let analyst: string;

beforeAll(async () => {
  await h.start();
  acme = await h.reporter('acme');
  analyst = await h.analyst();
}, 90_000);
afterAll(() => h.stop());

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);
const S = v1.ReportStatus;
const L = v1.PriorityLevel;
const KEV_FILE = path.join(REPO_ROOT, '../shared/conformance/kev/known_exploited_vulnerabilities.json');
const V40_MEDIUM = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:N/SC:N/SI:L/SA:N'; // 6.9
const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
const spanIdOf = (traceparent: string | undefined) => traceparent?.split('-')[2];
const scored = (events: StoredEvent[]) => events.filter((e) => e.subject === 'rampart.clearinghouse.report.scored');
const traceparent = (traceId: string) => ({ traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });

/** ImportKevCatalog: the catalog streamed in 256 KiB chunks. */
function importKevCatalog(bytes: Buffer, token: string, chunkBytes = 256 * 1024): Promise<v1.ImportKevCatalogResponse> {
  return new Promise((resolve, reject) => {
    const stream = h.client.importKevCatalog(bearer(token), (error, response) => (error ? reject(error) : resolve(response)));
    for (let at = 0; at < bytes.length; at += chunkBytes) stream.write(v1.ImportKevCatalogRequest.fromPartial({ chunk: bytes.subarray(at, at + chunkBytes) }));
    stream.end();
  });
}

/** A marker report's events in the stream: the relay publishes in order, so anything written before it is there too. */
async function publishedMarker(): Promise<void> {
  const { report } = await h.submit(acme, reportDetails({ title: 'Marker' }));
  await waitFor('the marker events', async () => (await h.allEventsFor(report!.id)).length === 2);
}

describe('on receipt', () => {
  it('scores the report from what its reporter gave (preliminary), stores it in the report and announces it with the receipt, all in one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const { report } = await h.submit(acme, reportDetails(), undefined, traceparent(traceId));
    // 3.1 AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N = 9.1 Critical -> urgent, preliminary.
    expect(report!.scoring).toMatchObject({
      priority: { level: L.PRIORITY_LEVEL_URGENT, decidedBy: 'cvss', preliminary: true, reasons: ['CVSS 3.1 9.1 Critical', "preliminary: from the reporter's own claims, before validation"] },
      cvss: [{ version: '3.1', score: 9.1, severity: 'Critical', givenBy: 'reporter' }],
      kev: { listed: false },
    });
    const stored = await h.reports.findOne({ _id: report!.id as never });
    expect(stored!.scoring).toMatchObject({ priority: { level: 'urgent', preliminary: true } });

    await waitFor('the received and scored events', async () => (await h.allEventsFor(report!.id)).length === 2);
    const [received, score] = await h.allEventsFor(report!.id);
    expect(received!.subject).toBe('rampart.clearinghouse.report.received');
    expect(received!.event.data).toMatchObject({ scoring: { priority: { level: 'urgent', preliminary: true } } });
    expect(score!.subject).toBe('rampart.clearinghouse.report.scored');
    expect(score!.event).toMatchObject({ type: 'rampart.clearinghouse.report.scored.v1', subject: report!.id, data: { reportId: report!.id, revision: 1, status: 'received', priority: { level: 'urgent', preliminary: true }, kev: { listed: false } } });
    expect(score!.body).not.toContain('cron.d'); // no details in the scoring event
    for (const e of [received!, score!]) expect(traceIdOf(e.headers.traceparent)).toBe(traceId);

    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
      s.some((x) => x.name === 'publish rampart.clearinghouse.report.scored') && s.some((x) => x.name === 'publish rampart.clearinghouse.report.received'));
    const server = spans.find((s) => s.name === 'grpc.rampart.clearinghouse.v1.ClearinghouseService/SubmitReport')!;
    expect(server).toBeDefined();
    // The one write of the report with its score: a child of the request.
    expect(spans.filter((s) => s.name === 'insert clearinghouse_reports').map((s) => s.parentSpanId)).toEqual([server.spanId]);
    expect(spans.find((s) => s.name === 'publish rampart.clearinghouse.report.scored')).toMatchObject({ kind: 4, parentSpanId: server.spanId, traceId });
  });

  it('refuses a vector that is not CVSS with INVALID_ARGUMENT naming details.cvss_vectors[i] and each problem, storing nothing', async () => {
    const before = await h.reports.countDocuments({});
    const error = await failure(h.submit(acme, reportDetails({ cvssVectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q/ZZ:1', V40_MEDIUM] })));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const violations = fieldViolationsOf(error.metadata);
    expect(violations.map((v) => v.field)).toEqual(['details.cvss_vectors[0]', 'details.cvss_vectors[0]']);
    expect(violations.map((v) => v.description)).toEqual(['A:Q is not allowed: Availability (A) takes H, L, N', 'part 9 ("ZZ:1") is not METRIC:VALUE']);
    expect(await h.reports.countDocuments({})).toBe(before);
  });
});

describe('on validation', () => {
  it('scores again with the analyst\'s SSVC decision (not preliminary), in a trace of its own linked to the receipt\'s', async () => {
    const receiptTrace = randomBytes(16).toString('hex');
    const { report } = await h.submit(acme, reportDetails({ title: 'Validated' }), undefined, traceparent(receiptTrace));
    const stored = await h.reports.findOne({ _id: report!.id as never });
    const receiptSpan = spanIdOf(stored!.receivedTrace.traceparent as string);

    const callerTrace = randomBytes(16).toString('hex');
    const ssvc = { exploitation: 'public poc', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' };
    const { report: valid } = await call<v1.TransitionReportResponse>(h.client, 'transitionReport', {
      reportId: report!.id, expectedRevision: 1, toStatus: S.REPORT_STATUS_VALID, reasons: ['reproduced'], ssvc, cvssVectors: [V40_MEDIUM],
    }, analyst, traceparent(callerTrace));
    expect(valid!.scoring).toMatchObject({
      priority: { preliminary: false, decidedBy: 'ssvc' },
      ssvc: { decisionPoints: ssvc, decidedBy: 'eve@treasury', table: 'cisa_coordinator_2_0_3' },
      cvss: expect.arrayContaining([expect.objectContaining({ vector: V40_MEDIUM, givenBy: 'analyst', score: 6.9 })]),
    });
    const got = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id }, acme);
    expect(got.report!.scoring!.priority).toEqual(valid!.scoring!.priority);

    // Other parts announce the validation too (the flaw it joined): the report's own events are these.
    const reportEvents = async () => (await h.allEventsFor(report!.id)).filter((e) => e.subject.startsWith('rampart.clearinghouse.report.'));
    await waitFor('the validated and scored events', async () => (await reportEvents()).length === 4);
    const events = await reportEvents();
    const validated = events.find((e) => e.subject === 'rampart.clearinghouse.report.validated')!;
    const rescored = scored(events)[1]!;
    expect(rescored.event.data).toMatchObject({ revision: 2, status: 'valid', priority: { preliminary: false, decidedBy: 'ssvc' } });
    const stepTrace = traceIdOf(validated.headers.traceparent)!;
    expect(traceIdOf(rescored.headers.traceparent)).toBe(stepTrace);
    expect([receiptTrace, callerTrace]).not.toContain(stepTrace);

    const spans = await waitForTrace(sharedServers().jaegerQuery, stepTrace, (s) =>
      s.some((x) => x.name === 'transition report') && s.some((x) => x.name === 'publish rampart.clearinghouse.report.scored'));
    const step = spans.find((s) => s.name === 'transition report')!;
    expect(step.parentSpanId).toBe('');
    expect(step.links).toEqual(expect.arrayContaining([{ traceId: receiptTrace, spanId: receiptSpan }]));
    expect(step.links.map((l) => l.traceId)).toContain(callerTrace);
    expect(spans.find((s) => s.name === 'publish rampart.clearinghouse.report.validated')).toBeDefined();
  });

  it('refuses decision points or vectors that are wrong, or given on another move, naming each', async () => {
    const { report } = await h.submit(acme, reportDetails({ title: 'Bad SSVC' }));
    const bad = await failure(call(h.client, 'transitionReport', {
      reportId: report!.id, expectedRevision: 1, toStatus: S.REPORT_STATUS_VALID, reasons: ['x'],
      ssvc: { exploitation: 'active', automatable: 'perhaps', technicalImpact: '', missionWellbeing: 'high' }, cvssVectors: ['CVSS:4.0/AV:N'],
    }, analyst));
    expect(bad.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(bad.metadata).map((v) => v.field)).toEqual(['ssvc.automatable', 'ssvc.technical_impact', 'cvss_vectors[0]']);
    const elsewhere = await failure(call(h.client, 'transitionReport', {
      reportId: report!.id, expectedRevision: 1, toStatus: S.REPORT_STATUS_INVALID, reasons: ['x'], ssvc: { exploitation: 'none', automatable: 'no', technicalImpact: 'partial', missionWellbeing: 'low' },
    }, analyst));
    expect(fieldViolationsOf(elsewhere.metadata).map((v) => v.field)).toEqual(['ssvc']);
    expect(await h.reports.findOne({ _id: report!.id as never })).toMatchObject({ revision: 1, status: 'received' });
  });
});

describe('KEV', () => {
  const catalog = fs.readFileSync(KEV_FILE);
  const listed = JSON.parse(catalog.toString('utf8')) as { vulnerabilities: { cveID: string; dateAdded: string; dueDate: string }[] };
  const entry = listed.vulnerabilities[0]!;
  const importKev = (bytes: Buffer, token = analyst) => importKevCatalog(bytes, token);

  it('an import raises a listed report\'s priority to immediate with the reason, once; importing again changes and announces nothing; an entry taken off lowers it again', async () => {
    const cve = { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'GitHub_M', cveId: entry.cveID };
    const { report } = await h.submit(acme, reportDetails({ title: 'Listed later', cvssVectors: [V40_MEDIUM], cve }));
    expect(report!.scoring!.priority).toMatchObject({ level: L.PRIORITY_LEVEL_ROUTINE, decidedBy: 'cvss' });

    const first = await importKev(catalog);
    expect(first).toMatchObject({ entries: listed.vulnerabilities.length, changed: listed.vulnerabilities.length, reportsRescored: 1 });
    expect(await h.mongo.db(h.database).collection('clearinghouse_kev').countDocuments({})).toBe(listed.vulnerabilities.length);
    const reason = `in CISA KEV since ${entry.dateAdded}, due ${entry.dueDate} (${entry.cveID})`;
    await waitFor('the KEV rescoring event', async () => scored(await h.allEventsFor(report!.id)).length === 2);
    const [, raised] = scored(await h.allEventsFor(report!.id));
    expect(raised!.event.data).toMatchObject({ revision: 2, priority: { level: 'immediate', decidedBy: 'kev', preliminary: true }, kev: { listed: true, cveId: entry.cveID, dueDate: entry.dueDate } });
    expect((raised!.event.data.priority as { reasons: string[] }).reasons[0]).toBe(reason);

    // Shown on GetReport and ListReports; its history says it was rescored, by whom.
    const got = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id }, acme);
    expect(got.report!.scoring).toMatchObject({ priority: { level: L.PRIORITY_LEVEL_IMMEDIATE, reasons: expect.arrayContaining([reason]) }, kev: { listed: true, cveId: entry.cveID, dateAdded: entry.dateAdded } });
    const list = await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 100 }, acme);
    expect(list.reports.find((r) => r.id === report!.id)!.scoring!.priority!.level).toBe(L.PRIORITY_LEVEL_IMMEDIATE);
    const history = await call<v1.ListReportRevisionsResponse>(h.client, 'listReportRevisions', { reportId: report!.id }, acme);
    expect(history.revisions.map((r) => [r.revision, r.change, r.changedBy])).toEqual([[1, 'received', 'finder@acme'], [2, 'rescored', 'eve@treasury']]);

    const again = await importKev(catalog);
    expect(again).toMatchObject({ entries: listed.vulnerabilities.length, changed: 0, reportsRescored: 0 });
    await publishedMarker();
    expect(scored(await h.allEventsFor(report!.id))).toHaveLength(2);
    expect(await h.reports.findOne({ _id: report!.id as never })).toMatchObject({ revision: 2 });

    // A report naming a listed CVE is immediate from receipt.
    const late = await h.submit(acme, reportDetails({ title: 'Listed already', cve }));
    expect(late.report!.scoring!.priority).toMatchObject({ level: L.PRIORITY_LEVEL_IMMEDIATE, decidedBy: 'kev' });

    // CISA takes the entry off the catalog: both reports are rescored, no longer listed, and announced.
    const without = { ...JSON.parse(catalog.toString('utf8')), vulnerabilities: listed.vulnerabilities.slice(1), count: listed.vulnerabilities.length - 1 } as Record<string, unknown>;
    const removal = await importKev(Buffer.from(JSON.stringify(without)));
    expect(removal).toMatchObject({ entries: listed.vulnerabilities.length - 1, changed: 1, reportsRescored: 2 });
    expect(await h.mongo.db(h.database).collection('clearinghouse_kev').countDocuments({})).toBe(listed.vulnerabilities.length - 1);
    await waitFor('the removal\'s rescoring event', async () => scored(await h.allEventsFor(report!.id)).length === 3);
    expect(scored(await h.allEventsFor(report!.id))[2]!.event.data).toMatchObject({ revision: 3, priority: { level: 'routine', decidedBy: 'cvss' }, kev: { listed: false } });
    const unlisted = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: late.report!.id }, acme);
    expect(unlisted.report!.scoring).toMatchObject({ kev: { listed: false }, priority: { level: L.PRIORITY_LEVEL_URGENT, decidedBy: 'cvss' } });
  }, 120_000);

  it('refuses a broken catalog with every problem and its JSON pointer, storing nothing; only an analyst imports', async () => {
    const broken = JSON.parse(catalog.toString('utf8')) as { catalogVersion?: string; vulnerabilities: Record<string, unknown>[] };
    delete broken.catalogVersion;
    broken.vulnerabilities[3]!.dueDate = 'soon';
    delete broken.vulnerabilities[7]!.cveID;
    const before = await h.mongo.db(h.database).collection('clearinghouse_kev').countDocuments({});
    const error = await failure(importKev(Buffer.from(JSON.stringify(broken))));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    const fields = fieldViolationsOf(error.metadata).map((v) => v.field);
    expect(fields).toEqual(['catalog/catalogVersion', 'catalog/vulnerabilities/3/dueDate', 'catalog/vulnerabilities/7/cveID']);
    expect((await failure(importKev(Buffer.from('{"vulnerabilities": [')))).code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf((await failure(importKev(Buffer.alloc(0)))).metadata)).toEqual([{ field: 'chunk', description: expect.stringMatching(/^is required/) }]);
    // Past the bound: refused as the stream passes it (9 MiB sent, never stored).
    const huge = await failure(importKev(Buffer.alloc(9 * 1024 * 1024, 0x20)));
    expect(huge.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(huge.metadata)).toEqual([{ field: 'chunk', description: 'the catalog is larger than 8388608 bytes' }]);
    expect(await h.mongo.db(h.database).collection('clearinghouse_kev').countDocuments({})).toBe(before);
    expect((await failure(importKev(catalog, acme))).code).toBe(status.PERMISSION_DENIED);
  });
});
