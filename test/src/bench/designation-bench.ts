/**
 * Ingest of a generated 100 MB Inspect `.eval` log by the designation service, as deployed (its own
 * process, telemetry on) on nats-server and FerretDB: wall time of the client-streamed upload, and
 * the designation process's peak resident memory (VmHWM) before and after. Target: under 300 MB.
 *   pnpm run build && node test/dist/bench/designation-bench.js   (BENCH_LOG_MB=100)
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import yauzl from 'yauzl';
import { ZipFile } from 'yazl';
import { bearer, insecure, streamFile } from '@rampart/grpc-kit';
import { designationV1, intakeV1 } from '@rampart/proto';
import { FerretDb, Jaeger, NatsServer, REPO_ROOT, ServiceProcess, TestAuth, tempDir, uniqueDatabase, waitFor } from '@rampart/testing';

const TARGET_MB = Number(process.env.BENCH_LOG_MB ?? 100);
const CONFORMANCE = path.join(REPO_ROOT, '../shared/conformance/inspect/log_streaming.eval');

/** A real .eval's header.json, plus enough sample files (stored, not deflated) to reach the size. */
async function generateEval(file: string): Promise<number> {
  const header = await new Promise<Buffer>((resolve, reject) => yauzl.open(CONFORMANCE, { lazyEntries: true }, (e, zip) => {
    if (e) return reject(e);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== 'header.json') return zip.readEntry();
      zip.openReadStream(entry, (err, s) => {
        if (err) return reject(err);
        const parts: Buffer[] = [];
        s.on('data', (p: Buffer) => parts.push(p));
        s.on('error', reject);
        s.on('end', () => resolve(Buffer.concat(parts)));
      });
    });
    zip.readEntry();
  }));
  const zip = new ZipFile();
  const sample = (i: number) => Buffer.from(JSON.stringify({ id: i, epoch: 1, input: randomBytes(768 * 1024).toString('base64') }));
  const count = Math.ceil((TARGET_MB * 1024 * 1024) / sample(0).length);
  for (let i = 0; i < count; i++) zip.addBuffer(sample(i), `samples/${i}_epoch_1.json`, { compress: false });
  zip.addBuffer(header, 'header.json');
  zip.end();
  await new Promise<void>((resolve, reject) => zip.outputStream.pipe(createWriteStream(file)).on('close', resolve).on('error', reject));
  return statSync(file).size;
}

function peakRssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'))!;
  return Number(line.replace(/\D/g, '')) / 1024;
}

async function main(): Promise<void> {
  const file = path.join(tempDir('bench-eval'), 'big.eval');
  const size = await generateEval(file);
  const [ferret, jaeger, nats, auth] = await Promise.all([FerretDb.start(), Jaeger.start(), NatsServer.start(), TestAuth.create()]);
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: ferret.uri, MONGODB_DB: uniqueDatabase('bench'), OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, LOG_LEVEL: 'error' };
  const intake = await ServiceProcess.start('intake', env);
  const designation = await ServiceProcess.start('designation', env);
  const developer = await auth.developer('acme');
  const evaluator = await auth.token({ roles: ['evaluator'], organization: 'nsa', clearance: 'SECRET' });
  const auditor = await auth.token({ roles: ['auditor'], organization: 'oig', clearance: 'SECRET' });

  const intakeClient = new intakeV1.IntakeServiceClient(intake.address, insecure());
  const client = new designationV1.DesignationServiceClient(designation.address, insecure(), { 'grpc.max_send_message_length': -1 });
  const submitted = await new Promise<intakeV1.SubmitModelResponse>((resolve, reject) => intakeClient.submitModel(intakeV1.SubmitModelRequest.fromPartial({
    idempotencyKey: 'bench', details: { modelName: 'Atlas', modelVersion: '1', description: 'bench', modalities: [intakeV1.Modality.MODALITY_TEXT],
      intendedPartnerReleaseTime: new Date(Date.now() + 864e6), intendedPublicReleaseTime: new Date(Date.now() + 2 * 864e6), pointsOfContact: [{ name: 'A', email: 'a@acme.example', role: '' }] },
  }), bearer(developer), (e, r) => (e ? reject(e) : resolve(r))));
  const caseId = submitted.submission!.id;
  await waitFor('the case', () => new Promise((resolve) => client.getCase({ caseId }, bearer(auditor), (e) => resolve(!e))), 20_000, 100);

  const before = peakRssMiB(designation.pid!);
  const started = performance.now();
  const evidence = await new Promise<designationV1.UploadInspectLogResponse>((resolve, reject) => {
    const call = client.uploadInspectLog(bearer(evaluator), (e, r) => (e ? reject(e) : resolve(r)));
    call.write({ part: { $case: 'header', value: designationV1.InspectLogHeader.fromPartial({ caseId, domains: [designationV1.CapabilityDomain.CAPABILITY_DOMAIN_EXPLOIT_DEVELOPMENT], countedMetrics: ['accuracy'] }) } });
    streamFile(call, file, (chunk) => ({ part: { $case: 'chunk' as const, value: chunk } })).catch(reject);
  });
  const seconds = (performance.now() - started) / 1000;
  const after = peakRssMiB(designation.pid!);

  console.log(`| log | ${(size / 2 ** 20).toFixed(1)} MiB .eval, ${evidence.evidence!.metrics.length} metrics read, sha256 ${evidence.evidence!.sha256.slice(0, 12)}... |`);
  console.log(`| ingest time | ${seconds.toFixed(1)} s (${(size / 2 ** 20 / seconds).toFixed(1)} MiB/s) |`);
  console.log(`| designation peak RSS | ${before.toFixed(0)} MiB before the upload, ${after.toFixed(0)} MiB after (target < 300 MiB: ${after < 300 ? 'met' : 'NOT met'}) |`);

  intakeClient.close();
  client.close();
  await Promise.all([designation.stop(), intake.stop()]);
  await Promise.all([nats.stop(), ferret.stop(), jaeger.stop()]);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
