/**
 * Issue 6 review: a hung database must not hang calls. Against a FerretDB this test starts itself
 * and then freezes (SIGSTOP: its sockets stay open and never answer), intake's reads answer
 * UNAVAILABLE (or DEADLINE_EXCEEDED) within the driver timeouts configured through the environment,
 * long before the client's own deadline, with no driver text; the health check keeps answering
 * SERVING meanwhile, and once the database is back (SIGCONT) the same process serves normally.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { insecure } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { binary, freePort, isServing, NatsServer, portOpen, Proc, ServiceProcess, sharedServers, tempDir, TestAuth, waitFor } from '@rampart/testing';

const TIMEOUT_MS = 1_500;
/** Server selection or a socket timeout, plus the kit's answer: well under the client's deadline. */
const BOUND_MS = 4 * TIMEOUT_MS + 2_000;
const CLIENT_DEADLINE_MS = 25_000;

describe('a hung database', () => {
  let ferret: Proc;
  let nats: NatsServer;
  let intake: ServiceProcess;
  let client: intakeV1.IntakeServiceClient;
  let token: string;
  let frozen = false;

  beforeAll(async () => {
    const port = await freePort();
    ferret = new Proc('ferretdb (frozen by the test)', binary('ferretdb'), ['-listen-addr', `127.0.0.1:${port}`, '-sqlite-url', `file:${tempDir('ferretdb-frozen')}/`]);
    ferret.start();
    await waitFor('ferretdb', () => portOpen(port));
    nats = await NatsServer.start();
    const auth = await TestAuth.create();
    token = await auth.developer('acme');
    intake = await ServiceProcess.start('intake', {
      ...auth.env,
      NATS_URL: nats.url,
      MONGODB_URI: `mongodb://127.0.0.1:${port}/`,
      MONGODB_DB: 'frozen',
      OTEL_EXPORTER_OTLP_ENDPOINT: sharedServers().otlpEndpoint,
      MONGODB_SERVER_SELECTION_TIMEOUT_MS: String(TIMEOUT_MS),
      MONGODB_CONNECT_TIMEOUT_MS: String(TIMEOUT_MS),
      MONGODB_SOCKET_TIMEOUT_MS: String(TIMEOUT_MS),
    });
    client = new intakeV1.IntakeServiceClient(intake.address, insecure());
  }, 90_000);

  afterAll(async () => {
    if (frozen && ferret.pid) process.kill(ferret.pid, 'SIGCONT');
    client?.close();
    await intake?.stop();
    await nats?.stop();
    await ferret?.stop();
  });

  const list = () => new Promise<{ code: status; details: string; ms: number }>((resolve) => {
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    const started = Date.now();
    client.listSubmissions(intakeV1.ListSubmissionsRequest.fromPartial({}), metadata, { deadline: new Date(Date.now() + CLIENT_DEADLINE_MS) }, (e: ServiceError | null) =>
      resolve({ code: e?.code ?? status.OK, details: e?.details ?? '', ms: Date.now() - started }));
  });

  it('answers UNAVAILABLE within the configured bound, keeps serving, and recovers when the database is back', async () => {
    expect((await list()).code).toBe(status.OK);

    process.kill(ferret.pid!, 'SIGSTOP');
    frozen = true;
    const answers = await Promise.all(Array.from({ length: 5 }, () => list()));
    for (const answer of answers) {
      expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(answer.code);
      expect(answer.ms).toBeLessThan(BOUND_MS);
      expect(answer.details).not.toMatch(/mongo|socket|timed out|127\.0\.0\.1/i);
    }
    // The process itself is fine: it answers its health check and refuses fast while the database is away.
    expect(await isServing(intake.address)).toBe(true);
    const again = await list();
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(again.code);
    expect(again.ms).toBeLessThan(BOUND_MS);

    process.kill(ferret.pid!, 'SIGCONT');
    frozen = false;
    await waitFor('intake to read again once the database answers', async () => (await list()).code === status.OK, 30_000, 200);
  }, 120_000);
});
