/**
 * Custody chains, the enforcement service as deployed (two processes, telemetry on) on nats-server and
 * FerretDB:
 * 1. VerifyCustody of one item whose chain holds 1,099 entries (appended through RecordCustody):
 *    latency over repeated calls from the last signed checkpoint (entry 1,000 at the default
 *    CUSTODY_CHECKPOINT_EVERY of 100: the worst case, 99 entries after it; target <= 100 ms), and of
 *    the whole chain (`from_genesis`);
 * 2. a whole audit: VerifyCustody (from_genesis) of BENCH_AUDIT_ITEMS items (default 10,000) of 20 entries each,
 *    8 in flight; the chains are written straight into the collection with the service's own
 *    hashing (the same documents RecordCustody writes; going through gRPC would take most of an hour);
 * 3. appends per second from the two processes at once (16 in flight, each on its own item, and all
 *    on one item: every append then races for the same next `_id`), beside the bare insertOne rate
 *    against the same FerretDB in the same run.
 *   pnpm run build && node test/dist/bench/enforcement-bench.js   (BENCH_SECONDS=10, BENCH_AUDIT_ITEMS=10000)
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import { bearer, callUnary, insecure } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, REPO_ROOT, ServiceProcess, TestAuth, freePort, uniqueDatabase } from '@rampart/testing';
import { measure, percentile } from './measure';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const AUDIT_ITEMS = Number(process.env.BENCH_AUDIT_ITEMS ?? 10_000);

interface Domain {
  nextEntry(evidenceId: string, head: { sequence: number; hash: string } | undefined, action: object, recordedBy: string, recordedAt: Date): { sequence: number; hash: string } & Record<string, unknown>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the service's build, not a dependency of the test package
const domain = require(path.join(REPO_ROOT, 'services/enforcement/dist/domain')) as Domain;

const fixed = (n: number) => n.toFixed(1);
const action = (i: number) => ({ kind: v1.CustodyActionKind.CUSTODY_ACTION_KIND_EXAMINED, handler: `Agent ${i % 7}`, at: '2026-11-21T10:00:00-06:00[America/Chicago]', location: 'FBI Omaha', purpose: 'bench' });

async function main(): Promise<void> {
  const [ferret, jaeger, nats, auth] = await Promise.all([FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const database = uniqueDatabase('bench');
  const env = { ...auth.env, CUSTODY_CHECKPOINT_KEY: randomBytes(32).toString('base64'), NATS_URL: nats.url, MONGODB_URI: ferret.uri, MONGODB_DB: database, OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error' };
  const services = [await ServiceProcess.start('enforcement', { ...env, METRICS_PORT: String(await freePort()) }), await ServiceProcess.start('enforcement', { ...env, METRICS_PORT: String(await freePort()) })];
  const clients = services.map((s) => new v1.EnforcementServiceClient(s.address, insecure()));
  const analyst = bearer(await auth.token({ roles: ['enforcement-analyst'], organization: 'doj', clearance: 'CUI', subject: 'bench@doj' }, '3h'));
  const referrer = bearer(await auth.token({ roles: ['referrer'], organization: 'bank', subject: 'ciso@bank' }, '3h'));
  const rpc = <T>(i: number, method: Extract<keyof v1.EnforcementServiceClient, string>, request: object, meta = analyst) => callUnary<T>(clients[i % 2]!, v1, method, request, meta);
  const mongo = await new MongoClient(ferret.uri, { maxPoolSize: 64 }).connect();
  try {
    await run(mongo.db(database), rpc, referrer);
  } finally {
    // Stopped however the run ended: a failed run leaves no servers behind.
    for (const c of clients) c.close();
    await mongo.close();
    await Promise.all(services.map((s) => s.stop()));
    await Promise.all([nats.stop(), ferret.stop(), jaeger.stop()]);
  }
}

type Rpc = <T>(i: number, method: Extract<keyof v1.EnforcementServiceClient, string>, request: object, meta?: ReturnType<typeof bearer>) => Promise<T>;

async function run(db: Db, rpc: Rpc, referrer: ReturnType<typeof bearer>): Promise<void> {

  const referral = (await rpc<v1.FileReferralResponse>(0, 'fileReferral', { details: { victim: { name: 'Bank', sector: 'financial-services', size: 'small' }, narrative: 'bench', suspectedStatutes: [v1.Statute.STATUTE_18_USC_1343] }, idempotencyKey: 'bench' }, referrer)).referral!;
  const addItem = async (i: number) => (await rpc<v1.AddEvidenceResponse>(i, 'addEvidence', { referralId: referral.referralId, reference: `locker://bench/${i}`, sha256: 'ab'.repeat(32), sizeBytes: 1, mediaType: 'application/octet-stream', collected: { ...action(0), kind: v1.CustodyActionKind.CUSTODY_ACTION_KIND_COLLECTED } })).evidence!.evidenceId;

  // 1. One chain of 1,000 entries, verified again and again.
  const long = await addItem(0);
  for (let i = 1; i < 1_099; i++) await rpc(i, 'recordCustody', { evidenceId: long, action: action(i) });
  for (const fromGenesis of [false, true]) {
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      const answer = await rpc<v1.VerifyCustodyResponse>(i, 'verifyCustody', { evidenceId: long, fromGenesis });
      times.push(performance.now() - t);
      if (!answer.intact || answer.entries !== 1_099) throw new Error(`the chain did not verify: ${JSON.stringify(answer)}`);
    }
    times.sort((a, b) => a - b);
    const what = fromGenesis ? 'the whole chain (from_genesis)' : 'from the last checkpoint (entry 1,000)';
    console.log(`| VerifyCustody, a chain of 1,099 entries, ${what}, 50 calls | p50 ${fixed(percentile(times, 50))} ms, p95 ${fixed(percentile(times, 95))} ms, max ${fixed(times[times.length - 1]!)} ms${fromGenesis ? '' : ` (target <= 100 ms: ${percentile(times, 95) <= 100 ? 'met at p95' : percentile(times, 50) <= 100 ? 'met at the median, not at p95' : 'NOT met'})`} |`);
  }

  // 2. The audit: chains written straight into the collection, then every item verified.
  const custody = db.collection('enforcement_custody');
  const evidence = db.collection('enforcement_evidence');
  const ids = Array.from({ length: AUDIT_ITEMS }, (_, i) => `0190b4c6-${String(i).padStart(4, '0').slice(-4)}-7000-8000-${String(i).padStart(12, '0')}`);
  for (let start = 0; start < ids.length; start += 200) {
    const items = ids.slice(start, start + 200);
    await evidence.insertMany(items.map((id) => ({ _id: id as never, referralId: referral.referralId, reference: 'locker://audit', sha256: 'cd'.repeat(32), sizeBytes: 1, mediaType: 'application/octet-stream', description: '', addedBy: 'bench', addedAt: new Date(), revision: 1, outbox: [] })));
    const docs: Record<string, unknown>[] = [];
    for (const id of items) {
      let head: { sequence: number; hash: string } | undefined;
      for (let n = 0; n < 20; n++) {
        const entry = domain.nextEntry(id, head, { kind: n === 0 ? 'collected' : 'examined', handler: 'Agent', at: { at: new Date('2026-11-21T16:00:00Z'), zone: 'America/Chicago' }, location: 'FBI Omaha', purpose: 'audit' }, 'bench@doj', new Date(1_700_000_000_000 + n));
        docs.push({ _id: `${id}:${String(entry.sequence).padStart(8, '0')}`, ...entry, revision: 1, outbox: [] });
        head = entry;
      }
    }
    await custody.insertMany(docs, { ordered: false });
  }
  let audited = 0;
  const auditStart = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    while (next < ids.length) {
      const id = ids[next++]!;
      const answer = await rpc<v1.VerifyCustodyResponse>(w, 'verifyCustody', { evidenceId: id, fromGenesis: true });
      if (!answer.intact || answer.entries !== 20) throw new Error(`item ${id} did not verify: ${JSON.stringify(answer)}`);
      audited++;
    }
  }));
  const auditSeconds = (performance.now() - auditStart) / 1000;
  console.log(`| audit: ${audited.toLocaleString('en-US')} items x 20 entries, 8 in flight | ${fixed(auditSeconds)} s, ${fixed(audited / auditSeconds)} items/s |`);

  // 3. Appends from both processes: each worker on its own item, then all on one item.
  const own = await Promise.all(Array.from({ length: 16 }, (_, i) => addItem(i)));
  const spread = await measure(16, SECONDS * 1000, async (i) => { await rpc(i, 'recordCustody', { evidenceId: own[i % 16], action: action(i) }); });
  const shared = await addItem(99);
  // All on one item: a writer that lost 50 races in a row is told ABORTED (retry); counted, then retried.
  let aborted = 0;
  const contended = await measure(16, SECONDS * 1000, async (i) => {
    for (;;) {
      try {
        await rpc(i, 'recordCustody', { evidenceId: shared, action: action(i) });
        return;
      } catch (error) {
        if ((error as { code?: number }).code !== 10) throw error;
        aborted++;
      }
    }
  });
  const sharedOk = await rpc<v1.VerifyCustodyResponse>(0, 'verifyCustody', { evidenceId: shared });
  const bare = db.collection('bare_insert');
  const bareRate = await measure(16, SECONDS * 1000, async () => { await bare.insertOne({ evidenceId: 'x', action: action(0), hash: 'ab'.repeat(32), outbox: [] }); });

  console.log(`| appends, 2 processes, 16 in flight, each on its own item | ${fixed(spread.throughput)}/s (p50 ${fixed(spread.p50)} ms, p99 ${fixed(spread.p99)} ms) = ${fixed((100 * spread.throughput) / bareRate.throughput)}% of bare |`);
  console.log(`| appends, 2 processes, 16 in flight, all on one item | ${fixed(contended.throughput)}/s (p50 ${fixed(contended.p50)} ms, p99 ${fixed(contended.p99)} ms, ${aborted} ABORTED and retried); chain after: ${sharedOk.intact ? 'intact' : 'BROKEN'}, ${sharedOk.entries} entries |`);
  console.log(`| bare insertOne, 16 in flight, same FerretDB | ${fixed(bareRate.throughput)}/s (p50 ${fixed(bareRate.p50)} ms, p99 ${fixed(bareRate.p99)} ms) |`);

}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
