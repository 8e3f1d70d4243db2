/**
 * What each kind of query and update costs on an engine, at rest, on a collection of 5,000
 * submission-sized documents: the numbers behind docs/engine-costs.md. Runs on the embedded FerretDB
 * (SQLite) unless BENCH_MONGODB_URI names another engine (MongoDB, FerretDB on PostgreSQL).
 *   pnpm run build && node test/dist/bench/engine-costs.js   (BENCH_DOCS=5000, BENCH_REPEAT=20)
 */
import { MongoClient, type Collection } from 'mongodb';
import { FerretDb, uniqueDatabase } from '@rampart/testing';
import { percentile } from './measure';

const DOCS = Number(process.env.BENCH_DOCS ?? 5_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 20);


const details = {
  modelName: 'Atlas', modelVersion: '2.1', description: 'A frontier model in development, submitted by the benchmark',
  modalities: ['text', 'code'], trainingComputeFlop: 3e25, parameterCount: 4e11,
  intendedPartnerReleaseAt: new Date(), intendedPublicReleaseAt: new Date(),
  selfReportedEvaluations: [{ benchmark: 'Cybench', score: 0.42, evaluationDate: '2026-11-01' }],
  pointsOfContact: [{ name: 'Ada', email: 'ada@acme.example', role: 'security lead' }],
};

interface Doc {
  _id: string;
  organization: string;
  revision: number;
  outbox: { id: string; subject: string; payload: string; createdAt: Date }[];
  outboxSince?: Date;
  status?: string;
  details: typeof details;
  history: { revision: number; details: typeof details }[];
  touched?: number;
}

const payload = JSON.stringify({ specversion: '1.0', data: details }).padEnd(1_000, ' ');
const id = (i: number) => `0193b0a8-7c1e-7000-8000-${String(i).padStart(12, '0')}`;
const entry = (i: number) => ({ id: `event-${i}-${Math.random()}`, subject: 'rampart.intake.submission.received', payload, createdAt: new Date() });

function summary(samples: number[]): { p50: number; max: number } {
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), max: samples[samples.length - 1]! };
}

async function time(repeat: number, op: (i: number) => Promise<unknown>): Promise<{ p50: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    await op(i);
    samples.push(performance.now() - t);
  }
  return summary(samples);
}

async function main(): Promise<void> {
  const external = process.env.BENCH_MONGODB_URI;
  const ferret = external ? undefined : await FerretDb.start();
  const mongo = await new MongoClient(external ?? ferret!.uri).connect();
  const db = mongo.db(uniqueDatabase('engine'));
  const c: Collection<Doc> = db.collection<Doc>('submissions');
  // A change's claims (libs/events claimed-changes.ts): one per revision after the first, as many as submissions.
  const claims = db.collection<{ _id: string; revision: number; state: object; events: object[] }>('submissions_revisions');
  await c.createIndex({ organization: 1, _id: 1 }, { name: 'org_id' });
  await c.createIndex({ outboxSince: 1 }, { name: 'outbox_since' });
  await c.createIndex({ 'outbox.createdAt': 1 }, { name: 'outbox_pending' });
  const batch: Doc[] = [];
  for (let i = 0; i < DOCS; i++) {
    batch.push({ _id: id(i), organization: `org-${i % 50}`, status: 'received', revision: 1, details, history: [{ revision: 1, details }], outbox: [] });
    if (batch.length === 500) await c.insertMany(batch.splice(0));
  }
  if (batch.length) await c.insertMany(batch);
  for (let i = 0; i < DOCS; i += 500) {
    await claims.insertMany(Array.from({ length: Math.min(500, DOCS - i) }, (_, k) => ({ _id: `${id(i + k)}:000002`, revision: 2, state: { details }, events: [] })));
  }
  // Two pending documents, as the sweep would find them.
  await c.updateMany({ _id: { $in: [id(10), id(DOCS - 10)] } }, { $push: { outbox: entry(0) }, $set: { outboxSince: new Date() } });

  const late = (i: number) => id(DOCS - 1 - (i % 50)); // the newest documents: the last rows a scan reaches
  const early = (i: number) => id(i % 50);
  const rows: [string, () => Promise<{ p50: number; max: number }>][] = [
    ['`insertOne`', () => time(REPEAT, (i) => c.insertOne({ _id: `new-${i}-${Math.random()}`, organization: 'org-1', revision: 1, details, history: [], outbox: [entry(i)] }))],
    ['`findOne({_id})`, one of the oldest documents', () => time(REPEAT, (i) => c.findOne({ _id: early(i) }))],
    ['`findOne({_id})`, one of the newest documents', () => time(REPEAT, (i) => c.findOne({ _id: late(i) }))],
    ['`updateOne({_id}, {$set})`, newest', () => time(REPEAT, (i) => c.updateOne({ _id: late(i) }, { $set: { touched: i } }))],
    ['`updateOne({_id}, {$pullAll: {outbox: [entry]}})` (the relay\'s removal), newest', async () => {
      const samples: number[] = [];
      for (let i = 0; i < REPEAT; i++) {
        const e = entry(i);
        await c.updateOne({ _id: late(i + 7) }, { $push: { outbox: e } });
        const t = performance.now();
        await c.updateOne({ _id: late(i + 7) }, { $pullAll: { outbox: [e] } });
        samples.push(performance.now() - t);
      }
      return summary(samples);
    }],
    ['`updateOne({_id, revision}, ...)`, newest', () => time(REPEAT, (i) => c.updateOne({ _id: late(i), revision: 1 }, { $set: { touched: i } }))],
    ['claim check: `findOne({_id})` of an absent claim (a read by id\'s second lookup)', () => time(REPEAT, (i) => claims.findOne({ _id: `${late(i)}:999999` }, { projection: { _id: 1 } }))],
    ['claimed change: `insertOne` of the claim, then `updateOne({_id}, {$set, $push})`, newest', () => time(REPEAT, async (i) => {
      await claims.insertOne({ _id: `${late(i)}:${String(100 + i).padStart(6, '0')}`, revision: 100 + i, state: { details, touched: i }, events: [entry(i)] });
      await c.updateOne({ _id: late(i) }, { $set: { touched: i }, $push: { outbox: entry(i) } });
    })],
    ['`find({organization})` (indexed), first 20', () => time(Math.min(REPEAT, 5), (i) => c.find({ organization: `org-${i}` }).limit(20).toArray())],
    ['relay sweep `find({\'outbox.createdAt\': {$lte: now}})`', () => time(Math.min(REPEAT, 5), () => c.find({ 'outbox.createdAt': { $lte: new Date() } }, { projection: { _id: 1, outbox: 1 } }).limit(500).toArray())],
    ['old relay pass `find({outboxSince: {$lte: now}}).sort(...)`', () => time(Math.min(REPEAT, 5), () => c.find({ outboxSince: { $lte: new Date() } }, { projection: { _id: 1, outbox: 1 } }).sort({ outboxSince: 1 }).limit(100).toArray())],
    ['`updateMany({_id: {$in: 100 ids}}, ...)`', () => time(3, (i) => c.updateMany({ _id: { $in: Array.from({ length: 100 }, (_, k) => id(k * 7 + i)) } }, { $set: { touched: i } }))],
  ];
  const engine = external ? `external engine (${new URL(external).host})` : 'embedded FerretDB v1 (SQLite)';
  console.log(`${engine}: ${DOCS} submission-sized documents (${JSON.stringify(await c.findOne({ _id: id(1) })).length} bytes each), at rest, ${REPEAT} repeats; node ${process.version}\n`);
  console.log('| operation | p50 ms | max ms |\n|---|---|---|');
  for (const [name, run] of rows) {
    const r = await run();
    console.log(`| ${name} | ${r.p50.toFixed(1)} | ${r.max.toFixed(1)} |`);
  }
  await mongo.close();
  await ferret?.stop();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
