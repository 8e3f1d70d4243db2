/**
 * IntakeService's authorization matrix, cell by cell, against the running service over gRPC: every
 * RPC x every role x every clearance x {own organisation's submission, another's, a missing id}.
 * Each allowed cell sends a request that only a caller past authorization can see fail (or succeed)
 * the way it does, and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { intakeV1 } from '@rampart/proto';
import { checkAuthorizationMatrix, rpcCoverageGaps, outcomeOf, type Probe, type Relation } from '@rampart/testing';
import { AUTHORIZATION } from '../src/domain/authorization';
import { EXPECTED } from './authorization-expectation';
import { IntakeHarness, call, details } from './fixtures';

const h = new IntakeHarness();
const missingId = randomUUID();
let submissionId = '';

beforeAll(async () => {
  await h.start();
  const acme = await h.auth.developer('acme');
  submissionId = (await h.submit(acme)).submission!.id;
  // Withdrawn, so that a second withdrawal is a harmless no-op that still proves authorization passed.
  await call(h.client, 'withdrawSubmission', { submissionId, reason: 'authorization matrix' }, acme);
}, 120_000);
afterAll(() => h.stop());

const idFor = (relation: Relation) => (relation === 'missing' ? missingId : submissionId);
const probe = (kind: Probe['kind'], method: Parameters<typeof call>[1], request: (id: string) => object, passed: Probe['passed'], extra: Partial<Probe> = {}): Probe => ({
  kind, passed, ...extra,
  call: (token, relation) => outcomeOf(call(h.client, method, request(idFor(relation)), token)),
});

const PROBES: Record<string, Probe> = {
  // Past authorization, bad details are refused: nothing is stored.
  submitModel: probe('none', 'submitModel', () => ({ details: details({ modelName: '' }), idempotencyKey: 'authorization-matrix' }), { own: status.INVALID_ARGUMENT }),
  getSubmission: probe('entity', 'getSubmission', (submissionId) => ({ submissionId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  listSubmissions: probe('list', 'listSubmissions', () => ({ pageSize: 100 }), { own: status.OK, other: status.OK }, {
    organizationsIn: (r) => (r as intakeV1.ListSubmissionsResponse).submissions.map((s) => s.organization),
  }),
  // expected_revision 0 is refused after the submission is found and authorised.
  amendSubmission: probe('entity', 'amendSubmission', (submissionId) => ({ submissionId, expectedRevision: 0, details: details() }), { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.NOT_FOUND }),
  withdrawSubmission: probe('entity', 'withdrawSubmission', (submissionId) => ({ submissionId, reason: 'again' }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  listSubmissionRevisions: probe('entity', 'listSubmissionRevisions', (submissionId) => ({ submissionId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
};

it('probes every RPC of the service, and its table covers every RPC', () => {
  expect(rpcCoverageGaps(intakeV1.IntakeServiceService, { PROBES, AUTHORIZATION: AUTHORIZATION.rpcs, EXPECTED })).toEqual([]);
});

it('answers every cell (role x organisation x clearance x RPC) as DESIGN.md expects', async () => {
  const { cells, mismatches } = await checkAuthorizationMatrix({
    expected: EXPECTED,
    probes: PROBES,
    token: (role, organization, clearance) => h.auth.token({ roles: [role], organization, clearance }),
    ownOrganization: 'acme',
    otherOrganization: 'globex',
    ids: [submissionId, missingId],
  });
  expect(mismatches).toEqual([]);
  expect(cells).toBeGreaterThan(700);
  // The submission is as it was: no cell changed it.
  const stored = await h.submissions.findOne({ _id: submissionId as never });
  expect(stored?.revision).toBe(2);
}, 120_000);
