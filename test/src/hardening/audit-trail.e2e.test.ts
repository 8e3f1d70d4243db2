/**
 * Issue 6, section 6: the audit trail (NIST SP 800-53 AU-2, AU-3) over real gRPC and NATS. Every
 * read of marked or personal data and every change, made through the kit, appends one CloudEvent
 * `rampart.<area>.audit.recorded` to `<AREA>_AUDIT`: who, what, when, clearance, outcome and the
 * fields withheld. Publishing never holds up the request: intake accepts submissions with NATS down.
 */
import { randomBytes } from 'node:crypto';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { insecure } from '@rampart/grpc-kit';
import { designationV1, intakeV1 } from '@rampart/proto';
import { readStream, waitFor, type StoredEvent } from '@rampart/testing';
import { SERVICES } from './services';
import { System } from './system';

const DAY = 86_400_000;

interface AuditData {
  service: string;
  rpc: string;
  action: string;
  actor: { subject: string; organization: string; roles: string[]; clearance: string };
  requestIds: string[];
  resultIds: string[];
  outcome: string;
  answered: string;
  withheldFields: string[];
  startedAt: string;
  traceId?: string;
}

/** Call metadata with a bearer token and a trace of the test's own, which names the call's audit record. */
function traced(token: string): { metadata: Metadata; traceId: string } {
  const traceId = randomBytes(16).toString('hex');
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  return { metadata, traceId };
}

type Unary<Req, Res> = (request: Req, metadata: Metadata, options: { deadline: Date }, callback: (error: ServiceError | null, response?: Res) => void) => unknown;

function call<Req, Res>(client: object, fn: Unary<Req, Res>, request: Req, metadata: Metadata): Promise<Res> {
  return new Promise((resolve, reject) => fn.call(client, request, metadata, { deadline: new Date(Date.now() + 10_000) }, (e, r) => (e ? reject(e) : resolve(r!))));
}

describe('the audit trail', () => {
  let system: System;
  let intake: intakeV1.IntakeServiceClient;
  let designation: designationV1.DesignationServiceClient;
  let jsm: JetStreamManager;
  let closeNats: () => Promise<void>;

  beforeAll(async () => {
    system = await System.start(SERVICES.filter((s) => s.name === 'intake' || s.name === 'designation'));
    intake = new intakeV1.IntakeServiceClient(system.service('intake').process.address, insecure());
    designation = new designationV1.DesignationServiceClient(system.service('designation').process.address, insecure());
    const nc = await connect({ servers: system.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    closeNats = () => nc.close();
    jsm = await jetstreamManager(nc);
  }, 120_000);

  afterAll(async () => {
    intake?.close();
    designation?.close();
    await closeNats?.();
    await system?.stop();
  });

  const submitRequest = () => intakeV1.SubmitModelRequest.fromPartial({
    idempotencyKey: `audit-${randomBytes(6).toString('hex')}`,
    details: {
      modelName: 'Atlas', modelVersion: '7', description: 'frontier model', modalities: [intakeV1.Modality.MODALITY_TEXT],
      intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY), intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
      pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
    },
  });

  const submit = (metadata: Metadata) => call(intake, intake.submitModel, submitRequest(), metadata);

  /**
   * The records of the call traced as `traceId`. Waits for it, then for a later call's record on the
   * same service: records are published in order, so by then any duplicate would be there too.
   */
  async function recordsOf(stream: string, traceId: string, later: () => Promise<string>): Promise<StoredEvent[]> {
    const mine = (events: StoredEvent[]) => events.filter((e) => (e.event.data as Partial<AuditData>).traceId === traceId);
    await waitFor(`the audit record of trace ${traceId} in ${stream}`, async () => mine(await readStream(jsm, stream)).length > 0, 20_000, 100);
    const laterTrace = await later();
    await waitFor(`a later audit record in ${stream}`, async () => (await readStream(jsm, stream)).some((e) => (e.event.data as Partial<AuditData>).traceId === laterTrace), 20_000, 100);
    return mine(await readStream(jsm, stream));
  }

  const laterIntakeCall = async () => {
    const { metadata, traceId } = traced(await system.auth.developer('acme'));
    await call(intake, intake.listSubmissions, intakeV1.ListSubmissionsRequest.fromPartial({}), metadata);
    return traceId;
  };

  it('records a change once, with who, what, when and the outcome', async () => {
    const before = Date.now();
    const { metadata, traceId } = traced(await system.auth.token({ roles: ['developer'], organization: 'acme', subject: 'ada@acme', clearance: 'CUI' }));
    const { submission } = await submit(metadata);

    const records = await recordsOf('INTAKE_AUDIT', traceId, laterIntakeCall);
    expect(records).toHaveLength(1);
    const { subject, event } = records[0]!;
    expect(subject).toBe('rampart.intake.audit.recorded');
    expect(event).toMatchObject({ specversion: '1.0', type: 'rampart.intake.audit.recorded.v1', source: '/rampart/intake', datacontenttype: 'application/json' });
    const data = event.data as unknown as AuditData;
    expect(data).toMatchObject({
      service: 'rampart.intake.v1.IntakeService',
      rpc: 'SubmitModel',
      action: 'change',
      actor: { subject: 'ada@acme', organization: 'acme', roles: ['developer'], clearance: 'CUI' },
      outcome: 'OK',
      answered: 'OK',
      withheldFields: [],
    });
    expect(data.resultIds).toContain(submission!.id);
    expect(Date.parse(data.startedAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(event.time)).toBeGreaterThanOrEqual(Date.parse(data.startedAt));
  });

  it('records a read of personal data with the ids asked for', async () => {
    const { submission } = await submit(traced(await system.auth.developer('acme')).metadata);
    const { metadata, traceId } = traced(await system.auth.developer('acme', 'grace@acme'));
    await call(intake, intake.getSubmission, intakeV1.GetSubmissionRequest.fromPartial({ submissionId: submission!.id }), metadata);

    const records = await recordsOf('INTAKE_AUDIT', traceId, laterIntakeCall);
    expect(records).toHaveLength(1);
    expect(records[0]!.event.data).toMatchObject({ rpc: 'GetSubmission', action: 'read', requestIds: [submission!.id], resultIds: [submission!.id], outcome: 'OK', actor: { subject: 'grace@acme' } });
  });

  it("records the fields withheld from a low-clearance reader, each with where it was", async () => {
    const { submission } = await submit(traced(await system.auth.developer('acme')).metadata);
    const reader = await system.auth.token({ roles: ['auditor'], organization: 'oig', subject: 'ig@oig', clearance: 'CUI' });
    let read: designationV1.GetCaseResponse | undefined;
    let traceId = '';
    await waitFor('the case, opened from intake\'s event', async () => {
      const attempt = traced(reader);
      read = await call(designation, designation.getCase, designationV1.GetCaseRequest.fromPartial({ caseId: submission!.id }), attempt.metadata).catch(() => undefined);
      traceId = attempt.traceId;
      return !!read;
    }, 20_000, 200);
    const withheld = read!.case!.redactedFields;
    expect(withheld.length).toBeGreaterThan(0);

    const laterDesignationCall = async () => {
      const later = traced(reader);
      await call(designation, designation.listCases, designationV1.ListCasesRequest.fromPartial({}), later.metadata).catch(() => undefined);
      return later.traceId;
    };
    const records = await recordsOf('DESIGNATION_AUDIT', traceId, laterDesignationCall);
    expect(records).toHaveLength(1);
    expect(records[0]!.event.data).toMatchObject({
      service: 'rampart.designation.v1.DesignationService',
      rpc: 'GetCase',
      action: 'read',
      actor: { subject: 'ig@oig', organization: 'oig', roles: ['auditor'], clearance: 'CUI' },
      requestIds: [submission!.id],
      outcome: 'OK',
      withheldFields: withheld.map((field) => `case.${field}`),
    });
  });

  it('records a refused change with its status', async () => {
    const { metadata, traceId } = traced(await system.auth.developer('acme'));
    const refused = await call(designation, designation.putThresholdPolicy, designationV1.PutThresholdPolicyRequest.fromPartial({}), metadata).catch((e: ServiceError) => e);
    expect((refused as ServiceError).code).toBe(status.PERMISSION_DENIED);

    const later = async () => {
      const t = traced(await system.auth.developer('acme'));
      await call(designation, designation.putThresholdPolicy, designationV1.PutThresholdPolicyRequest.fromPartial({}), t.metadata).catch(() => undefined);
      return t.traceId;
    };
    const records = await recordsOf('DESIGNATION_AUDIT', traceId, later);
    expect(records).toHaveLength(1);
    expect(records[0]!.event.data).toMatchObject({ rpc: 'PutThresholdPolicy', action: 'change', outcome: 'PERMISSION_DENIED', answered: 'PERMISSION_DENIED' });
  });

  it('keeps intake accepting submissions while NATS is down, and publishes their records when it is back', async () => {
    await system.nats.stop();
    const { metadata, traceId } = traced(await system.auth.developer('acme'));
    const { submission } = await submit(metadata);
    expect(submission!.id).toBeTruthy();

    await system.nats.restart();
    await waitFor('the record made while NATS was down', async () =>
      (await readStream(jsm, 'INTAKE_AUDIT').catch(() => [])).some((e) => (e.event.data as Partial<AuditData>).traceId === traceId), 30_000, 200);
  }, 90_000);
});
