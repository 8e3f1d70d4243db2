/**
 * Intake, designation and early access as their own processes on shared real servers (nats-server,
 * FerretDB or MongoDB, Jaeger), with clients for all three: the path a covered model takes from
 * submission through release of its assessment to an access program.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { MongoClient, type Db } from 'mongodb';
import { keysFromService, OfflineVerifier, refreshingKeys, type RefreshingKeys } from '@rampart/access-verifier';
import { generateSigningKey, type Clearance, type Role } from '@rampart/auth';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { accessV1, designationV1, intakeV1 } from '@rampart/proto';
import { NatsServer, ServiceProcess, TestAuth, readStream, sharedServers, tempDir, uniqueDatabase, waitFor, type StoredEvent } from '@rampart/testing';

export const DAY = 86_400_000;
const D = designationV1.CapabilityDomain;

export class AccessHarness {
  nats!: NatsServer;
  auth!: TestAuth;
  intake!: ServiceProcess;
  designation!: ServiceProcess;
  access!: ServiceProcess;
  intakeClient!: intakeV1.IntakeServiceClient;
  designationClient!: designationV1.DesignationServiceClient;
  client!: accessV1.EarlyAccessServiceClient;
  mongo!: MongoClient;
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  database = uniqueDatabase('access');
  accessEnv: Record<string, string> = {};
  private readonly tokens = new Map<string, Promise<string>>();
  private readonly verifiers: { offline: OfflineVerifier; keys: RefreshingKeys }[] = [];

  async start(extraAccessEnv: Record<string, string> = {}): Promise<void> {
    const servers = sharedServers();
    this.nats = await NatsServer.start();
    this.auth = await TestAuth.create();
    const env = { ...this.auth.env, NATS_URL: this.nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: this.database, OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint, OUTBOX_SWEEP_MS: '2000' };
    const key = await generateSigningKey('access-test-1', 'EdDSA');
    const keysFile = path.join(tempDir('access-keys'), 'credential-keys.json');
    writeFileSync(keysFile, JSON.stringify({ keys: [key.privateJwk] }));
    this.accessEnv = { ...env, CREDENTIAL_KEYS_FILE: keysFile, SIGNAL_VOLUME_FACTOR: '10', SIGNAL_BASELINE_MIN_USES: '5', CHECKPOINT_EVERY: '4', ...extraAccessEnv };
    [this.intake, this.designation, this.access] = await Promise.all([
      ServiceProcess.start('intake', env),
      ServiceProcess.start('designation', { ...env, CONSULTEES: 'CISA=CISA Director:required' }),
      ServiceProcess.start('early-access', this.accessEnv),
    ]);
    this.intakeClient = new intakeV1.IntakeServiceClient(this.intake.address, insecure());
    this.designationClient = new designationV1.DesignationServiceClient(this.designation.address, insecure());
    this.client = new accessV1.EarlyAccessServiceClient(this.access.address, insecure());
    this.mongo = await new MongoClient(servers.mongodbUri).connect();
    this.nc = await connect({ servers: this.nats.url });
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    await this.designationCall('putThresholdPolicy', {
      expectedVersion: 0,
      requiredDomains: [D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT],
      rules: [{ domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, atOrAbove: [{ metric: 'accuracy', comparison: designationV1.Comparison.COMPARISON_GREATER_OR_EQUAL, value: 0.9 }], cannotRuleOut: [] }],
    }, await this.token('policy-admin', 'nsa', 'SECRET'));
  }

  get db(): Db {
    return this.mongo.db(this.database);
  }

  /** A token for one role (cached), e.g. token('developer', 'acme'). */
  token(role: Role, organization: string, clearance: Clearance = 'UNCLASSIFIED', subject?: string, agency?: string): Promise<string> {
    const key = [role, organization, clearance, subject, agency].join('|');
    if (!this.tokens.has(key)) this.tokens.set(key, this.auth.token({ roles: [role], organization, clearance, ...(subject ? { subject } : {}), ...(agency ? { agency } : {}) }, '1h'));
    return this.tokens.get(key)!;
  }

  call<Res>(method: Extract<keyof accessV1.EarlyAccessServiceClient, string>, request: object, token: string, client = this.client): Promise<Res> {
    return callUnary<Res>(client, accessV1, method, request, bearer(token));
  }

  designationCall<Res>(method: Extract<keyof designationV1.DesignationServiceClient, string>, request: object, token: string, extra: Record<string, string> = {}): Promise<Res> {
    const metadata = bearer(token);
    for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
    return callUnary<Res>(this.designationClient, designationV1, method, request, metadata);
  }

  /** Submits through intake, as the developer of `organization`. */
  async submit(organization = 'acme', partnerInDays = 20, publicInDays = 50): Promise<string> {
    const request = intakeV1.SubmitModelRequest.fromPartial({
      idempotencyKey: `a-${randomBytes(8).toString('hex')}`,
      details: {
        modelName: 'Atlas', modelVersion: '5', description: 'frontier model', modalities: [intakeV1.Modality.MODALITY_TEXT],
        intendedPartnerReleaseTime: new Date(Date.now() + partnerInDays * DAY), intendedPublicReleaseTime: new Date(Date.now() + publicInDays * DAY),
        pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
      },
    });
    const token = await this.token('developer', organization);
    const response = await new Promise<intakeV1.SubmitModelResponse>((resolve, reject) => this.intakeClient.submitModel(request, bearer(token), (e, r) => (e ? reject(e) : resolve(r))));
    return response.submission!.id;
  }

  async amendDates(organization: string, submissionId: string, expectedRevision: number, partnerInDays: number, publicInDays: number): Promise<void> {
    const request = intakeV1.AmendSubmissionRequest.fromPartial({
      submissionId, expectedRevision,
      details: {
        modelName: 'Atlas', modelVersion: '5', description: 'frontier model', modalities: [intakeV1.Modality.MODALITY_TEXT],
        intendedPartnerReleaseTime: new Date(Date.now() + partnerInDays * DAY), intendedPublicReleaseTime: new Date(Date.now() + publicInDays * DAY),
        pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
      },
    });
    const token = await this.token('developer', organization);
    await new Promise<void>((resolve, reject) => this.intakeClient.amendSubmission(request, bearer(token), (e) => (e ? reject(e) : resolve())));
  }

  async withdraw(organization: string, submissionId: string): Promise<void> {
    const token = await this.token('developer', organization);
    const request = intakeV1.WithdrawSubmissionRequest.fromPartial({ submissionId, reason: 'plans changed' });
    await new Promise<void>((resolve, reject) => this.intakeClient.withdrawSubmission(request, bearer(token), (e) => (e ? reject(e) : resolve())));
  }

  /**
   * Takes a submission through designation up to a decision (not yet released): evidence,
   * consultation and the authority's decision, all over designation's gRPC API.
   */
  async decide(submissionId: string, outcome: 'covered' | 'not_covered'): Promise<void> {
    const authority = await this.token('designation-authority', 'nsa', 'TOP_SECRET');
    await waitFor(`case ${submissionId}`, async () => !!(await this.designationCall('getCase', { caseId: submissionId }, authority).catch(() => undefined)), 20_000, 100);
    await this.designationCall('recordSuiteResult', {
      caseId: submissionId, suiteName: 'Cybench', suiteVersion: '2.1', domain: D.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT, metric: 'accuracy', value: 0.5, sampleCount: 40,
      marking: designationV1.Classification.CLASSIFICATION_SECRET,
    }, await this.token('evaluator', 'nsa', 'SECRET'));
    await waitFor(`case ${submissionId} ready`, async () =>
      (await this.designationCall<designationV1.GetCaseResponse>('getCase', { caseId: submissionId }, authority)).case?.readyForDecision === true, 20_000, 100);
    await this.designationCall('requestConsultation', { caseId: submissionId }, authority);
    await this.designationCall('recordConsultationView', { caseId: submissionId, view: designationV1.ConsultationView.CONSULTATION_VIEW_CONCUR }, await this.token('consultee', 'cisa', 'SECRET', undefined, 'CISA'));
    await this.designationCall('issueDecision', {
      caseId: submissionId, outcome: outcome === 'covered' ? designationV1.DecisionOutcome.DECISION_OUTCOME_COVERED : designationV1.DecisionOutcome.DECISION_OUTCOME_NOT_COVERED,
      rationale: 'benchmarks', effectiveTime: new Date(Date.now() + DAY),
    }, authority);
  }

  /** Releases the decided assessment to the developer (optionally inside a given trace). */
  async release(submissionId: string, extra: Record<string, string> = {}): Promise<void> {
    await this.designationCall('releaseAssessment', { caseId: submissionId }, await this.token('designation-authority', 'nsa', 'TOP_SECRET'), extra);
  }

  /** Waits until early access's consumer `durable` has acknowledged `stream` up to `sequence`: the positive sign it handled it. */
  async waitForAck(stream: string, durable: string, sequence: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(`${durable} to acknowledge ${stream} #${sequence}`, async () => (await this.jsm.consumers.info(stream, durable)).ack_floor.stream_seq >= sequence, timeoutMs, 50);
  }

  /** The stream sequence of the newest event on `subject` about `entity`, once it is there. */
  async published(stream: string, subject: string, entity: string, timeoutMs = 20_000): Promise<number> {
    let seq = 0;
    await waitFor(`${subject} about ${entity} in ${stream}`, async () => {
      const msg = await this.jsm.streams.getMessage(stream, { last_by_subj: subject }).catch(() => null);
      if (!msg || (msg.json<{ subject: string }>()).subject !== entity) return false;
      seq = msg.seq;
      return true;
    }, timeoutMs, 50);
    return seq;
  }

  /** The events of `stream` matching `which`, once there are at least `count` of them. */
  async events(stream: string, which: (m: StoredEvent) => boolean, count: number, timeoutMs = 20_000): Promise<StoredEvent[]> {
    let found: StoredEvent[] = [];
    await waitFor(`${count} events in ${stream}`, async () => (found = (await readStream(this.jsm, stream)).filter(which)).length >= count, timeoutMs, 100);
    return found;
  }

  /** Waits until early access has consumed the assessment released for `submissionId`. */
  async assessmentConsumed(submissionId: string, organization = 'acme'): Promise<void> {
    const seq = await this.published('DESIGNATION_RELEASABLE', `rampart.developer.${organization}.designation.assessment.released`, submissionId);
    await this.waitForAck('DESIGNATION_RELEASABLE', 'access-assessments', seq);
  }

  /** A covered model of `organization` whose assessment was released, once early access has heard. */
  async coveredModel(organization = 'acme', partnerInDays = 20, publicInDays = 50): Promise<string> {
    const id = await this.submit(organization, partnerInDays, publicInDays);
    await this.decide(id, 'covered');
    await this.release(id);
    await this.assessmentConsumed(id, organization);
    return id;
  }

  async startAnotherAccess(): Promise<ServiceProcess> {
    return ServiceProcess.start('early-access', this.accessEnv);
  }

  /** Version 1 of every agreement kind, published by the access officer `officer`. */
  async publishAgreements(officer: string): Promise<void> {
    for (const kind of [1, 2, 3, 4, 5]) {
      await this.call('publishAgreement', { kind, title: `Agreement ${kind}`, text: `The terms of kind ${kind}, version 1.`, expectedVersion: 0 }, officer);
    }
  }

  /** A gateway's offline verifier for `organization` (no clock tolerance), stopped with the harness. */
  async offlineVerifier(organization: string, gatewayToken: string): Promise<OfflineVerifier> {
    const keys = await refreshingKeys(keysFromService(this.access.address, () => gatewayToken, { insecure: true }));
    const offline = await OfflineVerifier.start({ organization, js: this.js, keys, clockToleranceSeconds: 0 });
    this.verifiers.push({ offline, keys });
    return offline;
  }

  async stop(): Promise<void> {
    for (const { offline, keys } of this.verifiers.splice(0)) {
      await offline.stop();
      keys.stop();
    }
    this.client?.close();
    this.intakeClient?.close();
    this.designationClient?.close();
    await Promise.all([this.access?.stop(), this.designation?.stop(), this.intake?.stop()]);
    await this.nc?.close();
    await this.mongo?.close();
    await this.nats?.stop();
  }
}
