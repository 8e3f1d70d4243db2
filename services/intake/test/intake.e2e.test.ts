/**
 * Intake end to end: the service as its own process on real nats-server, FerretDB and Jaeger,
 * called over gRPC on loopback.
 */
import { randomBytes } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { generateSigningKey, mintToken } from '@rampart/auth';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { readStream, sharedServers, waitFor, waitForTrace, TEST_AUDIENCE, TEST_ISSUER } from '@rampart/testing';
import { call, DAY, details, IntakeHarness } from './fixtures';

const h = new IntakeHarness();
let acme: string;

beforeAll(async () => {
  await h.start();
  acme = await h.auth.developer('acme');
}, 90_000);
afterAll(() => h.stop());

const eventsFor = async (submissionId: string) => (await readStream(h.jsm, 'INTAKE_EVENTS')).filter((m) => m.event.subject === submissionId);
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);

/**
 * Submits a marker and waits until its event is in the stream. Writes hand their events to the relay
 * as they commit and it publishes them at once on one connection, so an event from anything done
 * before the marker would be in the stream by then: the positive signal for "nothing more".
 */
async function publishedMarker(): Promise<void> {
  const { submission } = await h.submit(acme, details({ modelName: 'Marker' }));
  await waitFor('the marker event', async () => (await eventsFor(submission!.id)).length === 1);
}

describe('SubmitModel', () => {
  it('stores the submission, publishes one received event with a traceparent, and traces gRPC, MongoDB and NATS in one trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    const { submission } = await h.submit(acme, details(), 'trace-1', { traceparent });
    expect(submission).toMatchObject({ organization: 'acme', revision: 1, status: intakeV1.SubmissionStatus.SUBMISSION_STATUS_RECEIVED, submittedBy: 'dev@acme' });

    const stored = await h.submissions.findOne({ _id: submission!.id as never });
    expect(stored).toMatchObject({ organization: 'acme', status: 'received', revision: 1, idempotencyKey: 'trace-1', details: { modelName: 'Atlas' } });

    await waitFor('the received event', async () => (await eventsFor(submission!.id)).length > 0);
    const events = await eventsFor(submission!.id);
    expect(events).toHaveLength(1);
    const [message] = events;
    expect(message!.subject).toBe('rampart.intake.submission.received');
    expect(message!.event).toMatchObject({
      specversion: '1.0',
      type: 'rampart.intake.submission.received.v1',
      source: '/rampart/intake',
      subject: submission!.id,
      datacontenttype: 'application/json',
      data: { submissionId: submission!.id, organization: 'acme', revision: 1, modelName: 'Atlas' },
    });
    expect(new Date(message!.event.time).toISOString()).toBe(message!.event.time);
    expect(message!.headers['Nats-Msg-Id']).toBe(message!.event.id);
    expect(message!.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    // Published from the request path, then removed from the document.
    await waitFor('the outbox emptied', async () => ((await h.submissions.findOne({ _id: submission!.id as never }))?.outbox as unknown[]).length === 0);

    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
      s.some((x) => x.name === 'publish rampart.intake.submission.received') && s.some((x) => x.name.startsWith('grpc.')) && s.some((x) => x.name === 'insert intake_submissions'));
    const server = spans.find((s) => s.name === 'grpc.rampart.intake.v1.IntakeService/SubmitModel');
    const insert = spans.find((s) => s.name === 'insert intake_submissions');
    const publish = spans.find((s) => s.name === 'publish rampart.intake.submission.received');
    expect(server).toMatchObject({ kind: 2, service: 'intake' });
    expect(insert).toMatchObject({ service: 'intake', parentSpanId: server!.spanId });
    expect(insert!.attributes).toMatchObject({ 'db.system.name': 'mongodb' });
    expect(publish).toMatchObject({ kind: 4, service: 'intake', parentSpanId: server!.spanId });
    expect(publish!.attributes).toMatchObject({ 'messaging.system': 'nats', 'messaging.destination.name': 'rampart.intake.submission.received', 'messaging.message.id': message!.event.id });
    expect(message!.headers.traceparent).toContain(publish!.spanId);
  });

  it('returns the same submission for a retried idempotency key and publishes nothing more', async () => {
    const body = details({ modelName: 'Retry' });
    const first = await h.submit(acme, body, 'retry-1');
    const second = await h.submit(acme, body, 'retry-1');
    expect(second.submission!.id).toBe(first.submission!.id);
    await waitFor('the received event', async () => (await eventsFor(first.submission!.id)).length > 0);
    await publishedMarker(); // a later submission's event is out, so anything the retry published would be too
    expect(await eventsFor(first.submission!.id)).toHaveLength(1);
    expect(await h.submissions.countDocuments({ idempotencyKey: 'retry-1' })).toBe(1);

    const reused = await h.submit(acme, details({ modelName: 'Different' }), 'retry-1').catch((e: ServiceError) => e);
    expect((reused as ServiceError).code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf((reused as ServiceError).metadata).map((v) => v.field)).toEqual(['idempotency_key']);
  });

  it('scopes idempotency keys to the organisation', async () => {
    const other = await h.auth.developer('globex');
    const a = await h.submit(acme, details(), 'shared-key');
    const b = await h.submit(other, details(), 'shared-key');
    expect(a.submission!.id).not.toBe(b.submission!.id);
  });

  it('refuses bad input with INVALID_ARGUMENT naming each field, and stores nothing', async () => {
    const before = await h.submissions.countDocuments({});
    const error = (await h.submit(acme, details({
      modelName: '',
      intendedPartnerReleaseTime: new Date(Date.now() - DAY),
      intendedPublicReleaseTime: new Date(Date.now() - 2 * DAY),
      modalities: [intakeV1.Modality.MODALITY_UNSPECIFIED],
      trainingComputeFlop: Number.NaN,
    }), 'bad-1').catch((e: ServiceError) => e)) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error.metadata).map((v) => v.field).sort()).toEqual([
      'details.intended_partner_release_time',
      'details.intended_public_release_time',
      'details.intended_public_release_time',
      'details.modalities[0]',
      'details.model_name',
      'details.training_compute_flop',
    ]);
    expect(error.details).toContain('details.model_name: is required');
    expect(await codeOf(call(h.client, 'submitModel', { idempotencyKey: 'no-details' }, acme))).toBe(status.INVALID_ARGUMENT);
    expect(await h.submissions.countDocuments({})).toBe(before);
  });
});

describe('authentication', () => {
  it('answers UNAUTHENTICATED for no token, a forged, an expired or an alg:none token', async () => {
    const forger = await generateSigningKey('test-key-1');
    const claims = { subject: 'mallory', organization: 'acme', roles: ['developer'] as const, clearance: 'UNCLASSIFIED' as const };
    const forged = await mintToken(forger.privateJwk, claims, { issuer: TEST_ISSUER, audience: TEST_AUDIENCE });
    const expired = await h.auth.token({ ...claims, roles: ['developer'] }, Math.floor(Date.now() / 1000) - 3_600); // well past any clock tolerance
    const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${enc({ alg: 'none', kid: 'test-key-1' })}.${enc({ sub: 'm', org: 'acme', roles: ['developer'], clearance: 'TOP_SECRET', iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: 9e9 })}.`;
    for (const token of [undefined, forged, expired, none]) {
      expect(await codeOf(h.submit(token as string, details(), `auth-${Math.random()}`))).toBe(status.UNAUTHENTICATED);
    }
    expect(await codeOf(call(h.client, 'listSubmissions', {}, 'Bearer-less'))).toBe(status.UNAUTHENTICATED);
  });
});

describe('reading', () => {
  it("hides another organisation's submission as NOT_FOUND and lets cleared government roles read it", async () => {
    const { submission } = await h.submit(acme, details(), 'read-1');
    const globex = await h.auth.developer('globex');
    expect(await codeOf(call(h.client, 'getSubmission', { submissionId: submission!.id }, globex))).toBe(status.NOT_FOUND);
    expect(await codeOf(call(h.client, 'getSubmission', { submissionId: '0193b0a8-7c1e-7000-8000-00000000dead' }, acme))).toBe(status.NOT_FOUND);
    const evaluator = await h.auth.token({ roles: ['evaluator'], organization: 'nsa', clearance: 'SECRET' });
    const read = await call<intakeV1.GetSubmissionResponse>(h.client, 'getSubmission', { submissionId: submission!.id }, evaluator);
    expect(read.submission!.id).toBe(submission!.id);
    const partner = await h.auth.token({ roles: ['partner'], organization: 'bank' });
    expect(await codeOf(call(h.client, 'getSubmission', { submissionId: submission!.id }, partner))).toBe(status.PERMISSION_DENIED);
    expect(await codeOf(call(h.client, 'getSubmission', { submissionId: 'not-an-id' }, acme))).toBe(status.INVALID_ARGUMENT);
  });

  it('pages through only the caller organisation, filtered by status', async () => {
    const initech = await h.auth.developer('initech');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await h.submit(initech, details({ modelVersion: `v${i}` }))).submission!.id);
    await call(h.client, 'withdrawSubmission', { submissionId: ids[4], reason: 'not ready' }, initech);
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await call<intakeV1.ListSubmissionsResponse>(h.client, 'listSubmissions', { pageSize: 2, pageToken, status: intakeV1.SubmissionStatus.SUBMISSION_STATUS_RECEIVED }, initech);
      expect(page.submissions.length).toBeLessThanOrEqual(2);
      seen.push(...page.submissions.map((s) => s.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(ids.slice(0, 4));
    expect(await codeOf(call(h.client, 'listSubmissions', { pageToken: 'forged' }, initech))).toBe(status.INVALID_ARGUMENT);
  });
});

describe('AmendSubmission and WithdrawSubmission', () => {
  it('amends from the expected revision only, keeping the history, and publishes amended', async () => {
    const { submission } = await h.submit(acme, details(), 'amend-1');
    const id = submission!.id;
    expect(await codeOf(call(h.client, 'amendSubmission', { submissionId: id, expectedRevision: 2, details: details() }, acme))).toBe(status.ABORTED);
    const amended = await call<intakeV1.AmendSubmissionResponse>(h.client, 'amendSubmission', { submissionId: id, expectedRevision: 1, details: details({ modelVersion: '2.2' }) }, acme);
    expect(amended.submission).toMatchObject({ revision: 2, details: { modelVersion: '2.2' } });
    expect(await codeOf(call(h.client, 'amendSubmission', { submissionId: id, expectedRevision: 1, details: details() }, acme))).toBe(status.ABORTED);
    const globex = await h.auth.developer('globex');
    expect(await codeOf(call(h.client, 'amendSubmission', { submissionId: id, expectedRevision: 2, details: details() }, globex))).toBe(status.NOT_FOUND);

    const history = await call<intakeV1.ListSubmissionRevisionsResponse>(h.client, 'listSubmissionRevisions', { submissionId: id }, acme);
    expect(history.revisions.map((r) => [r.revision, r.change, r.details!.modelVersion, r.changedBy])).toEqual([[1, 'received', '2.1', 'dev@acme'], [2, 'amended', '2.2', 'dev@acme']]);
    await waitFor('amended event', async () => (await eventsFor(id)).length === 2);
    expect((await eventsFor(id)).map((e) => [e.subject, e.event.data.revision])).toEqual([
      ['rampart.intake.submission.received', 1],
      ['rampart.intake.submission.amended', 2],
    ]);
  });

  it('pages a long history in the database: earlier revisions are documents of their own, none inside the submission', async () => {
    const { submission } = await h.submit(acme, details(), 'history-1');
    const id = submission!.id;
    for (let revision = 1; revision < 7; revision++) {
      await call(h.client, 'amendSubmission', { submissionId: id, expectedRevision: revision, details: details({ modelVersion: `v${revision + 1}` }) }, acme);
    }
    const seen: [number, string][] = [];
    let pageToken = '';
    do {
      const response = await call<intakeV1.ListSubmissionRevisionsResponse>(h.client, 'listSubmissionRevisions', { submissionId: id, pageSize: 3, pageToken }, acme);
      expect(response.revisions.length).toBeLessThanOrEqual(3);
      seen.push(...response.revisions.map((r): [number, string] => [r.revision, r.details!.modelVersion]));
      pageToken = response.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual([[1, '2.1'], [2, 'v2'], [3, 'v3'], [4, 'v4'], [5, 'v5'], [6, 'v6'], [7, 'v7']]);

    const stored = await h.submissions.findOne({ _id: id as never });
    expect(stored).not.toHaveProperty('history');
    // Each revision after the first is a document of its own (the claim its change inserted); the first is kept by the second.
    const revisions = await h.mongo.db(h.database).collection('intake_revisions').find({ submissionId: id }).toArray();
    expect(revisions.map((r) => r.revision as number).sort((a, b) => a - b)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(revisions.find((r) => r.revision === 2)?.previous).toMatchObject({ revision: 1, details: { modelVersion: '2.1' } });

    // A page token naming no revision number is refused, not read as "from the start".
    const forged = Buffer.from(JSON.stringify({ a: 'x' })).toString('base64url');
    expect(await codeOf(call(h.client, 'listSubmissionRevisions', { submissionId: id, pageToken: forged }, acme))).toBe(status.INVALID_ARGUMENT);
  });

  it('withdraws at any time, idempotently, and a withdrawn submission cannot be amended', async () => {
    const { submission } = await h.submit(acme, details(), 'withdraw-1');
    const id = submission!.id;
    expect(await codeOf(call(h.client, 'withdrawSubmission', { submissionId: id, reason: '' }, acme))).toBe(status.INVALID_ARGUMENT);
    const first = await call<intakeV1.WithdrawSubmissionResponse>(h.client, 'withdrawSubmission', { submissionId: id, reason: 'strategy changed' }, acme);
    expect(first.submission).toMatchObject({ status: intakeV1.SubmissionStatus.SUBMISSION_STATUS_WITHDRAWN, revision: 2, withdrawal: { reason: 'strategy changed', withdrawnBy: 'dev@acme' } });
    const again = await call<intakeV1.WithdrawSubmissionResponse>(h.client, 'withdrawSubmission', { submissionId: id, reason: 'again' }, acme);
    expect(again.submission).toMatchObject({ revision: 2, withdrawal: { reason: 'strategy changed' } });
    expect(await codeOf(call(h.client, 'amendSubmission', { submissionId: id, expectedRevision: 2, details: details() }, acme))).toBe(status.FAILED_PRECONDITION);
    await waitFor('withdrawn event', async () => (await eventsFor(id)).length === 2);
    await publishedMarker(); // a later submission's event is out, so a third event for this one would be too
    const events = await eventsFor(id);
    expect(events.map((e) => e.subject)).toEqual(['rampart.intake.submission.received', 'rampart.intake.submission.withdrawn']);
    expect(events[1]!.event.data).toMatchObject({ status: 'withdrawn', withdrawal: { reason: 'strategy changed' } });
  });
});

describe('metrics', () => {
  it('exposes the outbox backlog and age on the Prometheus endpoint', async () => {
    await h.submit(acme, details(), 'metrics-1');
    let text = '';
    await waitFor('outbox metrics', async () => {
      text = await (await fetch(`http://127.0.0.1:${h.metricsPort}/metrics`)).text();
      return /rampart_outbox_backlog\S*\{[^}]*collection="intake_submissions"[^}]*\} 0/.test(text);
    }, 15_000, 250);
    expect(text).toMatch(/rampart_outbox_oldest_age\S*\{[^}]*collection="intake_submissions"/);
  });
});

describe('restart', () => {
  it('starts again over its existing data (indexes already there) and serves what was stored', async () => {
    const body = details();
    const { submission } = await h.submit(acme, body, 'restart-1');
    await h.restartService();
    const read = await call<intakeV1.GetSubmissionResponse>(h.client, 'getSubmission', { submissionId: submission!.id }, acme);
    expect(read.submission).toMatchObject({ id: submission!.id, revision: 1 });
    expect((await h.submit(acme, body, 'restart-1')).submission!.id).toBe(submission!.id);
  });
});
