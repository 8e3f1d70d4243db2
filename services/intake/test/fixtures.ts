/** Shared by intake's integration tests: a running intake process on real servers, and clients. */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Metadata } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { NatsServer, ServiceProcess, TestAuth, freePort, readStream, sharedServers, uniqueDatabase } from '@rampart/testing';

export const DAY = 24 * 3600 * 1000;

export function details(overrides: Partial<intakeV1.ModelDetails> = {}): intakeV1.ModelDetails {
  return {
    modelName: 'Atlas',
    modelVersion: '2.1',
    description: 'A frontier model in development',
    modalities: [intakeV1.Modality.MODALITY_TEXT, intakeV1.Modality.MODALITY_CODE],
    trainingComputeFlop: 3e25,
    parameterCount: 400_000_000_000,
    intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY),
    intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
    selfReportedEvaluations: [{ benchmark: 'Cybench', score: 0.42, evaluationDate: '2026-11-01' }],
    pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'security lead' }],
    ...overrides,
  };
}

/** A client call with a bearer token (and optional extra metadata), the request built from a partial. */
export function call<Res>(client: intakeV1.IntakeServiceClient, method: Extract<keyof intakeV1.IntakeServiceClient, string>, req: object, token?: string, extra?: Record<string, string>): Promise<Res> {
  const metadata = token ? bearer(token) : new Metadata();
  for (const [k, v] of Object.entries(extra ?? {})) metadata.set(k, v);
  return callUnary<Res>(client, intakeV1, method, req, metadata);
}

export class IntakeHarness {
  nats!: NatsServer;
  auth!: TestAuth;
  service!: ServiceProcess;
  client!: intakeV1.IntakeServiceClient;
  mongo!: MongoClient;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  database = uniqueDatabase('intake');
  metricsPort = 0;
  env: Record<string, string> = {};

  async start(): Promise<void> {
    const servers = sharedServers();
    this.metricsPort = await freePort();
    this.nats = await NatsServer.start();
    this.auth = await TestAuth.create();
    this.env = {
      ...this.auth.env,
      NATS_URL: this.nats.url,
      MONGODB_URI: servers.mongodbUri,
      MONGODB_DB: this.database,
      OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint,
      METRICS_PORT: String(this.metricsPort),
    };
    this.service = await ServiceProcess.start('intake', this.env);
    this.client = new intakeV1.IntakeServiceClient(this.service.address, insecure());
    this.mongo = await new MongoClient(servers.mongodbUri).connect();
    this.nc = await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    this.jsm = await jetstreamManager(this.nc);
  }

  /** Stops the service (SIGTERM) and starts it again on the same servers and database. */
  async restartService(): Promise<void> {
    this.client.close();
    await this.service.stop();
    await this.startServiceAgain();
  }

  /** SIGKILL: the service dies with whatever it had in flight. */
  async crashService(): Promise<void> {
    await this.service.kill();
    this.client.close();
  }

  /** Starts the service again (after a crash or stop) on the same servers and database. */
  async startServiceAgain(): Promise<void> {
    this.service = await ServiceProcess.start('intake', this.env);
    this.client = new intakeV1.IntakeServiceClient(this.service.address, insecure());
  }

  get submissions() {
    return this.mongo.db(this.database).collection('intake_submissions');
  }

  submit(token: string, body: intakeV1.ModelDetails = details(), key = `key-${Math.random().toString(36).slice(2)}`, extra?: Record<string, string>): Promise<intakeV1.SubmitModelResponse> {
    return call(this.client, 'submitModel', { details: body, idempotencyKey: key }, token, extra);
  }

  /**
   * Whether each of `ids` has exactly one `submission.received` event in the stream and no
   * submission has two, with a line saying how far that is.
   */
  async receivedOnce(ids: string[]): Promise<{ once: boolean; report: string }> {
    const events = (await readStream(this.jsm, 'INTAKE_EVENTS')).filter((m) => m.subject === 'rampart.intake.submission.received');
    const counts = new Map<string, number>();
    for (const e of events) counts.set(e.event.subject, (counts.get(e.event.subject) ?? 0) + 1);
    const report = `${events.length} events for ${counts.size} submissions; missing ${ids.filter((id) => !counts.has(id)).length} of ${ids.length}`;
    return { once: ids.every((id) => counts.get(id) === 1) && events.length === counts.size, report };
  }

  async stop(): Promise<void> {
    this.client?.close();
    await this.service?.stop();
    await this.nc?.close();
    await this.mongo?.close();
    await this.nats?.stop();
  }
}
