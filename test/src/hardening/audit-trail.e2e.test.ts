/**
 * Issue 6, section 6: the audit trail (NIST SP 800-53 AU-2, AU-3) over real gRPC and NATS. Every
 * read of marked or personal data and every change, made through the kit, appends one CloudEvent
 * `rampart.<area>.audit.recorded.<marking>` to `<AREA>_AUDIT`: who, what, when, clearance, outcome
 * and the fields withheld, marked with what it reveals, so an auditor is served only the records its
 * clearance allows. Refused tokens are recorded too, UNCLASSIFIED whatever they claimed (who claimed,
 * its subject only if it claimed no classified clearance, which RPC, why; never the token), at a
 * bounded rate per reason with a count of the rest. Publishing never holds up the request: intake accepts
 * submissions with NATS down.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { SignJWT, importJWK } from 'jose';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { insecure } from '@rampart/grpc-kit';
import { designationV1, intakeV1 } from '@rampart/proto';
import { REPO_ROOT, readStream, TEST_AUDIENCE, TEST_ISSUER, TestAuth, waitFor, type StoredEvent } from '@rampart/testing';
import { SERVICES } from './services';
import { System } from './system';

const DAY = 86_400_000;

interface AuditData {
  kind: string;
  marking: string;
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

  /** `rampart audit list`, the auditors' reader, as an auditor cleared to `clearance` runs it. */
  async function auditList(area: string, clearance: string): Promise<(Partial<AuditData> & { sequence: number })[]> {
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(REPO_ROOT, 'cli/dist/main.js'), '--nats', system.nats.url, 'audit', 'list', '--area', area, '--clearance', clearance, '--limit', '100000',
    ], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout) as (Partial<AuditData> & { sequence: number })[];
  }

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
    expect(subject).toBe('rampart.intake.audit.recorded.CUI');
    expect(event).toMatchObject({ specversion: '1.0', type: 'rampart.intake.audit.recorded.v1', source: '/rampart/intake', datacontenttype: 'application/json' });
    const data = event.data as unknown as AuditData;
    expect(data).toMatchObject({
      kind: 'call',
      marking: 'CUI',
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

  it('marks each record with what it reveals, and serves an auditor only the records at or below its clearance', async () => {
    // The authority's identity as the actor of its calls is classified (decidedBy is SECRET): its
    // records carry its clearance; a CUI auditor's own reads carry CUI.
    const authority = traced(await system.auth.token({ roles: ['designation-authority'], organization: 'nsa', subject: 'director@nsa', clearance: 'TOP_SECRET' }));
    await call(designation, designation.listCases, designationV1.ListCasesRequest.fromPartial({}), authority.metadata);
    const cuiAuditor = await system.auth.token({ roles: ['auditor'], organization: 'oig', subject: 'ig@oig', clearance: 'CUI' });
    const reader = traced(cuiAuditor);
    await call(designation, designation.listCases, designationV1.ListCasesRequest.fromPartial({}), reader.metadata);

    const recordOf = async (traceId: string) => {
      let found: StoredEvent | undefined;
      await waitFor(`the audit record of trace ${traceId}`, async () => {
        found = (await readStream(jsm, 'DESIGNATION_AUDIT')).find((e) => (e.event.data as Partial<AuditData>).traceId === traceId);
        return !!found;
      }, 20_000, 100);
      return found!;
    };
    const secret = await recordOf(authority.traceId);
    expect(secret.subject).toBe('rampart.designation.audit.recorded.TOP_SECRET');
    expect(secret.event.data).toMatchObject({ kind: 'call', marking: 'TOP_SECRET', actor: { subject: 'director@nsa' } });
    expect(secret.headers['Rampart-Marking']).toBe('TOP_SECRET');
    const own = await recordOf(reader.traceId);
    expect(own.subject).toBe('rampart.designation.audit.recorded.CUI');
    expect(own.event.data).toMatchObject({ kind: 'call', marking: 'CUI' });

    const seenByCui = await auditList('designation', 'CUI');
    expect(seenByCui.map((r) => r.traceId)).toContain(reader.traceId);
    expect(seenByCui.map((r) => r.traceId)).not.toContain(authority.traceId);
    expect(seenByCui.filter((r) => r.marking !== 'UNCLASSIFIED' && r.marking !== 'CUI')).toEqual([]);
    expect(JSON.stringify(seenByCui)).not.toContain('director@nsa');
    const seenByTopSecret = await auditList('designation', 'TOP_SECRET');
    expect(seenByTopSecret.map((r) => r.traceId)).toEqual(expect.arrayContaining([reader.traceId, authority.traceId]));
    // In stream order, whatever the levels.
    const sequences = seenByTopSecret.map((r) => r.sequence);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
  });

  it('records refused tokens UNCLASSIFIED whatever they claim, for every auditor: who claimed (a classified subject withheld), which RPC and why, never the token', async () => {
    const claims = { roles: ['developer'] as const, organization: 'evil', subject: 'mallory@evil', clearance: 'SECRET' as const };
    const valid = await system.auth.token(claims);
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const forged = `${header}.${payload}.${signature.slice(0, -4)}${signature.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const expired = await system.auth.token(claims, Math.floor(Date.now() / 1000) - 3_600);
    const stranger = await (await TestAuth.create('not-in-the-key-set')).token(claims);
    const key = await importJWK(system.auth.key.privateJwk, 'EdDSA');
    const idToken = await new SignJWT({ org: 'evil', roles: ['developer'], clearance: 'SECRET' })
      .setProtectedHeader({ alg: 'EdDSA', kid: system.auth.key.privateJwk.kid!, typ: 'id+jwt' })
      .setSubject('mallory@evil').setIssuer(TEST_ISSUER).setAudience(TEST_AUDIENCE).setIssuedAt().setExpirationTime('10m').sign(key);

    const tried: Record<string, { token: string; traceId: string }> = {};
    for (const [reason, token] of Object.entries({ signature: forged, expired, 'unknown-kid': stranger, type: idToken })) {
      const attempt = traced(token);
      const refused = await call(intake, intake.listSubmissions, intakeV1.ListSubmissionsRequest.fromPartial({}), attempt.metadata).catch((e: ServiceError) => e);
      expect((refused as ServiceError).code).toBe(status.UNAUTHENTICATED);
      tried[reason] = { token, traceId: attempt.traceId };
    }
    for (const [reason, { token, traceId }] of Object.entries(tried)) {
      let record: StoredEvent | undefined;
      await waitFor(`the record of the refused ${reason} token`, async () => {
        record = (await readStream(jsm, 'INTAKE_AUDIT')).find((e) => (e.event.data as Partial<AuditData>).traceId === traceId);
        return !!record;
      }, 20_000, 100);
      expect(record!.subject).toBe('rampart.intake.audit.recorded.UNCLASSIFIED');
      expect(record!.event.data).toMatchObject({
        kind: 'authentication-refused',
        marking: 'UNCLASSIFIED',
        service: 'rampart.intake.v1.IntakeService',
        rpc: 'ListSubmissions',
        reason,
        // The subject of an identity claiming SECRET may itself be SECRET: withheld.
        claimed: { subjectWithheld: true, organization: 'evil', roles: ['developer'], clearance: 'SECRET' },
      });
      expect((record!.event.data as { detail?: string }).detail).toMatch(/\w/);
      expect(record!.body).not.toContain('mallory@evil');
      // Neither the token nor any of its parts (a forged signature is still someone's attempt).
      for (const part of [token, ...token.split('.')]) expect(record!.body).not.toContain(part);
    }
    // A forger claiming a high clearance cannot hide its attempts from lower auditors.
    const seenByUnclassified = (await auditList('intake', 'UNCLASSIFIED')).map((r) => r.traceId);
    expect(seenByUnclassified).toEqual(expect.arrayContaining(Object.values(tried).map((t) => t.traceId)));
  });

  it('bounds the records of a flood of forged tokens, and counts the rest in a summary', async () => {
    const flood = 400;
    const claimed = `flood-${randomBytes(4).toString('hex')}@evil`;
    const valid = await system.auth.token({ roles: ['developer'], organization: 'evil', subject: claimed });
    const forged = `${valid.slice(0, -4)}${valid.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const before = (await jsm.streams.info('INTAKE_AUDIT')).state.last_seq;
    const started = Date.now();
    const codes = await Promise.all(Array.from({ length: flood }, () =>
      call(intake, intake.listSubmissions, intakeV1.ListSubmissionsRequest.fromPartial({}), traced(forged).metadata).then(() => status.OK, (e: ServiceError) => e.code)));
    // A genuine client's expired token in the flood's wake: its reason has a budget of its own.
    const expired = traced(await system.auth.token({ roles: ['developer'], organization: 'acme', subject: 'ada@acme' }, Math.floor(Date.now() / 1000) - 3_600));
    const expiredCode = await call(intake, intake.listSubmissions, intakeV1.ListSubmissionsRequest.fromPartial({}), expired.metadata).then(() => status.OK, (e: ServiceError) => e.code);
    expect(expiredCode).toBe(status.UNAUTHENTICATED);
    const seconds = Math.ceil((Date.now() - started) / 1_000) + 1;
    // Past the verifier's bound of checks in flight a call is RESOURCE_EXHAUSTED, never judged, never recorded.
    expect([...new Set(codes)].filter((code) => code !== status.RESOURCE_EXHAUSTED)).toEqual([status.UNAUTHENTICATED]);
    const refused = codes.filter((code) => code === status.UNAUTHENTICATED).length;

    // The summary of the last window comes once that window is over: wait for every refusal to be accounted for.
    const since = async () => (await readStream(jsm, 'INTAKE_AUDIT')).filter((e) => e.seq > before).map((e) => e.event.data as Partial<AuditData> & { claimed?: { subject?: string }; suppressed?: number });
    let individual = 0;
    let suppressed = 0;
    await waitFor('every refusal of the flood recorded or counted', async () => {
      const records = await since();
      individual = records.filter((r) => r.kind === 'authentication-refused' && r.claimed?.subject === claimed).length;
      suppressed = records.filter((r) => r.kind === 'authentication-refused-suppressed').reduce((sum, r) => sum + (r.suppressed ?? 0), 0);
      return individual + suppressed >= refused;
    }, 20_000, 200);
    expect(individual + suppressed).toBe(refused);
    expect(suppressed).toBeGreaterThan(0);
    expect(individual).toBeLessThanOrEqual(10 * seconds);
    expect((await since()).filter((r) => r.traceId === expired.traceId)).toEqual([expect.objectContaining({ kind: 'authentication-refused', reason: 'expired', claimed: expect.objectContaining({ subject: 'ada@acme' }) })]);
    const summary = (await since()).find((r) => r.kind === 'authentication-refused-suppressed')!;
    expect(summary).toMatchObject({ marking: 'UNCLASSIFIED', service: 'rampart.intake.v1.IntakeService', byReason: { signature: expect.any(Number) }, byRpc: { ListSubmissions: expect.any(Number) } });
  }, 60_000);

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
