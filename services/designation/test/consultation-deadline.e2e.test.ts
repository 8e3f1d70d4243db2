/**
 * Consultation deadlines end to end, on designation's durable timers: intake and designation as
 * their own processes on real nats-server, FerretDB and Jaeger. Short deadlines (seconds), and
 * every wait is for a positive signal: the lapsed event, or the timer's fire acknowledged.
 */
import { randomBytes } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { bearer, callUnary, fieldViolationsOf, insecure } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { readStream, ServiceProcess, sharedServers, waitFor, waitForTrace, type StoredEvent } from '@rampart/testing';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const tokens: Record<string, string> = {};
const TIMERS = 'DESIGNATION_TIMERS';
const LAPSED = 'rampart.designation.consultation.lapsed';

beforeAll(async () => {
  await h.start();
  Object.assign(tokens, await h.cast());
}, 120_000);
afterAll(() => h.stop());

interface StoredEntry { agency: string; required: boolean; view?: string; recordedAt?: Date; lapsed?: boolean }
interface StoredCase { revision: number; status: string; outbox: unknown[]; consultation?: { entries: StoredEntry[] } }

async function openCase(): Promise<string> {
  const id = await h.submit(tokens.acme!);
  await h.waitForCase(id, tokens.auditor!);
  return id;
}

function requestConsultation(caseId: string, deadlineTime: Date, traceparent?: string): Promise<v1.RequestConsultationResponse> {
  const metadata = bearer(tokens.authority!);
  if (traceparent) metadata.set('traceparent', traceparent);
  return callUnary(h.client, v1, 'requestConsultation', { caseId, deadlineTime }, metadata);
}

const storedCase = async (id: string) => (await h.db.collection('designation_cases').findOne({ _id: id as never })) as unknown as StoredCase;
const lapsedEvents = async (caseId: string) => (await readStream(h.jsm, 'DESIGNATION_CLASSIFIED')).filter((m) => m.subject === LAPSED && m.event.subject === caseId);
const deadlineFires = async (caseId: string) => (await readStream(h.jsm, TIMERS)).filter((m) => m.subject === 'rampart.designation.timer.fired.consultation-deadline' && (m.event.data.payload as { caseId?: string })?.caseId === caseId);

async function waitForLapsed(caseId: string, timeoutMs = 30_000): Promise<StoredEvent> {
  let found: StoredEvent[] = [];
  await waitFor(`the consultation on ${caseId} to lapse`, async () => (found = await lapsedEvents(caseId)).length > 0, timeoutMs, 100);
  return found[0]!;
}

/** The timer consumer has acknowledged every fire it was given, and the case has nothing left to publish. */
async function settled(caseId: string): Promise<void> {
  await waitFor('deadline fires acknowledged and events published', async () => {
    const info = await h.jsm.consumers.info(TIMERS, 'designation-timers');
    return info.num_pending === 0 && info.num_ack_pending === 0 && (await storedCase(caseId)).outbox.length === 0;
  }, 20_000, 100);
}

it('records the required consultees without a view as lapsed when the deadline passes, once, in the request\'s trace', async () => {
  const caseId = await openCase();
  const traceId = randomBytes(16).toString('hex');
  const deadline = new Date(Date.now() + 3_000);
  await requestConsultation(caseId, deadline, `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  // CISA answers before the deadline; ONCD does not; the FBI is optional.
  await h.call('recordConsultationView', { caseId, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, tokens.cisa!);

  const lapsed = await waitForLapsed(caseId);
  expect(lapsed.event.data).toMatchObject({ caseId, status: 'consulting', lapsedAgencies: ['ONCD'] });
  expect(Date.parse(lapsed.event.time)).toBeGreaterThanOrEqual(deadline.getTime());

  await settled(caseId);
  const stored = await storedCase(caseId);
  const entry = (agency: string) => stored.consultation!.entries.find((e) => e.agency === agency)!;
  expect(entry('ONCD')).toMatchObject({ required: true, lapsed: true });
  expect(entry('ONCD').view).toBeUndefined();
  expect(entry('CISA')).toMatchObject({ view: 'concur' });
  expect(entry('CISA').recordedAt!.getTime()).toBeLessThan(deadline.getTime());
  expect(entry('CISA').lapsed).toBeUndefined();
  expect(entry('FBI').lapsed).toBeUndefined();
  expect(stored.revision).toBe(lapsed.event.data.revision);
  expect(await lapsedEvents(caseId)).toHaveLength(1);
  expect(await deadlineFires(caseId)).toHaveLength(1);

  // Scheduled in the RequestConsultation call's trace; the fire is processed as its child.
  const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
    s.some((x) => x.name === 'process rampart.designation.timer.fired.consultation-deadline') && s.some((x) => x.name === `publish ${LAPSED}`) &&
    s.some((x) => x.name === 'grpc.rampart.designation.v1.DesignationService/RequestConsultation') &&
    s.some((x) => x.name === 'publish rampart.designation.timer.scheduled.consultation-deadline'));
  const rpc = spans.find((s) => s.name === 'grpc.rampart.designation.v1.DesignationService/RequestConsultation')!;
  const scheduled = spans.find((s) => s.name === 'publish rampart.designation.timer.scheduled.consultation-deadline')!;
  const fired = spans.find((s) => s.name === 'process rampart.designation.timer.fired.consultation-deadline')!;
  expect(rpc).toBeDefined();
  expect(scheduled).toMatchObject({ service: 'designation', parentSpanId: rpc.spanId });
  expect(fired).toMatchObject({ service: 'designation', kind: 5, parentSpanId: scheduled.spanId });
  expect(fired.attributes).toMatchObject({ 'messaging.consumer.group.name': 'designation-timers' });
}, 90_000);

it('lapses nobody when a superseded consultation\'s deadline fires before the current one\'s', async () => {
  const caseId = await openCase();
  const first = new Date(Date.now() + 1_500);
  await requestConsultation(caseId, first);
  await requestConsultation(caseId, new Date(Date.now() + 3_600_000));
  // The first timer fires and is handled (acknowledged): that is the signal, not the passing of time.
  let fires: StoredEvent[] = [];
  await waitFor('the first deadline to fire', async () => (fires = await deadlineFires(caseId)).length === 1, 20_000, 100);
  expect(fires[0]!.event.data.at).toBe(first.toISOString());
  await settled(caseId);
  expect(await lapsedEvents(caseId)).toHaveLength(0);
  expect((await storedCase(caseId)).consultation!.entries.some((e) => e.lapsed)).toBe(false);
}, 60_000);

it('lapses a consultation whose deadline passed while designation was down (kill -9), once it is back', async () => {
  const caseId = await openCase();
  await requestConsultation(caseId, new Date(Date.now() + 1_000));
  await h.designation.kill();
  // nats-server fires the timer with no designation running: the fire waits in the stream.
  await waitFor('the deadline to fire', async () => (await deadlineFires(caseId)).length === 1, 20_000, 100);
  h.client.close();
  h.designation = await ServiceProcess.start('designation', h.designationEnv);
  h.client = new v1.DesignationServiceClient(h.designation.address, insecure());
  const lapsed = await waitForLapsed(caseId);
  expect(lapsed.event.data).toMatchObject({ lapsedAgencies: ['ONCD', 'CISA'] });
  await settled(caseId);
  expect(await lapsedEvents(caseId)).toHaveLength(1);
}, 90_000);

it('refuses a deadline past the year 9999 (INVALID_ARGUMENT naming deadline_time) and arms no timer', async () => {
  const caseId = await openCase();
  const error = (await requestConsultation(caseId, new Date(Date.UTC(10_000, 0, 1))).catch((e: ServiceError) => e)) as ServiceError;
  expect(error.code).toBe(status.INVALID_ARGUMENT);
  expect(fieldViolationsOf(error.metadata).map((v) => v.field)).toEqual(['deadline_time']);
  const past = (await requestConsultation(caseId, new Date(Date.now() - 60_000)).catch((e: ServiceError) => e)) as ServiceError;
  expect(past.code).toBe(status.FAILED_PRECONDITION);
  const armed = (await readStream(h.jsm, TIMERS)).filter((m) => (m.event.data.payload as { caseId?: string })?.caseId === caseId);
  expect(armed).toHaveLength(0);
});
