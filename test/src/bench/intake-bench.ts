/**
 * SubmitModel against its two bare primitives, at 1, 16 and 64 requests in flight, on loopback:
 * the intake service runs as deployed (its own process, outbox relay on, spans exported to Jaeger)
 * on nats-server and FerretDB; beside it, in the same run, a grpc-js unary echo server process and
 * insertOne through the driver. Also submit-to-published latency: from the call's start until the
 * event arrives at a NATS subscriber. Prints a markdown report; docs/benchmarks.md keeps it.
 *   pnpm run build && pnpm run bench   (BENCH_SECONDS=10 by default)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { credentials, makeGenericClientConstructor, Metadata } from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import { bearer, insecure } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, ServiceProcess, TestAuth, uniqueDatabase } from '@rampart/testing';
import { ECHO } from './echo-server';
import { measure, percentile, type Result } from './measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const LEVELS = [1, 16, 64];
const DAY = 86_400_000;

function details(i: number): intakeV1.ModelDetails {
  return intakeV1.ModelDetails.fromPartial({
    modelName: 'Atlas', modelVersion: `bench-${i}`, description: 'A frontier model in development, submitted by the benchmark',
    modalities: [intakeV1.Modality.MODALITY_TEXT, intakeV1.Modality.MODALITY_CODE], trainingComputeFlop: 3e25, parameterCount: 4e11,
    intendedPartnerReleaseTime: new Date(Date.now() + 10 * DAY), intendedPublicReleaseTime: new Date(Date.now() + 40 * DAY),
    selfReportedEvaluations: [{ benchmark: 'Cybench', score: 0.42, evaluationDate: '2026-11-01' }],
    pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'security lead' }],
  });
}

async function startEcho(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, [path.join(__dirname, 'echo-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  return { port, stop: () => child.kill() };
}

const row = (name: string, c: number, r: Result) => `| ${name} | ${c} | ${r.throughput.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.requests} |`;

async function main(): Promise<void> {
  const [ferret, jaeger, nats, auth] = await Promise.all([FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const database = uniqueDatabase('bench');
  const intake = await ServiceProcess.start('intake', {
    ...auth.env, NATS_URL: nats.url, MONGODB_URI: ferret.uri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error',
  });
  const echo = await startEcho();
  const mongo = await new MongoClient(ferret.uri, { maxPoolSize: 100 }).connect();
  const bare = mongo.db(database).collection('bare_insert');
  const token = await auth.developer('acme');
  const client = new intakeV1.IntakeServiceClient(intake.address, insecure(), { 'grpc.max_concurrent_streams': 1000 });
  const EchoClient = makeGenericClientConstructor(ECHO, 'Echo');
  const echoClient = new EchoClient(`127.0.0.1:${echo.port}`, credentials.createInsecure()) as unknown as { echo(b: Buffer, m: Metadata, cb: (e: Error | null) => void): void };
  const payload = Buffer.alloc(600, 1); // about a SubmitModelRequest's size
  const metadata = bearer(token);
  const sample = details(0);
  const docBody = { organization: 'acme', status: 'received', revision: 1, details: { ...sample }, history: [{ revision: 1, details: { ...sample } }], outbox: [] };

  // Submit-to-published: when each submission's event reaches a subscriber.
  const nc = await connect({ servers: nats.url });
  const published = new Map<string, number>();
  const sub = nc.subscribe('rampart.intake.submission.received');
  void (async () => {
    for await (const m of sub) published.set((m.json() as { subject: string }).subject, performance.now());
  })();
  const started = new Map<string, number>();

  const submit = (i: number, recordStart: boolean) =>
    new Promise<void>((resolve, reject) => {
      const t = performance.now();
      client.submitModel(intakeV1.SubmitModelRequest.fromPartial({ details: details(i), idempotencyKey: `bench-${Date.now()}-${i}-${Math.random()}` }), metadata, (error, response) => {
        if (error) return reject(error);
        if (recordStart) started.set(response!.submission!.id, t);
        resolve();
      });
    });

  // Warm up connections, JIT and the collections.
  await measure(8, 2_000, (i) => submit(i, false));
  await measure(8, 1_000, () => new Promise((res, rej) => echoClient.echo(payload, new Metadata(), (e) => (e ? rej(e) : res()))));
  await measure(8, 1_000, () => bare.insertOne({ ...docBody }).then(() => undefined));

  const lines = ['| operation | in flight | req/s | p50 ms | p99 ms | requests |', '|---|---|---|---|---|---|'];
  const at16: Record<string, Result> = {};
  for (const c of LEVELS) {
    const echoR = await measure(c, SECONDS * 1000, () => new Promise((res, rej) => echoClient.echo(payload, new Metadata(), (e) => (e ? rej(e) : res()))));
    const insertR = await measure(c, SECONDS * 1000, () => bare.insertOne({ ...docBody }).then(() => undefined));
    const submitR = await measure(c, SECONDS * 1000, (i) => submit(i, c === 16));
    lines.push(row('grpc-js unary echo (bare)', c, echoR), row('insertOne via driver (bare)', c, insertR), row('SubmitModel', c, submitR));
    if (c === 16) Object.assign(at16, { echo: echoR, insert: insertR, submit: submitR });
    process.stderr.write(`done: ${c} in flight\n`);
  }

  // Let the relay finish, then submit-to-published for the 16-in-flight run.
  const deadline = Date.now() + 120_000;
  while ([...started.keys()].some((id) => !published.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const delays = [...started].filter(([id]) => published.has(id)).map(([id, t]) => published.get(id)! - t).sort((a, b) => a - b);
  const slower = Math.min(at16.echo!.throughput, at16.insert!.throughput);
  const ratio = at16.submit!.throughput / slower;

  const mem = process.memoryUsage();
  console.log(lines.join('\n'));
  console.log(`\nSubmit-to-published (16 in flight, ${delays.length} of ${started.size} events seen): p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms`);
  console.log(`At 16 in flight: SubmitModel ${at16.submit!.throughput.toFixed(0)} req/s = ${(ratio * 100).toFixed(0)}% of the slower bare primitive (${slower.toFixed(0)} req/s). Target 60%: ${ratio >= 0.6 ? 'met' : 'NOT met'}.`);
  console.log(`Bench process RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB; node ${process.version}; ${SECONDS}s per cell.`);

  sub.unsubscribe();
  await nc.close();
  client.close();
  await mongo.close();
  echo.stop();
  await intake.stop();
  await Promise.all([nats.stop(), ferret.stop(), jaeger.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
