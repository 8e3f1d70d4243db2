/**
 * Submit-to-preliminary-score: from just before SubmitReport is called until the report's first
 * `rampart.clearinghouse.report.scored` event (its preliminary priority, computed on receipt from the
 * reporter's CVSS vectors) reaches a JetStream consumer on CLEARINGHOUSE_EVENTS. The clearinghouse
 * runs as deployed (its own process, outbox relay on, spans exported to Jaeger) on nats-server and
 * FerretDB.
 * 1. Capacity: closed loop at 16 in flight; the rate of reports whose scored event arrived.
 * 2. Latency: open loop (a report every 1/rate s, whatever the answers do) at half that capacity,
 *    at least BENCH_SAMPLES reports; p50/p95/p99/max of submit-to-scored. Target p99 <= 250 ms.
 *    Split into stages (call -> answer -> `report.received` -> `report.scored`), and the spans of
 *    the slowest 1% beside those of typical reports, read back from Jaeger (each call carries its
 *    own `traceparent`): where the tail's time goes.
 * Beside them, in the same run, the bare insertOne rate at 16 in flight, and bare insertOne at the
 * open loop's rate (the engine's own tail under the same offered load).
 *   pnpm run build && node test/dist/bench/clearinghouse-score-bench.js   (BENCH_SECONDS=10, BENCH_SAMPLES=1500;
 *   BENCH_SERVICE_ENV a JSON object of extra service variables, e.g. {"OTEL_SDK_DISABLED":"true"};
 *   BENCH_SERVICE_URI_OPTIONS driver options for the service's connection alone, e.g. maxPoolSize=4;
 *   BENCH_MONGODB_URI another engine)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { BSON, MongoClient, type Db, type IndexSpecification } from 'mongodb';
import { bearer, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { FerretDb, freePort, Jaeger, NatsServer, ServiceProcess, TestAuth, uniqueDatabase } from '@rampart/testing';
import { EventLoopProbe } from './event-loop-probe';
import { measure, percentile } from './measure';
import { newTraceparent, operationsInWindow, timedSpans, type TimedSpan } from './trace-timeline';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 1_500);
const IN_FLIGHT = 16;
const DAY = 86_400_000;
const TARGET_P99_MS = 250;
const STREAM = 'CLEARINGHOUSE_EVENTS';
const RECEIVED = 'rampart.clearinghouse.report.received';
const SCORED = 'rampart.clearinghouse.report.scored';
/** Traces read back per group (slowest, typical). */
const TRACED = 15;

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
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[]) => {
  const s = sorted(xs);
  return `${fixed(percentile(s, 50))} / ${fixed(percentile(s, 95))} / ${fixed(percentile(s, 99))} / ${fixed(percentile(s, 100))}`;
};
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);

/** One submission: when it was called (performance.now() and wall clock), answered, and its trace. */
interface Call {
  at: number;
  epochMs: number;
  answeredAt: number;
  traceId: string;
}

/** Open loop: `count` operations started every `intervalMs`, whatever the earlier ones do. */
async function openLoop(count: number, intervalMs: number, op: (i: number) => Promise<void>): Promise<number> {
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(op(i));
  }
  await Promise.all(pending);
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const external = process.env.BENCH_MONGODB_URI;
  const [ferret, jaeger, nats, auth] = await Promise.all([external ? undefined : FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const mongoUri = external ?? ferret!.uri;
  const database = uniqueDatabase('bench');
  const metricsPort = await freePort();
  // BENCH_SERVICE_URI_OPTIONS: driver options for the service's connection only, e.g. maxPoolSize=4.
  const serviceUri = process.env.BENCH_SERVICE_URI_OPTIONS ? `${mongoUri}${mongoUri.includes('?') ? '&' : '?'}${process.env.BENCH_SERVICE_URI_OPTIONS}` : mongoUri;
  const env = { ...auth.env, METRICS_PORT: String(metricsPort), NATS_URL: nats.url, MONGODB_URI: serviceUri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error', ...(JSON.parse(process.env.BENCH_SERVICE_ENV ?? '{}') as Record<string, string>) };
  const service = await ServiceProcess.start('clearinghouse', env);
  const client = new v1.ClearinghouseServiceClient(service.address, insecure(), { 'grpc.max_concurrent_streams': 1000 });
  const mongo = await new MongoClient(mongoUri, { maxPoolSize: 100 }).connect();
  const bare = mongo.db(database).collection('bare_insert');
  const bareInsert = () => bare.insertOne({ organization: 'acme', status: 'received', revision: 1, details: { title: 'x'.repeat(200) }, outbox: [] }).then(() => undefined);
  const metadata = bearer(await auth.token({ roles: ['reporter'], organization: 'acme', subject: 'finder@acme' }));

  // A JetStream consumer on the service's stream, as a reader of its events sees them: when each
  // report's first received and first scored (the preliminary) event arrives.
  const nc = await connect({ servers: nats.url });
  const receivedAt = new Map<string, number>();
  /** The last event of each subject as published: the outbox entries the engine-only replay writes. */
  const payloads = new Map<string, string>();
  const scoredAt = new Map<string, number>();
  const consumer = await jetstream(nc).consumers.get(STREAM, { filter_subjects: [RECEIVED, SCORED], deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  void (async () => {
    for await (const m of messages) {
      const at = performance.now();
      const id = m.json<{ subject: string }>().subject;
      const seen = m.subject === SCORED ? scoredAt : receivedAt;
      if (!seen.has(id)) seen.set(id, at);
      payloads.set(m.subject, m.string());
    }
  })();

  const calls = new Map<string, Call>();
  let failures = 0;
  const submit = (i: number) =>
    new Promise<void>((resolve) => {
      const { traceId, traceparent } = newTraceparent();
      const md = metadata.clone();
      md.set('traceparent', traceparent);
      const at = performance.now();
      const epochMs = performance.timeOrigin + at;
      client.submitReport(v1.SubmitReportRequest.fromPartial({ details: details(i), idempotencyKey: `bench-${i}-${Math.random().toString(36).slice(2)}` }), md, (error, response) => {
        if (error) failures++;
        else calls.set(response.report!.id, { at, epochMs, answeredAt: performance.now(), traceId });
        resolve();
      });
    });
  const allScored = async (ids: string[], timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!ids.every((id) => scoredAt.has(id)) && Date.now() < deadline) await sleep(20);
  };

  // Warm up connections, JIT and the collections.
  await measure(8, 2_000, (i) => submit(-1 - i));
  await measure(8, 1_000, bareInsert);
  await allScored([...calls.keys()], 30_000);
  calls.clear();

  // 1. Capacity, closed loop: reports answered and scored per second.
  const insert = await measure(IN_FLIGHT, SECONDS * 1000, bareInsert);
  const capacityStart = performance.now();
  const closed = await measure(IN_FLIGHT, SECONDS * 1000, (i) => submit(i));
  const closedIds = [...calls.keys()];
  await allScored(closedIds, 60_000);
  const lastScored = Math.max(...closedIds.map((id) => scoredAt.get(id) ?? Infinity));
  const capacity = closedIds.length / ((lastScored - capacityStart) / 1000);
  calls.clear();

  // 2. Latency, open loop at half the capacity; then the bare insert at the same rate.
  const rate = capacity / 2;
  const loop = new EventLoopProbe(`http://127.0.0.1:${metricsPort}/metrics`);
  loop.start();
  const own = monitorEventLoopDelay({ resolution: 10 });
  own.enable();
  const openStart = performance.now();
  const openSeconds = await openLoop(SAMPLES, 1000 / rate, (i) => submit(1_000_000 + i));
  const open = new Map(calls);
  const openIds = [...open.keys()];
  await allScored(openIds, 60_000);
  loop.stop();
  own.disable();
  const achieved = openIds.length / openSeconds;
  const scoredIds = openIds.filter((id) => scoredAt.has(id) && receivedAt.has(id));
  const total = (id: string) => scoredAt.get(id)! - open.get(id)!.at;
  const latencies = sorted(scoredIds.map(total));
  const p99 = percentile(latencies, 99);
  const bareOpen: number[] = [];
  await openLoop(SAMPLES, 1000 / rate, async () => {
    const t = performance.now();
    await bareInsert();
    bareOpen.push(performance.now() - t);
  });

  // The same writes without the service: what one submission makes the engine do, replayed at the
  // same rate straight through the driver (the key's insert, the report's insert with its two
  // events into a collection with the reports' indexes, then, not waited for, the relay's removal).
  const shaped = await serviceShapedWrites(mongo.db(database), open.keys().next().value!, payloads);
  const shapedOpen: number[] = [];
  await openLoop(SAMPLES, 1000 / rate, async (i) => {
    const t = performance.now();
    const removal = await shaped(i);
    shapedOpen.push(performance.now() - t);
    await removal();
  });

  // Where the time goes: stages for every report, spans for the slowest 1% and for typical ones.
  const byTotal = [...scoredIds].sort((a, b) => total(a) - total(b));
  const slow = byTotal.slice(-Math.min(TRACED, Math.max(1, Math.ceil(byTotal.length / 100))));
  const middle = Math.floor(byTotal.length / 2);
  const typical = byTotal.slice(Math.max(0, middle - Math.floor(TRACED / 2)), middle + Math.ceil(TRACED / 2));
  const [slowSpans, typicalSpans] = [await traced(jaeger.queryUrl, slow, open), await traced(jaeger.queryUrl, typical, open)];

  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| bare insertOne, ${IN_FLIGHT} in flight | ${insert.throughput.toFixed(0)} /s (p50 ${fixed(insert.p50)} ms, p99 ${fixed(insert.p99)} ms) |`);
  console.log(`| SubmitReport answered, ${IN_FLIGHT} in flight (closed loop) | ${closed.throughput.toFixed(0)} /s (p50 ${fixed(closed.p50)} ms, p99 ${fixed(closed.p99)} ms) |`);
  console.log(`| capacity: reports scored (event received) per second | ${capacity.toFixed(0)} /s = ${((capacity / insert.throughput) * 100).toFixed(0)}% of bare insertOne |`);
  console.log(`| open loop at half capacity | ${rate.toFixed(0)} /s offered, ${achieved.toFixed(0)} /s achieved, ${latencies.length} of ${SAMPLES} scored, ${failures} calls failed |`);
  console.log(`| **submit-to-scored** p50 / p95 / p99 / max ms | **${spread(latencies)}** |`);
  console.log(`| ... call to answer | ${spread(scoredIds.map((id) => open.get(id)!.answeredAt - open.get(id)!.at))} |`);
  console.log(`| ... answer to report.received at the consumer | ${spread(scoredIds.map((id) => receivedAt.get(id)! - open.get(id)!.answeredAt))} |`);
  console.log(`| ... report.received to report.scored | ${spread(scoredIds.map((id) => scoredAt.get(id)! - receivedAt.get(id)!))} |`);
  console.log(`| bare insertOne, open loop at the same rate, p50 / p95 / p99 / max ms | ${spread(bareOpen)} |`);
  console.log(`| the same writes without the service (key insert + report insert; removal after), open loop at the same rate, p50 / p95 / p99 / max ms | ${spread(shapedOpen)} |`);
  const windows = loop.between(openStart, performance.now());
  const stalled = (w: { maxDelayMs: number }) => w.maxDelayMs >= 100;
  const slowest = byTotal.slice(-Math.max(1, Math.ceil(byTotal.length / 100)));
  const slowInStall = slowest.filter((id) => loop.between(open.get(id)!.at, scoredAt.get(id)!).some(stalled)).length;
  console.log(`| service event loop during the open loop (read every 250 ms): longest delay; windows with a delay >= 100 ms; GC | ${fixed(Math.max(...windows.map((w) => w.maxDelayMs)))} ms; ${windows.filter(stalled).length} of ${windows.length}; ${fixed(windows.reduce((a, w) => a + w.gcMs, 0))} ms in GC, longest per window ${fixed(Math.max(...windows.map((w) => w.gcMs)))} ms |`);
  console.log(`| the bench's own event loop meanwhile: p99 / longest delay | ${fixed(own.percentile(99) / 1e6)} / ${fixed(own.max / 1e6)} ms |`);
  console.log(`| slowest 1% (${slowest.length}) whose wait overlapped such a stall | ${slowInStall} |`);
  console.log(`\nTarget p99 <= ${TARGET_P99_MS} ms at half capacity: ${p99 <= TARGET_P99_MS ? 'met' : 'NOT met'}.`);

  console.log(`\nSpans (mean start after the call / mean duration, ms) of the ${slow.length} slowest (${fixed(total(slow[0]!))} ms and up) and ${typical.length} typical reports (read back from Jaeger):\n`);
  console.log('| span | slowest: traces | start | duration | typical: traces | start | duration |');
  console.log('|---|---|---|---|---|---|---|');
  const names = [...new Set([...slowSpans, ...typicalSpans].map((s) => s.name))];
  const row = (spans: TimedSpan[], name: string) => {
    const of = spans.filter((s) => s.name === name);
    return `${of.length} | ${fixed(mean(of.map((s) => s.startMs)))} | ${fixed(mean(of.map((s) => s.durationMs)))}`;
  };
  const firstStart = (name: string) => mean([...slowSpans, ...typicalSpans].filter((s) => s.name === name).map((s) => s.startMs));
  for (const name of names.sort((a, b) => firstStart(a) - firstStart(b))) console.log(`| ${name} | ${row(slowSpans, name)} | ${row(typicalSpans, name)} |`);
  console.log('\nSlowest, one by one (ms after the call: span start + duration):');
  for (const id of slow.slice(-5)) {
    const c = open.get(id)!;
    const spans = await timedSpans(jaeger.queryUrl, c.traceId, c.epochMs);
    console.log(`- called ${fixed((c.at - openStart) / 1000)} s into the open loop, ${fixed(total(id))} total, answered ${fixed(c.answeredAt - c.at)}, received ${fixed(receivedAt.get(id)! - c.at)}: ${spans.map((s) => `${s.name} ${fixed(s.startMs)}+${fixed(s.durationMs)}`).join('; ')}`);
  }

  // Anything else the service did while the open loop ran (sweeps, consumers, timers): a query that
  // holds the engine would show here.
  const openEpoch = performance.timeOrigin + openStart;
  const submitPath = new Set([...slowSpans, ...typicalSpans].map((s) => s.name));
  const { listed, seen: others } = await operationsInWindow(jaeger.queryUrl, 'clearinghouse', openEpoch, openEpoch + openSeconds * 1000, submitPath);
  console.log(`\nThe service's other work during the open loop (spans from Jaeger, of ${listed.length} operations it ever traced; s into the loop + ms): ${others.length ? '' : 'none'}`);
  for (const o of others) console.log(`- ${o.name}: ${o.count}, ${fixed(o.totalMs)} ms in all; longest ${o.longest.map((s) => `${fixed(s.startMs / 1000)} s + ${fixed(s.durationMs)}`).join(', ')}`);
  const stallsAt = slow.map((id) => `${fixed((open.get(id)!.at - openStart) / 1000)}`);
  console.log(`(the slowest reports were called at ${stallsAt.join(', ')} s into the loop)`);

  const mem = process.memoryUsage();
  console.log(`\nBench process RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB; node ${process.version}; ${SECONDS}s closed loop; engine ${external ? 'external' : 'embedded FerretDB (SQLite)'}.`);

  messages.stop();
  await nc.close();
  client.close();
  await mongo.close();
  await service.stop();
  await Promise.all([nats.stop(), ferret?.stop(), jaeger.stop()]);
}

interface ShapedDocument {
  _id: string;
  outbox: { id: string; subject: string; payload: string; traceparent: string; createdAt: Date }[];
  outboxSince?: Date;
}

/**
 * One submission's writes, as the service makes them, for a replay without it: returns a function
 * that does the answer's two inserts for submission `i` and resolves to the relay's removal.
 */
async function serviceShapedWrites(db: Db, sampleReportId: string, payloads: Map<string, string>): Promise<(i: number) => Promise<() => Promise<void>>> {
  const reports = db.collection<ShapedDocument>('clearinghouse_reports');
  // The whole stored report (every field, the bytes as received), typed by what the replay changes.
  const template = await reports.findOne({ _id: sampleReportId });
  if (!template) throw new Error(`report ${sampleReportId} not found`);
  console.log(`(replaying a stored report of ${BSON.calculateObjectSize(template)} bytes of BSON, with indexes ${(await reports.listIndexes().toArray()).map((ix) => ix.name as string).join(', ')})`);
  const requests = db.collection<{ _id: string; reportId: string; fingerprint: string; createdAt: Date }>('bare_report_requests');
  const copies = db.collection<ShapedDocument>('bare_reports');
  const indexes = (await reports.listIndexes().toArray()).filter((ix) => ix.name !== '_id_');
  for (const ix of indexes) await copies.createIndex(ix.key as IndexSpecification, { name: ix.name as string });
  return async (i) => {
    const _id = `bare-${i}-${Math.random().toString(36).slice(2)}`;
    const createdAt = new Date();
    const outbox = [RECEIVED, SCORED].map((subject, n) => ({ id: `${_id}-${n}`, subject, payload: payloads.get(subject) ?? '{}', traceparent: newTraceparent().traceparent, createdAt }));
    await requests.insertOne({ _id: `acme:${_id}`, reportId: _id, fingerprint: 'f'.repeat(64), createdAt });
    await copies.insertOne({ ...template, _id, outbox, outboxSince: createdAt });
    return async () => {
      await copies.updateOne({ _id }, { $pullAll: { outbox } });
    };
  };
}

/**
 * The spans of these reports' traces, every one, waiting (up to 30 s) for the batched export to
 * deliver each trace's `publish report.scored` span, the last of the path measured.
 */
async function traced(queryUrl: string, ids: string[], calls: Map<string, Call>): Promise<TimedSpan[]> {
  const out: TimedSpan[] = [];
  for (const id of ids) {
    const { traceId, epochMs } = calls.get(id)!;
    const deadline = Date.now() + 30_000;
    let spans: TimedSpan[] = [];
    while (Date.now() < deadline) {
      spans = await timedSpans(queryUrl, traceId, epochMs);
      if (spans.some((s) => s.name === `publish ${SCORED}`)) break;
      await sleep(250);
    }
    out.push(...spans);
  }
  return out;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
