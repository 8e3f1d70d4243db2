/**
 * Issue 6, section 1: a flood of calls with random tiny deadlines, with a forged token and with a
 * valid one, must leave every service serving. A deadline that passed while a token was being
 * verified used to be an unhandled rejection, which ends a Node process. Signature checks are
 * bounded: a call already over is not verified, and past the verifier's bound of checks in flight a
 * call is answered RESOURCE_EXHAUSTED unverified, so forged tokens cannot queue unbounded crypto work.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { isServing, TestAuth } from '@rampart/testing';
import { SERVICES, type HarmlessClient } from './services';
import { System } from './system';

// Enough calls at once that the event loop lags behind the deadlines: the condition that used to
// leave a deadline's rejection unhandled while a token was still being verified.
const CALLS_PER_TOKEN = 5_000;
const IN_FLIGHT = 1_000;

/**
 * Fires `total` calls, keeping `IN_FLIGHT` open at every moment (a new one as each ends), each with a
 * deadline of 1 to 5 ms; counts the status codes.
 */
async function flood(client: HarmlessClient, token: string, total: number): Promise<Map<number, number>> {
  const codes = new Map<number, number>();
  let sent = 0;
  const lane = async () => {
    while (sent < total) {
      sent++;
      const code = await client.call(token, { deadline: new Date(Date.now() + 1 + Math.floor(Math.random() * 5)) }).then(
        () => status.OK,
        (error: ServiceError) => error.code,
      );
      codes.set(code, (codes.get(code) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  return codes;
}

describe.each(SERVICES.map((s) => [s.name, s] as const))('a deadline flood against %s', (_name, spec) => {
  let system: System;
  let client: HarmlessClient;

  // A fresh process for each kind of flood, so one result never depends on the other.
  beforeEach(async () => {
    system = await System.start([spec]);
    client = spec.client(system.service(spec.name).process.address);
  }, 120_000);

  /** Health SERVING and a normal call answered; else the process's last output says why. */
  async function expectServing(): Promise<void> {
    const running = system.service(spec.name).process;
    if (!(await isServing(running.address))) throw new Error(`${spec.name} is not serving after the flood\n${running.log.slice(-4_000)}`);
    await expect(client.call(await spec.token(system.auth), { deadline: new Date(Date.now() + 10_000) })).resolves.toBeDefined();
  }

  afterEach(async () => {
    client?.close();
    await system?.stop();
  });

  it('leaves the service serving after forged-token calls with tiny deadlines', async () => {
    // Same kid as the service's key, signed by another key: the signature is checked, and fails.
    const forger = await TestAuth.create('test-key-1');
    const forged = await forger.token({ roles: ['auditor'], organization: 'nowhere', clearance: 'TOP_SECRET' });
    const codes = await flood(client, forged, CALLS_PER_TOKEN);
    expect(codes.get(status.OK)).toBeUndefined();

    await expectServing();
  }, 180_000);

  it('answers RESOURCE_EXHAUSTED to forged tokens past the bound of verifications in flight, and keeps serving', async () => {
    const forger = await TestAuth.create('test-key-1');
    // Distinct tokens, all sent at once with time to spare: only the bound stops them being checked.
    const forged = await Promise.all(Array.from({ length: 2_000 }, (_, i) => forger.token({ roles: ['auditor'], organization: 'nowhere', subject: `forger${i}@nowhere` })));
    const codes = new Map<number, number>();
    await Promise.all(forged.map((token) => client.call(token, { deadline: new Date(Date.now() + 30_000) }).then(
      () => status.OK,
      (error: ServiceError) => error.code,
    ).then((code) => codes.set(code, (codes.get(code) ?? 0) + 1))));
    expect([...codes.keys()].sort()).toEqual([status.RESOURCE_EXHAUSTED, status.UNAUTHENTICATED].sort());

    await expectServing();
  }, 180_000);

  it('leaves the service serving after valid-token calls with tiny deadlines', async () => {
    await flood(client, await spec.token(system.auth), CALLS_PER_TOKEN);

    await expectServing();
  }, 180_000);
});
