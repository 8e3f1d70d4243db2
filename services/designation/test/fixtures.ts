/** Intake and designation as their own processes on shared real servers, with clients for both. */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { MongoClient, type Db } from 'mongodb';
import { bearer, callUnary, insecure, streamFile } from '@rampart/grpc-kit';
import { designationV1, intakeV1 } from '@rampart/proto';
import { NatsServer, ServiceProcess, TestAuth, sharedServers, uniqueDatabase, waitFor } from '@rampart/testing';

const DAY = 86_400_000;

export class DesignationHarness {
  nats!: NatsServer;
  auth!: TestAuth;
  intake!: ServiceProcess;
  designation!: ServiceProcess;
  intakeClient!: intakeV1.IntakeServiceClient;
  client!: designationV1.DesignationServiceClient;
  mongo!: MongoClient;
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  database = uniqueDatabase('designation');
  designationEnv: Record<string, string> = {};

  async start(): Promise<void> {
    const servers = sharedServers();
    this.nats = await NatsServer.start();
    this.auth = await TestAuth.create();
    const env = { ...this.auth.env, NATS_URL: this.nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: this.database, OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint, OUTBOX_POLL_MS: '200' };
    this.intake = await ServiceProcess.start('intake', env);
    this.designationEnv = { ...env, CONSULTEES: 'ONCD=National Cyber Director:required,CISA=CISA Director:required,FBI=FBI Cyber Division:optional' };
    this.designation = await ServiceProcess.start('designation', this.designationEnv);
    this.intakeClient = new intakeV1.IntakeServiceClient(this.intake.address, insecure());
    this.client = new designationV1.DesignationServiceClient(this.designation.address, insecure());
    this.mongo = await new MongoClient(servers.mongodbUri).connect();
    this.nc = await connect({ servers: this.nats.url });
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
  }

  get db(): Db {
    return this.mongo.db(this.database);
  }

  /** A designation unary call with a token (ts-proto request built from a partial). */
  call<Res>(method: Extract<keyof designationV1.DesignationServiceClient, string>, request: object, token: string): Promise<Res> {
    return callUnary<Res>(this.client, designationV1, method, request, bearer(token));
  }

  /** Withdraws through intake, as the developer. */
  /** The usual cast's tokens: a developer of each of two organisations and DESIGN.md's government roles. */
  async cast(): Promise<Record<'acme' | 'globex' | 'evaluator' | 'admin' | 'authority' | 'oncd' | 'cisa' | 'auditor', string>> {
    const gov = (role: 'evaluator' | 'policy-admin' | 'designation-authority' | 'auditor', clearance: 'SECRET' | 'TOP_SECRET', organization = 'nsa') =>
      this.auth.token({ roles: [role], organization, clearance });
    const consultee = (agency: string) => this.auth.token({ roles: ['consultee'], organization: agency.toLowerCase(), clearance: 'SECRET', agency });
    return {
      acme: await this.auth.developer('acme'),
      globex: await this.auth.developer('globex'),
      evaluator: await gov('evaluator', 'SECRET'),
      admin: await gov('policy-admin', 'SECRET'),
      authority: await gov('designation-authority', 'TOP_SECRET'),
      oncd: await consultee('ONCD'),
      cisa: await consultee('CISA'),
      auditor: await gov('auditor', 'SECRET', 'oig'),
    };
  }

  withdraw(token: string, submissionId: string): Promise<void> {
    const request = intakeV1.WithdrawSubmissionRequest.fromPartial({ submissionId, reason: 'not ready' });
    return new Promise((resolve, reject) => this.intakeClient.withdrawSubmission(request, bearer(token), (e) => (e ? reject(e) : resolve())));
  }

  /** Submits through intake (optionally in a given trace) and waits for designation's case. */
  async submit(token: string, extra: Record<string, string> = {}): Promise<string> {
    const metadata = bearer(token);
    for (const [k, v] of Object.entries(extra)) metadata.set(k, v);
    const request = intakeV1.SubmitModelRequest.fromPartial({
      idempotencyKey: `d-${Math.random().toString(36).slice(2)}`,
      details: {
        modelName: 'Atlas', modelVersion: '5', description: 'frontier model', modalities: [intakeV1.Modality.MODALITY_TEXT],
        intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY), intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
        pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
      },
    });
    const response = await new Promise<intakeV1.SubmitModelResponse>((resolve, reject) => this.intakeClient.submitModel(request, metadata, (e, r) => (e ? reject(e) : resolve(r))));
    return response.submission!.id;
  }

  /** Amends through intake, as the developer, from the revision given; returns the new revision. */
  amend(token: string, submissionId: string, expectedRevision: number, modelVersion = '5.1'): Promise<number> {
    const request = intakeV1.AmendSubmissionRequest.fromPartial({
      submissionId, expectedRevision,
      details: {
        modelName: 'Atlas', modelVersion, description: 'frontier model, amended', modalities: [intakeV1.Modality.MODALITY_TEXT],
        intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY), intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
        pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
      },
    });
    return new Promise((resolve, reject) => this.intakeClient.amendSubmission(request, bearer(token), (e, r) => (e ? reject(e) : resolve(r.submission!.revision))));
  }

  /** Kills designation outright (SIGKILL, no graceful shutdown) and starts it again on the same data. */
  async crashAndRestartDesignation(): Promise<void> {
    await this.designation.kill();
    this.client.close();
    this.designation = await ServiceProcess.start('designation', this.designationEnv);
    this.client = new designationV1.DesignationServiceClient(this.designation.address, insecure());
  }

  /**
   * Waits until a durable consumer has acknowledged every message of its stream up to `sequence`:
   * the positive sign that a message was handled (applied or found to be a duplicate).
   */
  async waitForAck(stream: string, durable: string, sequence: number, timeoutMs = 20_000): Promise<void> {
    await waitFor(`${durable} to acknowledge ${stream} #${sequence}`, async () => {
      const info = await this.jsm.consumers.info(stream, durable);
      return info.ack_floor.stream_seq >= sequence;
    }, timeoutMs, 100);
  }

  async waitForCase(id: string, token: string, until: (c: designationV1.Case) => boolean = () => true): Promise<designationV1.Case> {
    let found: designationV1.Case | undefined;
    await waitFor(`case ${id}`, async () => {
      found = (await this.call<designationV1.GetCaseResponse>('getCase', { caseId: id }, token).catch(() => undefined))?.case;
      return !!found && until(found);
    }, 20_000, 100);
    return found!;
  }

  /** Streams a file as an Inspect log upload, in 64 KiB chunks. */
  upload(token: string, header: Partial<designationV1.InspectLogHeader>, file: string): Promise<designationV1.UploadInspectLogResponse> {
    return new Promise((resolve, reject) => {
      const call = this.client.uploadInspectLog(bearer(token), (e, r) => (e ? reject(e) : resolve(r)));
      call.write(designationV1.UploadInspectLogRequest.fromPartial({ part: { $case: 'header', value: designationV1.InspectLogHeader.fromPartial(header) } }));
      streamFile(call, file, (chunk) => ({ part: { $case: 'chunk', value: chunk } }), 64 * 1024).catch(reject);
    });
  }

  async stop(): Promise<void> {
    this.client?.close();
    this.intakeClient?.close();
    await Promise.all([this.designation?.stop(), this.intake?.stop()]);
    await this.nc?.close();
    await this.mongo?.close();
    await this.nats?.stop();
  }
}
