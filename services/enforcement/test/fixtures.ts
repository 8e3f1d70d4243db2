/** Shared by enforcement's end-to-end tests: enforcement processes (and, where a flow needs it, the clearinghouse) on real servers. */
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { Metadata } from '@grpc/grpc-js';
import { MongoClient } from 'mongodb';
import type { Role } from '@rampart/auth';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { NatsServer, ServiceProcess, TestAuth, freePort, sharedServers, uniqueDatabase } from '@rampart/testing';

export function call<Res>(client: v1.EnforcementServiceClient, method: Extract<keyof v1.EnforcementServiceClient, string>, req: object, token?: string, extra?: Record<string, string>): Promise<Res> {
  const metadata = token ? bearer(token) : new Metadata();
  for (const [k, v] of Object.entries(extra ?? {})) metadata.set(k, v);
  return callUnary<Res>(client, v1, method, req, metadata);
}

/** A referral as an IC3 complaint would give it. */
export function details(overrides: Partial<v1.ReferralDetails> = {}): v1.ReferralDetails {
  return v1.ReferralDetails.fromPartial({
    victim: { name: 'Prairie Community Bank', contact: 'ciso@prairie-bank.example', sector: 'financial-services', size: 'small' },
    lossUsdCents: 48_500_000,
    occurredFrom: '2026-11-02T09:15:00-06:00[America/Chicago]',
    occurredUntil: '2026-11-03T17:40:00-06:00[America/Chicago]',
    timeZone: 'America/Chicago',
    indicators: [
      { type: v1.IndicatorType.INDICATOR_TYPE_IPV4, value: '203.0.113.45' },
      { type: v1.IndicatorType.INDICATOR_TYPE_DOMAIN, value: 'prairie-bank-login.example' },
      { type: v1.IndicatorType.INDICATOR_TYPE_FILE_SHA256, value: 'a'.repeat(64) },
    ],
    narrative: 'Voice-cloned calls to the wire desk, then a wire of $485,000 to a mule account.',
    suspectedStatutes: [v1.Statute.STATUTE_18_USC_1343, v1.Statute.STATUTE_18_USC_1028],
    aiEnabledIndicators: ['voice-clone', 'llm-phishing'],
    ...overrides,
  });
}

export class EnforcementHarness {
  nats!: NatsServer;
  auth!: TestAuth;
  services: ServiceProcess[] = [];
  clients: v1.EnforcementServiceClient[] = [];
  mongo!: MongoClient;
  nc!: NatsConnection;
  jsm!: JetStreamManager;
  database = uniqueDatabase('enforcement');
  env: Record<string, string> = {};

  get client(): v1.EnforcementServiceClient {
    return this.clients[0]!;
  }

  async start(replicas = 1, extra: Record<string, string> = {}): Promise<void> {
    const servers = sharedServers();
    this.nats = await NatsServer.start();
    this.auth = await TestAuth.create();
    this.env = { ...this.auth.env, NATS_URL: this.nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: this.database, OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint, CUSTODY_CHECKPOINT_KEY: randomBytes(32).toString('base64'), CUSTODY_CHECKPOINT_EVERY: '5', ...extra };
    for (let i = 0; i < replicas; i++) await this.startReplica();
    this.mongo = await new MongoClient(servers.mongodbUri).connect();
    this.nc = await connect({ servers: this.nats.url });
    this.jsm = await jetstreamManager(this.nc);
  }

  async startReplica(): Promise<void> {
    const service = await ServiceProcess.start('enforcement', { ...this.env, METRICS_PORT: String(await freePort()) });
    this.services.push(service);
    this.clients.push(new v1.EnforcementServiceClient(service.address, insecure()));
  }

  /** Another service on the same NATS (its own database), e.g. the clearinghouse whose events enforcement reads. */
  async startOther(name: string, extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await ServiceProcess.start(name, { ...this.env, MONGODB_DB: uniqueDatabase(name), METRICS_PORT: String(await freePort()), ...extra });
    this.services.push(service);
    return service;
  }

  token(role: Role, organization: string, clearance: 'UNCLASSIFIED' | 'CUI' | 'SECRET' = 'CUI'): Promise<string> {
    return this.auth.token({ roles: [role], organization, subject: `${role}@${organization}`, clearance });
  }

  get referrals() {
    return this.mongo.db(this.database).collection<Record<string, unknown>>('enforcement_referrals');
  }

  get custody() {
    return this.mongo.db(this.database).collection<Record<string, unknown>>('enforcement_custody');
  }

  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    await Promise.all(this.services.map((s) => s.stop()));
    await this.nc?.close();
    await this.mongo?.close();
    await this.nats?.stop();
  }
}
