/**
 * A consultee answers for one agency and reads only the cases whose consultation is addressed to
 * it, over gRPC against the running service: every other case, its evidence and its listing answer
 * exactly as a missing case does (no existence oracle), and so does recording a view on it.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { designationV1 as v1 } from '@rampart/proto';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const tokens: Record<string, string> = {};
let consulted = '';
let other = '';
const missing = randomUUID();

/** The gRPC code and message of a call, its ids masked. */
const answer = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => `${status[e.code]}: ${e.details.replaceAll(other, '<id>').replaceAll(missing, '<id>').replaceAll(consulted, '<id>')}`);

beforeAll(async () => {
  await h.start();
  Object.assign(tokens, await h.cast());
  tokens.doe = await h.auth.token({ roles: ['consultee'], organization: 'doe', clearance: 'SECRET', agency: 'DOE' });
  tokens.noAgency = await h.auth.token({ roles: ['consultee'], organization: 'cisa', clearance: 'SECRET' });
  [consulted, other] = await Promise.all([h.submit(tokens.acme!), h.submit(tokens.acme!)]);
  await Promise.all([h.waitForCase(consulted, tokens.authority!), h.waitForCase(other, tokens.authority!)]);
  await h.call('requestConsultation', { caseId: consulted }, tokens.authority!); // ONCD, CISA and FBI (the harness's consultees)
}, 120_000);
afterAll(() => h.stop());

it('lets a consultee read a case addressed to its agency, with its evidence', async () => {
  const c = (await h.call<v1.GetCaseResponse>('getCase', { caseId: consulted }, tokens.cisa!)).case!;
  expect(c.consultation?.entries.map((e) => e.agency)).toContain('CISA');
  await expect(answer(h.call('listEvidence', { caseId: consulted }, tokens.cisa!))).resolves.toBe('OK');
});

it('answers every other case as a missing one: reading it, its evidence, recording a view on it', async () => {
  for (const [what, call] of [
    ['getCase', (id: string, t: string) => h.call('getCase', { caseId: id }, t)],
    ['listEvidence', (id: string, t: string) => h.call('listEvidence', { caseId: id }, t)],
    ['recordConsultationView', (id: string, t: string) => h.call('recordConsultationView', { caseId: id, view: v1.ConsultationView.CONSULTATION_VIEW_CONCUR }, t)],
  ] as const) {
    const absent = await answer(call(missing, tokens.cisa!));
    expect([what, absent]).toEqual([what, 'NOT_FOUND: case <id> not found']);
    // Not addressed to CISA; addressed to CISA but read as DOE, or with no agency in the token.
    expect([what, await answer(call(other, tokens.cisa!))]).toEqual([what, absent]);
    expect([what, await answer(call(consulted, tokens.doe!))]).toEqual([what, absent]);
    expect([what, await answer(call(consulted, tokens.noAgency!))]).toEqual([what, absent]);
  }
  // Nothing was recorded on the case CISA could not see.
  expect((await h.call<v1.GetCaseResponse>('getCase', { caseId: other }, tokens.auditor!)).case!.consultation).toBeUndefined();
});

it('lists to a consultee only the cases addressed to its agency', async () => {
  const listed = async (token: string) => (await h.call<v1.ListCasesResponse>('listCases', { pageSize: 100 }, token)).cases.map((c) => c.id);
  expect(await listed(tokens.auditor!)).toEqual(expect.arrayContaining([consulted, other]));
  expect(await listed(tokens.cisa!)).toEqual([consulted]);
  expect(await listed(tokens.oncd!)).toEqual([consulted]);
  expect(await listed(tokens.doe!)).toEqual([]);
  expect(await listed(tokens.noAgency!)).toEqual([]);
});
