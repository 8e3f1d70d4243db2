/**
 * grpcurl (the real binary, built by deploy/local/install-servers.sh) lists, describes and calls every
 * service by server reflection alone: no .proto files on the client. Each service is one line of
 * SERVICES; a new service adds its line.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { binary, NatsServer, ServiceProcess, sharedServers, TestAuth, uniqueDatabase } from '@rampart/testing';
import { credentialKeysFile } from './services';

type Caller = Parameters<TestAuth['token']>[0];

interface ReflectedService {
  /** services/<name>, started in this order. */
  name: string;
  service: string;
  /** A message with a google.protobuf.Timestamp field. */
  timestamped: string;
  /** The README's kind of call: a read with a bearer token. */
  read: { method: string; caller: Caller };
  /** A call with one bad field: grpcurl must decode google.rpc.BadRequest from the status details. */
  invalid: { method: string; body: object; field: string; caller: Caller };
  env?: Record<string, string>;
}

const developer: Caller = { roles: ['developer'], organization: 'acme', clearance: 'UNCLASSIFIED' };
const auditor: Caller = { roles: ['auditor'], organization: 'oig', clearance: 'SECRET' };

const SERVICES: ReflectedService[] = [
  { name: 'intake', service: 'rampart.intake.v1.IntakeService', timestamped: 'rampart.intake.v1.Submission', read: { method: 'ListSubmissions', caller: developer }, invalid: { method: 'GetSubmission', body: { submission_id: 'x' }, field: 'submission_id', caller: developer } },
  { name: 'designation', service: 'rampart.designation.v1.DesignationService', timestamped: 'rampart.designation.v1.Case', read: { method: 'ListCases', caller: auditor }, invalid: { method: 'GetCase', body: { case_id: 'x' }, field: 'case_id', caller: auditor } },
  { name: 'early-access', service: 'rampart.access.v1.EarlyAccessService', timestamped: 'rampart.access.v1.AccessProgram', read: { method: 'ListPrograms', caller: developer }, invalid: { method: 'GetProgram', body: { program_id: 'x' }, field: 'program_id', caller: developer }, get env() { return { CREDENTIAL_KEYS_FILE: credentialKeysFile() }; } },
  { name: 'clearinghouse', service: 'rampart.clearinghouse.v1.ClearinghouseService', timestamped: 'rampart.clearinghouse.v1.VulnerabilityReport', read: { method: 'ListReports', caller: auditor }, invalid: { method: 'GetReport', body: { report_id: 'x' }, field: 'report_id', caller: auditor } },
  { name: 'enforcement', service: 'rampart.enforcement.v1.EnforcementService', timestamped: 'rampart.enforcement.v1.Referral', read: { method: 'ListReferrals', caller: auditor }, invalid: { method: 'GetReferral', body: { referral_id: 'x' }, field: 'referral_id', caller: auditor }, env: { CUSTODY_CHECKPOINT_KEY: randomBytes(32).toString('base64') } },
];

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function grpcurl(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(binary('grpcurl'), args, { timeout: 30_000 }, (error, stdout, stderr) => {
      // A number is grpcurl's exit code; anything else (not found, killed by the timeout) is a failure to run it.
      if (!error) resolve({ code: 0, stdout, stderr });
      else if (typeof error.code === 'number') resolve({ code: error.code, stdout, stderr });
      else reject(new Error(`grpcurl did not run: ${error.message}`, { cause: error }));
    });
  });
}

/** grpcurl's output and the services' logs when the exit code is not `expected`, so a failure explains itself. */
function expectExit(run: Run, expected = 0): void {
  if (run.code === expected) return;
  const logs = [...running.values()].map((s) => s.log).join('\n');
  throw new Error(`grpcurl exited ${run.code}, expected ${expected}\nstdout: ${run.stdout}\nstderr: ${run.stderr}\n${logs}`);
}

let nats: NatsServer;
let auth: TestAuth;
const running = new Map<string, ServiceProcess>();

beforeAll(async () => {
  const servers = sharedServers();
  nats = await NatsServer.start();
  auth = await TestAuth.create();
  const env = { ...auth.env, NATS_URL: nats.url, MONGODB_URI: servers.mongodbUri, MONGODB_DB: uniqueDatabase('grpcurl'), OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint };
  for (const s of SERVICES) running.set(s.name, await ServiceProcess.start(s.name, { ...env, ...s.env }));
}, 120_000);

afterAll(async () => {
  for (const s of [...running.values()].reverse()) await s.stop();
  await nats?.stop();
});

const token = (c: Caller) => auth.token(c);

describe.each(SERVICES)('$name by reflection', (s) => {
  const address = () => running.get(s.name)!.address;

  it('lists the service and its methods', async () => {
    const services = await grpcurl('-plaintext', address(), 'list');
    expectExit(services);
    expect(services.stdout.split('\n')).toContain(s.service);
    const methods = await grpcurl('-plaintext', address(), 'list', s.service);
    expectExit(methods);
    expect(methods.stdout.split('\n')).toContain(`${s.service}.${s.read.method}`);
  });

  it('describes the service, a message with a Timestamp, and the well-known type itself', async () => {
    const service = await grpcurl('-plaintext', address(), 'describe', s.service);
    expectExit(service);
    expect(service.stdout).toContain(`rpc ${s.read.method} (`);
    const message = await grpcurl('-plaintext', address(), 'describe', s.timestamped);
    expectExit(message);
    expect(message.stdout).toContain('.google.protobuf.Timestamp');
    const timestamp = await grpcurl('-plaintext', address(), 'describe', 'google.protobuf.Timestamp');
    expectExit(timestamp);
    expect(timestamp.stdout).toMatch(/message Timestamp \{/);
  });

  it("makes the README's call: a read with a bearer token", async () => {
    const run = await grpcurl('-plaintext', '-H', `authorization: Bearer ${await token(s.read.caller)}`, '-d', '{}', address(), `${s.service}/${s.read.method}`);
    expectExit(run);
    expect(JSON.parse(run.stdout)).toEqual(expect.any(Object));
  });

  it('shows bad input as google.rpc.BadRequest naming the field', async () => {
    const run = await grpcurl('-plaintext', '-format-error', '-H', `authorization: Bearer ${await token(s.invalid.caller)}`, '-d', JSON.stringify(s.invalid.body), address(), `${s.service}/${s.invalid.method}`);
    expectExit(run, 64 + 3); // grpcurl exits 64 + the status code; INVALID_ARGUMENT is 3
    const status = JSON.parse(run.stderr) as { code: number; details: { '@type': string; fieldViolations: { field: string }[] }[] };
    expect(status.code).toBe(3);
    expect(status.details).toEqual([expect.objectContaining({ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [expect.objectContaining({ field: s.invalid.field })] })]);
  });
});

it('submits through intake with timestamps in JSON and reads them back as RFC 3339', async () => {
  const intake = running.get('intake')!.address;
  const headers = ['-H', `authorization: Bearer ${await token(developer)}`];
  const year = new Date().getUTCFullYear() + 1;
  const details = {
    model_name: 'Atlas', model_version: '5', description: 'frontier model', modalities: ['MODALITY_TEXT'],
    intended_partner_release_time: `${year}-01-01T00:00:00Z`, intended_public_release_time: `${year}-06-01T00:00:00Z`,
    points_of_contact: [{ name: 'Ada', email: 'ada@acme.example', role: 'lead' }],
  };
  const submit = await grpcurl('-plaintext', ...headers, '-d', JSON.stringify({ details, idempotency_key: `grpcurl-${Date.now()}` }), intake, 'rampart.intake.v1.IntakeService/SubmitModel');
  expectExit(submit);
  const { submission } = JSON.parse(submit.stdout) as { submission: { id: string; details: { intendedPartnerReleaseTime: string } } };
  expect(submission.details.intendedPartnerReleaseTime).toBe(`${year}-01-01T00:00:00Z`);

  const list = await grpcurl('-plaintext', ...headers, '-d', '{}', intake, 'rampart.intake.v1.IntakeService/ListSubmissions');
  expectExit(list);
  const { submissions } = JSON.parse(list.stdout) as { submissions: { id: string; createTime: string }[] };
  expect(submissions.find((x) => x.id === submission.id)?.createTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});
