/**
 * EarlyAccessService's authorization matrix, cell by cell, against the running service over gRPC:
 * every RPC x every role x every clearance x {own organisation's program, another's, a missing id}.
 * Each allowed cell sends a request that only a caller past authorization can see fail (or
 * succeed) the way it does, and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { accessV1 as v1 } from '@rampart/proto';
import { checkAuthorizationMatrix, rpcCoverageGaps, outcomeOf, type Probe, type Relation } from '@rampart/testing';
import { AUTHORIZATION } from '../src/domain/authorization';
import { EXPECTED } from './authorization-expectation';
import { AccessHarness } from './fixtures';

const h = new AccessHarness();
const missing = randomUUID();
const ids = { program: '', activeGrant: '', revokedGrant: '', revokedCredential: '', credentialToken: '' };

beforeAll(async () => {
  await h.start();
  const officer = await h.token('access-officer', 'ostp', 'CUI');
  const eve = await h.token('evaluator', 'nsa', 'CUI', 'eve@nsa');
  ids.program = await h.coveredModel();
  await h.call('openProgram', { submissionId: ids.program }, await h.token('developer', 'acme'));
  await h.publishAgreements(officer);
  const { agreements } = await h.call<v1.ListAgreementsResponse>('listAgreements', {}, eve);
  for (const a of agreements) await h.call('acceptAgreement', { programId: ids.program, kind: a.kind, contentHash: a.contentHash }, eve);
  // A vetoed nomination: approving, vetoing or removing it again is refused, harmlessly.
  await h.call('nominatePartner', { programId: ids.program, partnerOrganization: 'initech' }, officer);
  await h.call('vetoPartner', { programId: ids.program, partnerOrganization: 'initech', reason: 'matrix' }, officer);
  const grant = (request: object) => h.call<v1.IssueGrantResponse>('issueGrant', { programId: ids.program, principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: v1.PrincipalKind.PRINCIPAL_KIND_GOVERNMENT, scopes: ['inference'], purpose: 'matrix', idempotencyKey: randomUUID(), ...request }, officer);
  ids.activeGrant = (await grant({})).grant!.id;
  ids.revokedGrant = (await grant({})).grant!.id;
  await h.call('revokeGrant', { grantId: ids.revokedGrant, reason: 'matrix' }, officer);
  const credential = await h.call<v1.IssueCredentialResponse>('issueCredential', { grantId: ids.activeGrant }, eve);
  ids.revokedCredential = credential.credentialId;
  ids.credentialToken = credential.token;
  await h.call('revokeCredential', { credentialId: ids.revokedCredential }, officer);
}, 180_000);
afterAll(() => h.stop());

const pick = (relation: Relation, id: string) => (relation === 'missing' ? missing : id);
const probe = (kind: Probe['kind'], method: Parameters<typeof h.call>[0], request: (relation: Relation) => object, passed: Probe['passed'], extra: Partial<Probe> = {}): Probe => ({
  kind, passed, ...extra,
  call: (token, relation) => outcomeOf(h.call(method, request(relation), token)),
});
const onProgram = (method: Parameters<typeof h.call>[0], extra: object, passed: Probe['passed']) =>
  probe('entity', method, (r) => ({ programId: pick(r, ids.program), ...extra }), passed);
const READ = { own: status.OK, other: status.OK, missing: status.NOT_FOUND };

const PROBES: Record<string, Probe> = {
  // The model already has its program: only a caller who passed everything else learns that.
  openProgram: probe('none', 'openProgram', () => ({ submissionId: ids.program }), { own: status.ALREADY_EXISTS }),
  getProgram: onProgram('getProgram', {}, READ),
  listPrograms: probe('list', 'listPrograms', () => ({ pageSize: 100 }), { own: status.OK, other: status.OK }, {
    organizationsIn: (r) => (r as v1.ListProgramsResponse).programs.map((p) => p.organization),
  }),
  // A release in the future is refused after the program is found.
  recordPublicRelease: onProgram('recordPublicRelease', { releaseTime: new Date(Date.now() + 86_400_000) }, { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.NOT_FOUND }),
  publishAgreement: probe('none', 'publishAgreement', () => ({ kind: 1, title: '', text: 'x', expectedVersion: 1 }), { own: status.INVALID_ARGUMENT }),
  listAgreements: probe('none', 'listAgreements', () => ({}), { own: status.OK }),
  acceptAgreement: onProgram('acceptAgreement', { kind: 1, contentHash: 'not-a-hash' }, { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.INVALID_ARGUMENT }),
  listAcceptances: onProgram('listAcceptances', {}, READ),
  // The developer organisation cannot be its own partner: refused after the program is found.
  nominatePartner: onProgram('nominatePartner', { partnerOrganization: 'acme' }, { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  approvePartner: onProgram('approvePartner', { partnerOrganization: 'initech' }, { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  vetoPartner: onProgram('vetoPartner', { partnerOrganization: 'initech' }, { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  removePartner: onProgram('removePartner', { partnerOrganization: 'initech' }, { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  listNominations: onProgram('listNominations', {}, READ),
  issueGrant: onProgram('issueGrant', { principal: 'x@nsa', principalOrganization: 'nsa', principalKind: 1, scopes: [], purpose: 'p' }, { own: status.INVALID_ARGUMENT, other: status.INVALID_ARGUMENT, missing: status.NOT_FOUND }),
  // Revoking a revoked grant changes nothing.
  revokeGrant: probe('entity', 'revokeGrant', (r) => ({ grantId: pick(r, ids.revokedGrant), reason: 'again' }), READ),
  listGrants: onProgram('listGrants', {}, READ),
  listMyGrants: probe('none', 'listMyGrants', () => ({}), { own: status.OK }),
  // The matrix's callers hold no grant: to them, eve's grant does not exist.
  issueCredential: probe('entity', 'issueCredential', (r) => ({ grantId: pick(r, ids.activeGrant) }), { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  revokeCredential: probe('entity', 'revokeCredential', (r) => ({ credentialId: pick(r, ids.revokedCredential) }), READ),
  verifyCredential: probe('none', 'verifyCredential', () => ({ token: ids.credentialToken }), { own: status.OK }),
  getVerificationKeys: probe('none', 'getVerificationKeys', () => ({}), { own: status.OK }),
  // An unknown credential is refused once the program is found: nothing is appended.
  reportAccess: onProgram('reportAccess', { credentialId: missing, principal: 'eve@nsa', principalOrganization: 'nsa', operation: 'generate', volume: 1 }, { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  listAccessRecords: onProgram('listAccessRecords', {}, READ),
  verifyAccessLog: onProgram('verifyAccessLog', {}, READ),
  listCheckpoints: onProgram('listCheckpoints', {}, READ),
  listSignals: onProgram('listSignals', {}, READ),
};

it('probes every RPC of the service, and its table covers every RPC', () => {
  expect(rpcCoverageGaps(v1.EarlyAccessServiceService, { PROBES, AUTHORIZATION: AUTHORIZATION.rpcs, EXPECTED })).toEqual([]);
});

it('answers every cell (role x organisation x clearance x RPC) as DESIGN.md expects', async () => {
  const { cells, mismatches } = await checkAuthorizationMatrix({
    expected: EXPECTED,
    probes: PROBES,
    token: (role, organization, clearance) => h.auth.token({ roles: [role], organization, clearance }),
    ownOrganization: 'acme',
    otherOrganization: 'globex',
    ids: [ids.program, ids.activeGrant, ids.revokedGrant, ids.revokedCredential, missing],
  });
  expect(mismatches).toEqual([]);
  expect(cells).toBeGreaterThan(3_000);
  // Nothing changed: no record appended, the program still open, the nomination still vetoed.
  const { records } = await h.call<v1.ListAccessRecordsResponse>('listAccessRecords', { programId: ids.program }, await h.token('developer', 'acme'));
  expect(records).toEqual([]);
  const { program } = await h.call<v1.GetProgramResponse>('getProgram', { programId: ids.program }, await h.token('developer', 'acme'));
  expect(program).toMatchObject({ status: v1.ProgramStatus.PROGRAM_STATUS_OPEN, revision: 1 });
}, 300_000);
