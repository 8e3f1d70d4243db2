/**
 * Early access, measured (issue 7's targets; numbers in docs/benchmarks.md, never asserted):
 * 1. offline verification (signature, claims and the revocation check, distinct tokens) against bare
 *    `crypto.verify` of the same tokens' signatures (Ed25519) in the same run;
 * 2. revocation: from RevokeCredential returning to every one of 10 connected offline verifiers
 *    refusing the credential, p50 and p99;
 * 3. the access log: ReportAccess from two early-access processes at once against bare `insertOne`
 *    into the same database (16 in flight; and ReportAccess alone at 1), the chain verified afterwards.
 * The service runs as deployed (its own process, telemetry on) on nats-server and FerretDB. Its read
 * model is seeded directly (a covered, released model) rather than through intake and designation:
 * what is measured here starts at early access.
 *   pnpm run build && node test/dist/bench/access-bench.js   (BENCH_SECONDS, default 10;
 *   BENCH_PARTS, default `verify,revoke,log`: which of the three to run; BENCH_SERVICE_NODE_OPTIONS,
 *   e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, passed to the service processes as NODE_OPTIONS;
 *   BENCH_COUNT_OPS=1: every database connection goes through a counting proxy (command-counter.ts),
 *   and the access-log part reports database operations per report)
 */
import { generateKeyPairSync, verify as cryptoVerify, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { importJWK, SignJWT } from 'jose';
import { MongoClient } from 'mongodb';
import { CREDENTIAL_TYPE, credentialPayload, KeySet, keysFromService, OfflineVerifier, refreshingKeys, RevocationList, verifyCredentialToken } from '@rampart/access-verifier';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, ServiceProcess, TestAuth, tempDir, uniqueDatabase, waitFor } from '@rampart/testing';
import { CommandCounter } from './command-counter';
import { measure, percentile } from './measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PARTS = new Set((process.env.BENCH_PARTS ?? 'verify,revoke,log').split(','));
const DAY = 86_400_000;

async function offlineVerification(): Promise<string[]> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signing = await importJWK({ ...privateKey.export({ format: 'jwk' }), alg: 'EdDSA' }, 'EdDSA');
  const keys = KeySet.from([{ jwk: { ...publicKey.export({ format: 'jwk' }), kid: 'k', alg: 'EdDSA' } }]);
  const now = new Date();
  const count = 5_000;
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    tokens.push(await new SignJWT(credentialPayload({
      credentialId: randomUUID(), organization: 'acme', programId: 'p', grantId: randomUUID(), principal: `p${i}@nsa`, principalOrganization: 'nsa', principalKind: 'government',
      scopes: ['inference'], issuedAt: now, notBefore: now, expiresAt: new Date(now.getTime() + 3_600_000),
    }, 'rampart-early-access')).setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ: CREDENTIAL_TYPE }).sign(signing));
  }
  const revocations = new RevocationList();
  for (let i = 0; i < 1_000; i++) revocations.add({ scope: 'credential', credentialId: randomUUID(), revokedAt: now.toISOString(), organization: 'acme', programId: 'p', revision: 1 });
  const signed = tokens.map((t) => {
    const [h, p, s] = t.split('.');
    return [Buffer.from(`${h}.${p}`), Buffer.from(s!, 'base64url')] as const;
  });
  const offline = async (token: string) => {
    const claims = await verifyCredentialToken(token, { issuer: 'rampart-early-access', organization: 'acme', keys });
    if (revocations.revoked(claims)) throw new Error('revoked');
  };
  const rate = async (run: () => Promise<void> | void) => {
    const t = performance.now();
    await run();
    return count / ((performance.now() - t) / 1000);
  };
  const rows: string[] = [];
  for (let round = 0; round < 3; round++) {
    const bare = await rate(() => {
      for (const [data, signature] of signed) if (!cryptoVerify(null, data, publicKey, signature)) throw new Error('bad signature');
    });
    const sequential = await rate(async () => {
      for (const token of tokens) await offline(token);
    });
    const concurrent = await rate(async () => {
      let next = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < count) await offline(tokens[next++]!);
      }));
    });
    if (round > 0) rows.push(`| ${round} | ${Math.round(bare)} | ${Math.round(sequential)} (${Math.round((100 * sequential) / bare)}%) | ${Math.round(concurrent)} (${Math.round((100 * concurrent) / bare)}%) |`);
  }
  return ['| round | bare crypto.verify /s | offline verifier, one at a time /s | offline verifier, 32 at a time /s |', '|---|---|---|---|', ...rows];
}

async function main(): Promise<void> {
  const lines: string[] = PARTS.has('verify') ? ['### Offline verification', '', ...(await offlineVerification()), ''] : [];
  if (!PARTS.has('revoke') && !PARTS.has('log')) {
    process.stdout.write(`${lines.join('\n')}\n`);
    return; // the offline part needs no servers
  }

  const [ferret, jaeger, nats, auth] = await Promise.all([FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  // Counting adds a hop to every database call, the bare inserts' too: throughput is measured without it.
  const counter = process.env.BENCH_COUNT_OPS ? await CommandCounter.start(ferret.port) : undefined;
  const mongodbUri = counter?.uri ?? ferret.uri;
  const database = uniqueDatabase('accessbench');
  const { privateKey } = generateKeyPairSync('ed25519');
  const keysFile = path.join(tempDir('bench-access'), 'keys.json');
  writeFileSync(keysFile, JSON.stringify({ keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'EdDSA' }] }));
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: mongodbUri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error', CREDENTIAL_KEYS_FILE: keysFile, CHECKPOINT_EVERY: '16', ...(process.env.BENCH_SERVICE_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_SERVICE_NODE_OPTIONS } : {}) };
  const [first, second] = await Promise.all([ServiceProcess.start('early-access', env), ServiceProcess.start('early-access', env)]);
  const mongo = await new MongoClient(mongodbUri, { maxPoolSize: 100 }).connect();
  const db = mongo.db(database);

  // A covered model whose assessment was released to acme, as the consumers would have stored it.
  const programId = randomUUID();
  const now = new Date();
  const book = { revision: 1, appliedEventIds: ['seed'], sourceRevision: 1, outbox: [] };
  await db.collection('access_submissions').insertOne({ _id: programId as never, submissionId: programId, organization: 'acme', modelName: 'Atlas', modelVersion: '5', withdrawn: false, partnerReleaseAt: new Date(now.getTime() + 20 * DAY), publicReleaseAt: new Date(now.getTime() + 50 * DAY), ...book });
  await db.collection('access_assessments').insertOne({ _id: programId as never, caseId: programId, organization: 'acme', outcome: 'covered', effectiveAt: now, releasedAt: now, ...book });

  const client = new v1.EarlyAccessServiceClient(first.address, insecure(), { 'grpc.max_concurrent_streams': 1000 });
  const secondClient = new v1.EarlyAccessServiceClient(second.address, insecure(), { 'grpc.max_concurrent_streams': 1000 });
  const call = <Res>(method: Extract<keyof v1.EarlyAccessServiceClient, string>, request: object, token: string, c = client) => callUnary<Res>(c, v1, method, request, bearer(token));
  const developer = await auth.developer('acme');
  const officer = await auth.token({ roles: ['access-officer'], organization: 'ostp', clearance: 'CUI' });
  const eve = await auth.token({ roles: ['evaluator'], organization: 'nsa', clearance: 'CUI', subject: 'eve@nsa' });
  const gateway = await auth.token({ roles: ['gateway'], organization: 'acme' });
  await call('openProgram', { submissionId: programId }, developer);
  for (const kind of [1, 2, 3, 4, 5]) await call('publishAgreement', { kind, title: `Agreement ${kind}`, text: `Terms ${kind}.`, expectedVersion: 0 }, officer);
  for (const a of (await call<v1.ListAgreementsResponse>('listAgreements', {}, eve)).agreements) await call('acceptAgreement', { programId, kind: a.kind, contentHash: a.contentHash }, eve);
  const grant = (await call<v1.IssueGrantResponse>('issueGrant', { programId, principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 1, scopes: ['inference'], purpose: 'bench', idempotencyKey: randomUUID() }, officer)).grant!;

  // 2. Revocation to 10 connected verifiers.
  const nc = await connect({ servers: nats.url });
  if (PARTS.has('revoke')) await revocation();
  async function revocation(): Promise<void> {
    const keys = await refreshingKeys(keysFromService(first.address, () => gateway, { insecure: true }));
    const verifiers = await Promise.all(Array.from({ length: 10 }, () => OfflineVerifier.start({ organization: 'acme', js: jetstream(nc), keys })));
    const delays: number[] = [];
    for (let i = 0; i < 60; i++) {
      const { token, credentialId } = await call<v1.IssueCredentialResponse>('issueCredential', { grantId: grant.id }, eve);
      for (const verifier of verifiers) if (!(await verifier.verify(token)).valid) throw new Error('a fresh credential was refused');
      await call('revokeCredential', { credentialId }, officer);
      const returned = performance.now();
      const pending = new Set(verifiers);
      await waitFor('every verifier to refuse', async () => {
        for (const verifier of [...pending]) if (!(await verifier.verify(token)).valid) pending.delete(verifier);
        return pending.size === 0;
      }, 10_000, 1);
      delays.push(performance.now() - returned);
  }
  delays.sort((a, b) => a - b);
  lines.push('### Revocation to 10 connected offline verifiers', '', '| revocations | p50 ms | p99 ms | max ms |', '|---|---|---|---|',
    `| ${delays.length} | ${percentile(delays, 50).toFixed(1)} | ${percentile(delays, 99).toFixed(1)} | ${delays[delays.length - 1]!.toFixed(1)} |`, '');
  await Promise.all(verifiers.map((v) => v.stop()));
  keys.stop();
  }

  // 3. Access-log appends from two processes against bare insertOne, 16 in flight each way.
  const { credentialId } = await call<v1.IssueCredentialResponse>('issueCredential', { grantId: grant.id }, eve);
  const bare = db.collection('bare_insert');
  const entry = { programId, sequence: 0, previousHash: '0'.repeat(64), hash: '0'.repeat(64), use: { principal: 'eve@nsa', principalOrganization: 'nsa', credentialId, grantId: grant.id, operation: 'generate', volume: 100, occurredAt: now.toISOString(), recordedAt: now.toISOString(), reportedBy: 'gateway@acme' }, signals: [], hasSignals: false, revision: 1, outbox: [] };
  // Each report carries its gateway's report id, as a gateway that may retry sends it.
  const report = (i: number) => call('reportAccess', { programId, credentialId, principal: 'eve@nsa', principalOrganization: 'nsa', operation: 'generate', volume: 100, reportId: randomUUID() }, gateway, i % 2 === 0 ? client : secondClient).then(() => undefined);
  await measure(8, 2_000, report);
  await measure(8, 1_000, () => bare.insertOne({ ...entry }).then(() => undefined));
  counter?.reset();
  const oneR = await measure(1, SECONDS * 1000, report);
  const oneOps = counter && `${(counter.total() / oneR.requests).toFixed(2)} (${counter.describe()})`;
  const insertR = await measure(16, SECONDS * 1000, () => bare.insertOne({ ...entry }).then(() => undefined));
  counter?.reset();
  const appendR = await measure(16, SECONDS * 1000, report);
  const appendOps = counter && `${(counter.total() / appendR.requests).toFixed(2)} (${counter.describe()})`;
  // The service's floor per call, with no database work: authenticated, refused at validation, audited, traced.
  const refused = (i: number) => call('reportAccess', { programId, credentialId, principal: 'eve@nsa', principalOrganization: 'nsa', operation: '', volume: 1 }, gateway, i % 2 === 0 ? client : secondClient).then(() => { throw new Error('an empty operation was accepted'); }, (error: unknown) => {
    if ((error as { code?: number }).code !== 3) throw error;
  });
  const floorR = await measure(16, SECONDS * 1000, refused);
  const verified = await call<v1.VerifyAccessLogResponse>('verifyAccessLog', { programId }, developer, secondClient);
  lines.push('### Access-log appends from two processes (16 in flight)', '', '| operation | req/s | p50 ms | p99 ms | requests |', '|---|---|---|---|---|',
    `| insertOne via driver (bare) | ${insertR.throughput.toFixed(0)} | ${insertR.p50.toFixed(2)} | ${insertR.p99.toFixed(2)} | ${insertR.requests} |`,
    `| ReportAccess, two processes | ${appendR.throughput.toFixed(0)} | ${appendR.p50.toFixed(2)} | ${appendR.p99.toFixed(2)} | ${appendR.requests} |`,
    `| ReportAccess, two processes, 1 in flight | ${oneR.throughput.toFixed(0)} | ${oneR.p50.toFixed(2)} | ${oneR.p99.toFixed(2)} | ${oneR.requests} |`,
    `| ReportAccess refused at validation (no database work), two processes | ${floorR.throughput.toFixed(0)} | ${floorR.p50.toFixed(2)} | ${floorR.p99.toFixed(2)} | ${floorR.requests} |`, '',
    `ReportAccess at ${Math.round((100 * appendR.throughput) / insertR.throughput)}% of bare insertOne. Chain afterwards: intact ${verified.intact}, ${verified.recordsChecked} records checked, head ${verified.headSequence}.`,
    ...(counter ? ['', `Database operations per report (counted): 16 in flight ${appendOps}; 1 in flight ${oneOps}.`] : []));

  process.stdout.write(`${lines.join('\n')}\n`);
  client.close();
  secondClient.close();
  await nc.close();
  await mongo.close();
  await Promise.all([first.stop(), second.stop()]);
  await counter?.stop();
  await Promise.all([nats.stop(), ferret.stop(), jaeger.stop()]);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
