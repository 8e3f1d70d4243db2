/**
 * The clearinghouse end to end: the service as its own process on real nats-server, FerretDB and
 * Jaeger, called over gRPC on loopback. A report's life: submitted (with the bytes as received),
 * announced on CLEARINGHOUSE_EVENTS, read and listed within the reporter's organisation, moved by
 * an analyst with reasons, its history listed; bad input refused with every field named.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { status, type ServiceError } from '@grpc/grpc-js';
import { Binary } from 'mongodb';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { REPO_ROOT, sharedServers, waitFor, waitForTrace } from '@rampart/testing';
import { reportRequestFingerprint } from '../src/domain/idempotency';
import { validateReportDetails } from '../src/domain/validation';
import { detailsFromWire } from '../src/grpc/mapping';
import { call, ClearinghouseHarness, DAY, reportDetails } from './harness';

const h = new ClearinghouseHarness();
let acme: string;
let analyst: string;

beforeAll(async () => {
  await h.start();
  acme = await h.reporter('acme');
  analyst = await h.analyst();
}, 90_000);
afterAll(() => h.stop());

const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);
const S = v1.ReportStatus;

/**
 * Submits a marker and waits until its event is in the stream. Writes hand their events to the
 * relay as they commit and it publishes them in order on one connection, so an event from anything
 * done before the marker would be in the stream by then: the positive signal for "nothing more".
 */
async function publishedMarker(): Promise<void> {
  const { report } = await h.submit(acme, reportDetails({ title: 'Marker' }));
  await waitFor('the marker event', async () => (await h.eventsFor(report!.id)).length === 1);
}

describe('SubmitReport', () => {
  it('stores the report with the request bytes as received, publishes one received event, and traces gRPC, MongoDB and NATS in one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const details = reportDetails();
    const { report } = await h.submit(acme, details, 'trace-1', { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    expect(report).toMatchObject({
      organization: 'acme', reportedBy: 'finder@acme', revision: 1, status: S.REPORT_STATUS_RECEIVED, source: v1.ReportSource.REPORT_SOURCE_REPORTER,
      details: { title: details.title, tlp: v1.TlpLabel.TLP_LABEL_AMBER, affectedProducts: [{ purl: 'pkg:pypi/django', ranges: [{ introduced: '4.2', fixed: '4.2.17', lastAffected: '' }] }] },
    });
    const sent = Buffer.from(v1.SubmitReportRequest.encode({ details, idempotencyKey: 'trace-1' }).finish());
    expect(report!.received).toMatchObject({ mediaType: expect.stringContaining('SubmitReportRequest'), sha256: createHash('sha256').update(sent).digest('hex'), sizeBytes: sent.length });
    expect(report!.received!.content).toHaveLength(0); // the bytes only in the FULL view

    const stored = await h.reports.findOne({ _id: report!.id as never });
    expect(stored).toMatchObject({ organization: 'acme', status: 'received', revision: 1, details: { cweIds: ['CWE-22'], tlp: 'AMBER', discovery: { method: 'ai_model', toolName: 'frontier-model-7' } } });
    expect(stored!.received.content).toBeInstanceOf(Binary);
    expect(Buffer.from((stored!.received.content as Binary).buffer).equals(sent)).toBe(true);
    // Kept for the span link a later human step (validation) makes from its own trace.
    expect(stored!.receivedTrace.traceparent).toMatch(new RegExp(`^00-${traceId}-`));

    await waitFor('the received event', async () => (await h.eventsFor(report!.id)).length > 0);
    const [message, ...more] = await h.eventsFor(report!.id);
    expect(more).toEqual([]);
    expect(message!.subject).toBe('rampart.clearinghouse.report.received');
    expect(message!.event).toMatchObject({
      specversion: '1.0', type: 'rampart.clearinghouse.report.received.v1', source: '/rampart/clearinghouse', subject: report!.id, datacontenttype: 'application/json',
      data: { reportId: report!.id, organization: 'acme', revision: 1, status: 'received', cweIds: ['CWE-22'], tlp: 'AMBER', hasProof: true, requestedEmbargo: { timeZone: 'America/New_York' } },
    });
    // The proof of concept and the bytes stay in the report, read by id.
    expect(message!.body).not.toContain('cron.d');
    expect(message!.event.data).not.toHaveProperty('proof');
    expect(message!.headers['Nats-Msg-Id']).toBe(message!.event.id);
    expect(message!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await waitFor('the outbox emptied', async () => ((await h.reports.findOne({ _id: report!.id as never }))?.outbox as unknown[]).length === 0);

    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
      s.some((x) => x.name === 'publish rampart.clearinghouse.report.received') && s.some((x) => x.name.startsWith('grpc.')) && s.some((x) => x.name === 'insert clearinghouse_reports'));
    const server = spans.find((s) => s.name === 'grpc.rampart.clearinghouse.v1.ClearinghouseService/SubmitReport');
    expect(server).toMatchObject({ kind: 2, service: 'clearinghouse' });
    expect(spans.find((s) => s.name === 'insert clearinghouse_reports')).toMatchObject({ parentSpanId: server!.spanId });
    expect(spans.find((s) => s.name === 'publish rampart.clearinghouse.report.received')).toMatchObject({ kind: 4, parentSpanId: server!.spanId });
  });

  it('keeps what was received byte for byte, fields this version does not know included, and returns it in the FULL view only', async () => {
    const known = Buffer.from(v1.SubmitReportRequest.encode({ details: reportDetails({ title: 'From a newer client' }), idempotencyKey: 'bytes-1' }).finish());
    const unknownField = Buffer.from([0xfa, 0x06, 0x05, ...Buffer.from('extra')]); // field 111, length-delimited "extra"
    const sent = Buffer.concat([known, unknownField]);
    const { report } = await h.submitBytes(acme, sent);
    expect(report!.received).toMatchObject({ sha256: createHash('sha256').update(sent).digest('hex'), sizeBytes: sent.length });

    const full = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id, view: v1.ReportView.REPORT_VIEW_FULL }, acme);
    expect(Buffer.from(full.report!.received!.content).equals(sent)).toBe(true);
    const basic = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id }, acme);
    expect(basic.report!.received!.content).toHaveLength(0);
    expect(basic.report!.received!.sha256).toBe(full.report!.received!.sha256);
    const listed = await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 100 }, acme);
    expect(listed.reports.find((r) => r.id === report!.id)!.received!.content).toHaveLength(0);
  });

  it('returns the same report for a retried idempotency key and publishes nothing more; another body under the key is refused', async () => {
    const body = reportDetails({ title: 'Retry' });
    const first = await h.submit(acme, body, 'retry-1');
    const second = await h.submit(acme, body, 'retry-1');
    expect(second.report).toEqual(first.report);
    await waitFor('the received event', async () => (await h.eventsFor(first.report!.id)).length > 0);
    await publishedMarker();
    expect(await h.eventsFor(first.report!.id)).toHaveLength(1);
    expect(await h.reports.countDocuments({ 'details.title': 'Retry' })).toBe(1);

    const reused = await failure(h.submit(acme, reportDetails({ title: 'Different' }), 'retry-1'));
    expect(reused.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(reused.metadata)).toEqual([{ field: 'idempotency_key', description: `was already used for report ${first.report!.id} with a different body` }]);

    // Keys belong to the organisation: another one's same key makes its own report.
    const globex = await h.submit(await h.reporter('globex'), body, 'retry-1');
    expect(globex.report!.id).not.toBe(first.report!.id);
  });

  it('stores the report under the reserved id when a retry follows a crash between reserving the key and storing the report', async () => {
    const details = reportDetails({ title: 'Crashed' });
    // What the first request wrote before it died: the key, reserved for an id, and no report.
    const { details: canonical } = validateReportDetails(detailsFromWire(details), new Date());
    const reservedId = randomUUID();
    await h.mongo.db(h.database).collection('clearinghouse_report_requests').insertOne({ _id: 'acme:crash-1' as never, reportId: reservedId, fingerprint: reportRequestFingerprint(canonical!), createdAt: new Date() });
    const { report } = await h.submit(acme, details, 'crash-1');
    expect(report!.id).toBe(reservedId);
    await waitFor('its received event', async () => (await h.eventsFor(reservedId)).length === 1);
    expect((await h.submit(acme, details, 'crash-1')).report!.id).toBe(reservedId);
  });

  it('answers concurrent retries of one key with one report', async () => {
    const body = reportDetails({ title: 'Concurrent' });
    const answers = await Promise.all(Array.from({ length: 8 }, () => h.submit(acme, body, 'concurrent-1')));
    expect(new Set(answers.map((a) => a.report!.id)).size).toBe(1);
    expect(await h.reports.countDocuments({ 'details.title': 'Concurrent' })).toBe(1);
  });

  it('refuses bad input with INVALID_ARGUMENT naming every field at once, and stores nothing', async () => {
    const before = await h.reports.countDocuments({});
    const error = await failure(h.submit(acme, reportDetails({
      title: '',
      affectedProducts: [{ purl: 'pkg:', ranges: [], versions: [] }, { purl: 'pkg:npm/left-pad', ranges: [], versions: [] }],
      cweIds: ['XSS'],
      proof: 'x'.repeat(100_001),
      discovery: { method: v1.DiscoveryMethod.DISCOVERY_METHOD_SCANNER, toolName: '', toolVersion: '' },
      requestedEmbargo: { endTime: new Date(Date.now() - DAY), timeZone: '+05:00' },
      tlp: 42 as v1.TlpLabel,
      cvssVectors: ['AV:N/AC:L'],
      cve: { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'mitre', cveId: 'CVE-1' },
    }), ''));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error.metadata).map((v) => v.field)).toEqual([
      'details.title',
      'details.affected_products[0].purl',
      'details.affected_products[1]',
      'details.cwe_ids[0]',
      'details.proof',
      'details.discovery.tool_name',
      'details.requested_embargo.end_time',
      'details.requested_embargo.time_zone',
      'details.tlp',
      'details.cvss_vectors[0]',
      'details.cve.cve_id',
      'idempotency_key',
    ]);
    expect(error.details).toContain('details.title: is required');
    expect(await codeOf(call(h.client, 'submitReport', { idempotencyKey: 'no-details' }, acme))).toBe(status.INVALID_ARGUMENT);
    expect(await h.reports.countDocuments({})).toBe(before);
  });

  it('answers UNAUTHENTICATED without a token and PERMISSION_DENIED to a role that does not report', async () => {
    expect(await codeOf(h.submit(undefined as unknown as string))).toBe(status.UNAUTHENTICATED);
    expect(await codeOf(h.submit(analyst))).toBe(status.PERMISSION_DENIED);
  });
});

describe('reading', () => {
  it("hides another organisation's report as NOT_FOUND in the same words as a missing one; analysts and auditors read every organisation's", async () => {
    const { report } = await h.submit(acme, reportDetails({ title: 'Scoped' }), 'read-1');
    const globex = await h.reporter('globex');
    const missingId = randomUUID();
    const other = await failure(call(h.client, 'getReport', { reportId: report!.id }, globex));
    const missing = await failure(call(h.client, 'getReport', { reportId: missingId }, acme));
    expect([other.code, missing.code]).toEqual([status.NOT_FOUND, status.NOT_FOUND]);
    expect(other.details.replace(report!.id, '<id>')).toBe(missing.details.replace(missingId, '<id>'));
    expect(await codeOf(call(h.client, 'listReportRevisions', { reportId: report!.id }, globex))).toBe(status.NOT_FOUND);

    expect((await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id }, analyst)).report!.id).toBe(report!.id);
    const auditor = await h.auth.token({ roles: ['auditor'], organization: 'oig', clearance: 'CUI' });
    expect((await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id, view: v1.ReportView.REPORT_VIEW_FULL }, auditor)).report!.received!.content.length).toBeGreaterThan(0);
    const uncleared = await h.auth.token({ roles: ['auditor'], organization: 'oig', clearance: 'UNCLASSIFIED' });
    expect(await codeOf(call(h.client, 'getReport', { reportId: report!.id }, uncleared))).toBe(status.PERMISSION_DENIED);
    const vendor = await h.auth.token({ roles: ['vendor'], organization: 'acme' });
    expect(await codeOf(call(h.client, 'getReport', { reportId: report!.id }, vendor))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(call(h.client, 'getReport', { reportId: 'not-an-id' }, acme))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'getReport', { reportId: report!.id, view: 9 }, acme))).toBe(status.INVALID_ARGUMENT);
  });

  it("pages through only the reporter organisation's reports, by status; an analyst's list spans organisations", async () => {
    const initech = await h.reporter('initech');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.submit(initech, reportDetails({ title: `Initech ${i}` }))).report!.id);
    const hooli = (await h.submit(await h.reporter('hooli'), reportDetails({ title: 'Hooli' }))).report!.id;
    await call(h.client, 'transitionReport', { reportId: ids[4], expectedRevision: 1, toStatus: S.REPORT_STATUS_INVALID, reasons: ['not reproducible'] }, analyst);

    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 2, pageToken, status: S.REPORT_STATUS_RECEIVED }, initech);
      expect(page.reports.length).toBeLessThanOrEqual(2);
      expect(page.reports.every((r) => r.organization === 'initech')).toBe(true);
      seen.push(...page.reports.map((r) => r.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(ids.slice(0, 4));

    const all = await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 100 }, analyst);
    expect(all.reports.map((r) => r.id)).toEqual(expect.arrayContaining([...ids, hooli]));
    const invalid = await call<v1.ListReportsResponse>(h.client, 'listReports', { pageSize: 100, status: S.REPORT_STATUS_INVALID }, analyst);
    expect(invalid.reports.map((r) => r.id)).toContain(ids[4]);
    expect(invalid.reports.every((r) => r.status === S.REPORT_STATUS_INVALID)).toBe(true);
    expect(await codeOf(call(h.client, 'listReports', { pageToken: 'forged' }, initech))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'listReports', { status: 77 }, initech))).toBe(status.INVALID_ARGUMENT);
  });
});

describe('TransitionReport', () => {
  it('lets an analyst move a report with reasons through Vultron moves only, recording who, when and why, with an event for each move', async () => {
    const { report } = await h.submit(acme, reportDetails({ title: 'Lifecycle' }), 'lifecycle-1');
    const id = report!.id;
    const move = (expectedRevision: number, toStatus: v1.ReportStatus, reasons: string[], token = analyst) =>
      call<v1.TransitionReportResponse>(h.client, 'transitionReport', { reportId: id, expectedRevision, toStatus, reasons }, token);

    expect(await codeOf(move(1, S.REPORT_STATUS_VALID, ['mine'], acme))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(move(1, S.REPORT_STATUS_ACCEPTED, ['too soon']))).toBe(status.FAILED_PRECONDITION);
    const invalidated = await failure(move(0, S.REPORT_STATUS_RECEIVED, []));
    expect(fieldViolationsOf(invalidated.metadata).map((v) => v.field)).toEqual(['expected_revision', 'to_status', 'reasons']);

    const valid = await move(1, S.REPORT_STATUS_VALID, ['reproduced on 4.2.16', 'in scope']);
    expect(valid.report).toMatchObject({ status: S.REPORT_STATUS_VALID, revision: 2, lastChange: { fromStatus: S.REPORT_STATUS_RECEIVED, toStatus: S.REPORT_STATUS_VALID, changedBy: 'eve@treasury', reasons: ['reproduced on 4.2.16', 'in scope'] } });
    // The same request again (an answer lost on the way): the same report, nothing more.
    expect((await move(1, S.REPORT_STATUS_VALID, ['reproduced on 4.2.16', 'in scope'])).report).toEqual(valid.report);
    // Another analyst from the same stale read: ABORTED.
    expect(await codeOf(move(1, S.REPORT_STATUS_INVALID, ['duplicate'], await h.analyst('bob@treasury')))).toBe(status.ABORTED);
    await move(2, S.REPORT_STATUS_ACCEPTED, ['coordinating with the vendor']);
    const closed = await move(3, S.REPORT_STATUS_CLOSED, ['fixed in 4.2.17']);
    expect(closed.report!.status).toBe(S.REPORT_STATUS_CLOSED);
    expect(await codeOf(move(4, S.REPORT_STATUS_ACCEPTED, ['reopen']))).toBe(status.FAILED_PRECONDITION);

    const history = await call<v1.ListReportRevisionsResponse>(h.client, 'listReportRevisions', { reportId: id, pageSize: 2 }, acme);
    const rest = await call<v1.ListReportRevisionsResponse>(h.client, 'listReportRevisions', { reportId: id, pageToken: history.nextPageToken }, acme);
    expect(rest.nextPageToken).toBe('');
    expect([...history.revisions, ...rest.revisions].map((r) => [r.revision, r.change, r.status, r.changedBy, r.statusChange?.reasons ?? []])).toEqual([
      [1, 'received', S.REPORT_STATUS_RECEIVED, 'finder@acme', []],
      [2, 'transitioned', S.REPORT_STATUS_VALID, 'eve@treasury', ['reproduced on 4.2.16', 'in scope']],
      [3, 'transitioned', S.REPORT_STATUS_ACCEPTED, 'eve@treasury', ['coordinating with the vendor']],
      [4, 'transitioned', S.REPORT_STATUS_CLOSED, 'eve@treasury', ['fixed in 4.2.17']],
    ]);
    expect(rest.revisions.at(-1)!.changeTime!.getTime()).toBe(closed.report!.lastChange!.changeTime!.getTime());

    // The report's own events (its validation also makes it a Vulnerability of its own id: vulnerability.validated).
    const reportEvents = async () => (await h.eventsFor(id)).filter((e) => e.subject.startsWith('rampart.clearinghouse.report.'));
    await waitFor('four events', async () => (await reportEvents()).length === 4);
    await publishedMarker();
    const events = await reportEvents();
    expect(events.map((e) => [e.subject, e.event.data.revision, e.event.data.status])).toEqual([
      ['rampart.clearinghouse.report.received', 1, 'received'],
      ['rampart.clearinghouse.report.validated', 2, 'valid'],
      ['rampart.clearinghouse.report.accepted', 3, 'accepted'],
      ['rampart.clearinghouse.report.closed', 4, 'closed'],
    ]);
    expect(events[1]!.event.data.change).toMatchObject({ from: 'received', to: 'valid', changedBy: 'eve@treasury', reasons: ['reproduced on 4.2.16', 'in scope'] });
    // Each move is its revision's own record, by `_id`.
    const claims = await h.mongo.db(h.database).collection('clearinghouse_reports_revisions').find({ reportId: id }).toArray();
    expect(claims.map((c) => c.revision as number).sort()).toEqual([2, 3, 4]);
  });

  it("answers another organisation's id and a missing id alike to a reporter's history request, and refuses a forged page token", async () => {
    const { report } = await h.submit(acme, reportDetails({ title: 'History' }), 'history-1');
    const forged = Buffer.from(JSON.stringify({ a: 'x' })).toString('base64url');
    expect(await codeOf(call(h.client, 'listReportRevisions', { reportId: report!.id, pageToken: forged }, acme))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'listReportRevisions', { reportId: randomUUID() }, acme))).toBe(status.NOT_FOUND);
  });
});

describe('the process', () => {
  it('starts again over its existing data (indexes and streams already there) and serves what was stored', async () => {
    const body = reportDetails({ title: 'Before the restart' });
    const { report } = await h.submit(acme, body, 'restart-1');
    await h.restartService();
    expect((await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report!.id }, acme)).report).toMatchObject({ id: report!.id, revision: 1 });
    expect((await h.submit(acme, body, 'restart-1')).report!.id).toBe(report!.id);
    await call(h.client, 'transitionReport', { reportId: report!.id, expectedRevision: 1, toStatus: S.REPORT_STATUS_INVALID, reasons: ['out of scope'] }, analyst);
    await waitFor('the invalidated event', async () => (await h.eventsFor(report!.id)).some((e) => e.subject === 'rampart.clearinghouse.report.invalidated'));
  });

  it('refuses to start with a bad variable, naming each', async () => {
    const main = path.join(REPO_ROOT, 'services/clearinghouse/dist/main.js');
    const env = { ...process.env, ...h.auth.env, NATS_URL: h.nats.url, GRPC_PORT: 'port', MONGODB_SOCKET_TIMEOUT_MS: '0' };
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [main], { env, timeout: 20_000 }, (error, _stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr }));
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/GRPC_PORT: .*got "port"/);
    expect(run.stderr).toMatch(/MONGODB_SOCKET_TIMEOUT_MS: .*got "0"/);
  });
});
