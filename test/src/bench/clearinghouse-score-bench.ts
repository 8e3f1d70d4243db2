/**
 * Submit-to-preliminary-score: from the moment SubmitReport is called until the report's
 * `rampart.clearinghouse.report.scored` event (its preliminary priority, computed on receipt from the
 * reporter's CVSS vectors) reaches a NATS subscriber. The clearinghouse runs as deployed (its own
 * process, outbox relay on, spans exported to Jaeger) on nats-server and FerretDB.
 * 1. Capacity: closed loop at 16 in flight; the rate of reports whose scored event arrived.
 * 2. Latency: open loop (a report every 1/rate s, whatever the answers do) at half that capacity,
 *    at least BENCH_SAMPLES reports; p50/p95/p99/max of submit-to-scored. Target p99 <= 250 ms.
 * Beside them, in the same run, the bare insertOne rate at 16 in flight.
 *   pnpm run build && node test/dist/bench/clearinghouse-score-bench.js   (BENCH_SECONDS=10, BENCH_SAMPLES=1500;
 *   BENCH_SERVICE_ENV a JSON object of extra service variables, e.g. {"OTEL_SDK_DISABLED":"true"})
 */
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { bearer, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, ServiceProcess, TestAuth, uniqueDatabase } from '@rampart/testing';
import { measure, percentile } from './measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_500);
const IN_FLIGHT = 16;
const DAY = 86_400_000;
const TARGET_P99_MS = 250;

function details(i: number): v1.ReportDetails {
  return v1.ReportDetails.fromPartial({
    title: `Path traversal in the upload handler (${i})`,
    affectedProducts: [{ purl: 'pkg:pypi/django', ranges: [{ introduced: '4.2', fixed: '4.2.17' }] }],
    cweIds: ['CWE-22'],
    description: 'A crafted file name escapes the upload directory.',
    proof: 'curl -F "file=@x;filename=../../etc/cron.d/x" https://example.test/upload',
    discovery: { method: v1.DiscoveryMethod.DISCOVERY_METHOD_AI_MODEL, toolName: 'frontier-model-7' },
    requestedEmbargo: { endTime: new Date(Date.now() + 45 * DAY), timeZone: 'America/New_York' },
    cvssVectors: ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:N/SC:N/SI:N/SA:N'],
    cve: { state: v1.CveState.CVE_STATE_REQUESTED, cna: 'GitHub_M' },
  });
}

const fixed = (n: number) => n.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const external = process.env.BENCH_MONGODB_URI;
  const [ferret, jaeger, nats, auth] = await Promise.all([external ? undefined : FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const mongoUri = external ?? ferret!.uri;
  const database = uniqueDatabase('bench');
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: mongoUri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error', ...(JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>) };
  const service = await ServiceProcess.start('clearinghouse', env);
  const client = new v1.ClearinghouseServiceClient(service.address, insecure(), { 'grpc.max_concurrent_streams': 1000 });
  const mongo = await new MongoClient(mongoUri, { maxPoolSize: 100 }).connect();
  const bare = mongo.db(database).collection('bare_insert');
  const metadata = bearer(await auth.token({ roles: ['reporter'], organization: 'acme', subject: 'finder@acme' }));

  // When each report's first scored event reaches a subscriber (the preliminary one: the first for the report).
  const nc = await connect({ servers: nats.url });
  const scoredAt = new Map<string, number>();
  const sub = nc.subscribe('rampart.clearinghouse.report.scored');
  void (async () => {
    for await (const m of sub) {
      const id = m.json<{ subject: string }>().subject;
      if (!scoredAt.has(id)) scoredAt.set(id, performance.now());
    }
  })();

  const calledAt = new Map<string, number>();
  let failures = 0;
  const submit = (i: number) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      client.submitReport(v1.SubmitReportRequest.fromPartial({ details: details(i), idempotencyKey: `bench-${i}-${Math.random().toString(36).slice(2)}` }), metadata, (error, response) => {
        if (error) failures++;
        else calledAt.set(response.report!.id, t);
        resolve();
      });
    });
  const allScored = async (ids: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => scoredAt.has(id)) && Date.now() < deadline) await sleep(20);
  };

  // Warm up connections, JIT and the collections.
  await measure(8, 2_000, (i) => submit(-1 - i));
  await measure(8, 1_000, () => bare.insertOne({ organization: 'acme', status: 'received', revision: 1, details: { title: 'x'.repeat(200) }, outbox: [] }).then(() => undefined));
  await allScored([...calledAt.keys()], 30_000);
  calledAt.clear();

  // 1. Capacity, closed loop: reports answered and scored per second.
  const insert = await measure(IN_FLIGHT, SECONDS * 1000, () => bare.insertOne({ organization: 'acme', status: 'received', revision: 1, details: { title: 'x'.repeat(200) }, outbox: [] }).then(() => undefined));
  const capacityStart = performance.now();
  const closed = await measure(IN_FLIGHT, SECONDS * 1000, (i) => submit(i));
  const closedIds = [...calledAt.keys()];
  await allScored(closedIds, 60_000);
  const lastScored = Math.max(...closedIds.map((id) => scoredAt.get(id) ?? Infinity));
  const capacity = closedIds.length / ((lastScored - capacityStart) / 1000);
  calledAt.clear();

  // 2. Latency, open loop at half the capacity.
  const rate = capacity / 2;
  const interval = 1000 / rate;
  const openStart = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const due = openStart + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(submit(1_000_000 + i));
  }
  await Promise.all(pending);
  const openIds = [...calledAt.keys()];
  await allScored(openIds, 60_000);
  const achieved = openIds.length / ((performance.now() - openStart) / 1000);
  const latencies = openIds.filter((id) => scoredAt.has(id)).map((id) => scoredAt.get(id)! - calledAt.get(id)!).sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);

  const mem = process.memoryUsage();
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| bare insertOne, ${IN_FLIGHT} in flight | ${insert.throughput.toFixed(0)} /s (p50 ${fixed(insert.p50)} ms, p99 ${fixed(insert.p99)} ms) |`);
  console.log(`| SubmitReport answered, ${IN_FLIGHT} in flight (closed loop) | ${closed.throughput.toFixed(0)} /s (p50 ${fixed(closed.p50)} ms, p99 ${fixed(closed.p99)} ms) |`);
  console.log(`| capacity: reports scored (event received) per second | ${capacity.toFixed(0)} /s = ${((capacity / insert.throughput) * 100).toFixed(0)}% of bare insertOne |`);
  console.log(`| open loop at half capacity | ${rate.toFixed(0)} /s offered, ${achieved.toFixed(0)} /s achieved, ${latencies.length} of ${SAMPLES} scored, ${failures} calls failed |`);
  console.log(`| submit-to-scored p50 / p95 / p99 / max | ${fixed(percentile(latencies, 50))} / ${fixed(percentile(latencies, 95))} / ${fixed(p99)} / ${fixed(percentile(latencies, 100))} ms |`);
  console.log(`\nTarget p99 <= ${TARGET_P99_MS} ms at half capacity: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}.`);
  console.log(`Bench process RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB; node ${process.version}; ${SECONDS}s closed loop; engine ${external ? 'external' : 'embedded FerretDB (SQLite)'}.`);

  sub.unsubscribe();
  await nc.close();
  client.close();
  await mongo.close();
  await service.stop();
  await Promise.all([nats.stop(), ferret?.stop(), jaeger.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
