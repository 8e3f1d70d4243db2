/**
 * The PyPA corpus (2,661 OSV advisories, read from their YAML and sent as OSV JSON) imported
 * through ImportAdvisories, beside a bare insertOne of the same documents in the same run: the
 * clearinghouse runs as deployed (its own process, relays on, spans exported to Jaeger) on
 * nats-server and FerretDB. Three numbers for the service: records per second answered (each
 * validated against the OSV schema, kept byte for byte, stored with its event), records per second
 * grouped (until the regroup consumer, one regroup at a time across replicas, has applied every
 * arrival), and the same corpus imported again (every record unchanged: a read and a digest each).
 * Prints a markdown report for docs/benchmarks.md.
 *   pnpm run build && node test/dist/bench/clearinghouse-import-bench.js   (BENCH_MONGODB_URI for another engine)
 */
import fs from 'node:fs';
import path from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, REPO_ROOT, ServiceProcess, TestAuth, uniqueDatabase } from '@rampart/testing';

const PYPA = path.join(REPO_ROOT, '../shared/conformance/advisories/pypa');
const BATCH = 100;
const IN_FLIGHT = 2;

/** The clearinghouse's own YAML reading (PyYAML's, timestamps kept as text), from its build. */
interface Formats {
  DEFAULT_LIMITS: object;
  parseYaml(input: Uint8Array, limits: object): { ok: true; value: unknown } | { ok: false };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the service's build, not a dependency of the test package
const formats = require(path.join(REPO_ROOT, 'services/clearinghouse/dist/domain/formats')) as Formats;

function corpus(): { json: Buffer; doc: Record<string, unknown> }[] {
  const out: { json: Buffer; doc: Record<string, unknown> }[] = [];
  for (const dir of fs.readdirSync(PYPA).sort()) {
    if (!fs.statSync(path.join(PYPA, dir)).isDirectory()) continue;
    for (const file of fs.readdirSync(path.join(PYPA, dir)).filter((f) => f.endsWith('.yaml')).sort()) {
      const parsed = formats.parseYaml(fs.readFileSync(path.join(PYPA, dir, file)), formats.DEFAULT_LIMITS);
      if (!parsed.ok) throw new Error(`${dir}/${file} is not YAML`);
      out.push({ json: Buffer.from(JSON.stringify(parsed.value)), doc: parsed.value as Record<string, unknown> });
    }
  }
  return out;
}

async function inBatches(items: v1.ImportItem[], call: (batch: v1.ImportItem[]) => Promise<void>): Promise<void> {
  const batches: v1.ImportItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < batches.length) await call(batches[next++]!);
  }));
}

const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the regroups');
    await new Promise((r) => setTimeout(r, 100));
  }
};

async function main(): Promise<void> {
  const records = corpus();
  const external = process.env.BENCH_MONGODB_URI;
  const [ferret, jaeger, nats, auth] = await Promise.all([external ? undefined : FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const mongoUri = external ?? ferret!.uri;
  const database = uniqueDatabase('bench');
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: mongoUri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error' };
  const service = await ServiceProcess.start('clearinghouse', env);
  const mongo = await new MongoClient(mongoUri, { maxPoolSize: 20 }).connect();
  const db = mongo.db(database);
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  const client = new v1.ClearinghouseServiceClient(service.address, insecure());
  const token = await auth.token({ roles: ['clearinghouse-analyst'], organization: 'treasury', clearance: 'CUI', subject: 'bench@treasury' });
  const items = records.map((r) => ({ format: v1.AdvisoryFormat.ADVISORY_FORMAT_OSV, document: r.json }));
  const importBatch = async (batch: v1.ImportItem[]) => {
    await callUnary<v1.ImportAdvisoriesResponse>(client, v1, 'importAdvisories', { items: batch }, bearer(token));
  };

  // Bare: the same documents, insertOne each, as many in flight as the service's import runs at once.
  const bare = db.collection('bare_insert');
  let t = Date.now();
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT * 4 }, async () => {
    while (next < records.length) await bare.insertOne({ ...records[next++]!.doc });
  }));
  const bareSeconds = (Date.now() - t) / 1000;

  t = Date.now();
  await inBatches(items, importBatch);
  const answeredSeconds = (Date.now() - t) / 1000;
  await until(async () => {
    if ((await db.collection('clearinghouse_advisories').countDocuments({ 'outbox.0': { $exists: true } })) > 0) return false;
    const info = await jsm.consumers.info('CLEARINGHOUSE_EVENTS', 'clearinghouse-flaws');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 30 * 60_000);
  const groupedSeconds = (Date.now() - t) / 1000;
  const vulnerabilities = await db.collection('clearinghouse_vulnerabilities').countDocuments({ state: 'current' });

  t = Date.now();
  await inBatches(items, importBatch);
  const againSeconds = (Date.now() - t) / 1000;

  const rate = (s: number) => (records.length / s).toFixed(0);
  console.log(`### Import of the PyPA corpus (${records.length} OSV records, ${external ? 'external MongoDB' : 'FerretDB'})\n`);
  console.log('| what | seconds | records/s |');
  console.log('|---|---|---|');
  console.log(`| bare insertOne, ${IN_FLIGHT * 4} in flight | ${bareSeconds.toFixed(1)} | ${rate(bareSeconds)} |`);
  console.log(`| ImportAdvisories answered (${BATCH} a request, ${IN_FLIGHT} requests in flight) | ${answeredSeconds.toFixed(1)} | ${rate(answeredSeconds)} |`);
  console.log(`| ... and every record grouped (${vulnerabilities} vulnerabilities) | ${groupedSeconds.toFixed(1)} | ${rate(groupedSeconds)} |`);
  console.log(`| imported again (every record unchanged) | ${againSeconds.toFixed(1)} | ${rate(againSeconds)} |`);

  client.close();
  await nc.close();
  await mongo.close();
  await service.stop();
  await Promise.all([nats.stop(), jaeger.stop(), ferret?.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
