/** Shared by the clearinghouse's e2e tests: a running clearinghouse process on real servers, clients and report bodies. */
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Client, Metadata } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { NatsServer, ServiceProcess, TestAuth, readStream, sharedServers, uniqueDatabase, type StoredEvent } from '@rampart/testing';

export const DAY = 24 * 3600 * 1000;

export function reportDetails(overrides: Partial<v1.ReportDetails> = {}): v1.ReportDetails {
  return v1.ReportDetails.fromPartial({
    title: 'Path traversal in the upload handler',
    affectedProducts: [{ purl: 'pkg:pypi/Django', ranges: [{ introduced: '4.2', fixed: '4.2.17' }] }],
    cweIds: ['CWE-22'],
    description: 'A crafted file name escapes the upload directory.',
    proof: 'curl -F "file=@x;filename=../../etc/cron.d/x" https://example.test/upload',
    discovery: { method: v1.DiscoveryMethod.DISCOVERY_METHOD_AI_MODEL, toolName: 'frontier-model-7' },
    requestedEmbargo: { endTime: new Date(Date.now() + 45 * DAY), timeZone: 'America/New_York' },
    cvssVectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N'],
    cve: { state: v1.CveState.CVE_STATE_REQUESTED, cna: 'GitHub_M' },
    ...overrides,
  });
}

type Method = Extract<keyof v1.ClearinghouseServiceClient, string>;

/** A client call with a bearer token (and optional extra metadata), the request built from a partial. */
export function call<Res>(client: v1.ClearinghouseServiceClient, method: Method, req: object, token?: string, extra?: Record<string, string>): Promise<Res> {
  const metadata = token ? bearer(token) : new Metadata();
  for (const [k, v] of Object.entries(extra ?? {})) metadata.set(k, v);
  return callUnary<Res>(client, v1, method, req, metadata);
}

export class ClearinghouseHarness {
  nats!: NatsServer;
  auth!: TestAuth;
  service!: ServiceProcess;
  client!: v1.ClearinghouseServiceClient;
  mongo!: MongoClient;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  database = uniqueDatabase('clearinghouse');
  env: Record<string, string> = {};

  /** `extraEnv`: the service's own variables for a suite, e.g. EMBARGO_MINIMUM_NOTICE_MS. */
  constructor(private readonly extraEnv: Record<string, string> = {}) {}

  async start(): Promise<void> {
    const servers = sharedServers();
    this.nats = await NatsServer.start();
    this.auth = await TestAuth.create();
    this.env = { ...this.auth.env, NATS_URL: this.nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: this.database, OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint, ...this.extraEnv };
    await this.startService();
    this.mongo = await new MongoClient(servers.mongodbUri).connect();
    this.nc = await connect({ servers: this.nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    this.jsm = await jetstreamManager(this.nc);
  }

  private async startService(): Promise<void> {
    this.service = await ServiceProcess.start('clearinghouse', this.env);
    this.client = new v1.ClearinghouseServiceClient(this.service.address, insecure());
  }

  /** Stops the service (SIGTERM) and starts it again on the same servers and database. */
  async restartService(): Promise<void> {
    this.client.close();
    await this.service.stop();
    await this.startService();
  }

  reporter(organization: string, subject = `finder@${organization}`): Promise<string> {
    return this.auth.token({ roles: ['reporter'], organization, subject });
  }

  analyst(subject = 'eve@treasury'): Promise<string> {
    return this.auth.token({ roles: ['clearinghouse-analyst'], organization: 'treasury', clearance: 'CUI', subject });
  }

  get reports() {
    return this.mongo.db(this.database).collection('clearinghouse_reports');
  }

  submit(token: string, details: v1.ReportDetails = reportDetails(), key = `key-${Math.random().toString(36).slice(2)}`, extra?: Record<string, string>): Promise<v1.SubmitReportResponse> {
    return call(this.client, 'submitReport', { details, idempotencyKey: key }, token, extra);
  }

  /** SubmitReport with `bytes` sent as they are: what a client with another version of the proto might send. */
  submitBytes(token: string, bytes: Buffer): Promise<v1.SubmitReportResponse> {
    const raw = new Client(this.service.address, insecure());
    return new Promise<v1.SubmitReportResponse>((resolve, reject) => {
      raw.makeUnaryRequest('/rampart.clearinghouse.v1.ClearinghouseService/SubmitReport', (b: Buffer) => b, (b: Buffer) => v1.SubmitReportResponse.decode(b), bytes, bearer(token), (error, response) => {
        raw.close();
        if (error) reject(error);
        else resolve(response!);
      });
    });
  }

  /** The report's lifecycle events (received, then one per status move); its `report.scored` events are in allEventsFor. */
  async eventsFor(reportId: string): Promise<StoredEvent[]> {
    return (await this.allEventsFor(reportId)).filter((m) => m.subject !== 'rampart.clearinghouse.report.scored');
  }

  /** Every event about the report, `report.scored` included, in stream order. */
  async allEventsFor(reportId: string): Promise<StoredEvent[]> {
    return (await readStream(this.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.event.subject === reportId);
  }

  async stop(): Promise<void> {
    this.client?.close();
    await this.service?.stop();
    await this.nc?.close();
    await this.mongo?.close();
    await this.nats?.stop();
  }
}
