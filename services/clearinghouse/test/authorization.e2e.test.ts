/**
 * ClearinghouseService's authorization matrix, cell by cell, against the running service over gRPC:
 * every RPC x every role x every clearance x {own organisation's report, another's, a missing id}.
 * Each allowed cell sends a request that only a caller past authorization can see fail (or succeed)
 * the way it does, and changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { CLEARANCES, ROLES } from '@rampart/auth';
import { bearer } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { checkAuthorizationMatrix, outcomeOf, rpcCoverageGaps, type Probe, type Relation } from '@rampart/testing';
import { AUTHORIZATION } from '../src/domain/authorization';
import { EXPECTED } from './authorization-expectation';
import { call, ClearinghouseHarness, reportDetails } from './harness';
import { scanningProbes } from './scanning-probes';
import { operatorsProbes } from './operators-probes';

const h = new ClearinghouseHarness();
const missingId = randomUUID();
let reportId = '';

beforeAll(async () => {
  await h.start();
  reportId = (await h.submit(await h.reporter('acme'), reportDetails(), 'authorization-matrix')).report!.id;
}, 120_000);
afterAll(() => h.stop());

const idFor = (relation: Relation) => (relation === 'missing' ? missingId : reportId);
const probe = (kind: Probe['kind'], method: Parameters<typeof call>[1], request: (id: string) => object, passed: Probe['passed'], extra: Partial<Probe> = {}): Probe => ({
  kind, passed, ...extra,
  call: (token, relation) => outcomeOf(call(h.client, method, request(idFor(relation)), token)),
});

const PROBES: Record<string, Probe> = {
  // Past authorization, a body without a title is refused: nothing is stored.
  submitReport: probe('none', 'submitReport', () => ({ details: reportDetails({ title: '' }), idempotencyKey: 'authorization-matrix-probe' }), { own: status.INVALID_ARGUMENT }),
  getReport: probe('entity', 'getReport', (reportId) => ({ reportId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  listReports: probe('list', 'listReports', () => ({ pageSize: 100 }), { own: status.OK, other: status.OK }, {
    organizationsIn: (r) => (r as v1.ListReportsResponse).reports.map((x) => x.organization),
  }),
  // A received report may not be accepted straight away: refused once the report is found and the caller authorised.
  transitionReport: probe('entity', 'transitionReport', (reportId) => ({ reportId, expectedRevision: 1, toStatus: v1.ReportStatus.REPORT_STATUS_ACCEPTED, reasons: ['authorization matrix'] }), {
    own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND,
  }),
  listReportRevisions: probe('entity', 'listReportRevisions', (reportId) => ({ reportId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
  // Embargoes: the report is received, not validated, so has none and cannot get one: nothing changes.
  embargoFlaw: probe('entity', 'embargoFlaw', (flawId) => ({ flawId }), { own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND }),
  extendEmbargo: probe('entity', 'extendEmbargo', (flawId) => ({ flawId, endsAt: '2099-01-01T00:00:00Z', reason: 'matrix' }), { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  liftEmbargo: probe('entity', 'liftEmbargo', (flawId) => ({ flawId, reason: 'matrix' }), { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  getEmbargo: probe('entity', 'getEmbargo', (flawId) => ({ flawId }), { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  // Past authorization, a report without an observation time is refused: nothing is stored.
  reportExploitation: probe('none', 'reportExploitation', (flawId) => ({ flawId, source: { kind: 'operator', name: 'matrix' } }), { own: status.INVALID_ARGUMENT }),
  // Client streaming; past authorization, an empty catalog is refused: nothing is stored.
  importKevCatalog: {
    kind: 'none', passed: { own: status.INVALID_ARGUMENT },
    call: (token) => outcomeOf(new Promise((resolve, reject) => h.client.importKevCatalog(bearer(token), (e, r) => (e ? reject(e) : resolve(r))).end())),
  },
  // One record per flaw: the report is received, not validated, so is no Vulnerability; the others are refused past authorization: nothing changes.
  importAdvisories: probe('none', 'importAdvisories', () => ({ items: [] }), { own: status.INVALID_ARGUMENT }),
  getVulnerability: probe('entity', 'getVulnerability', (vulnerabilityId) => ({ vulnerabilityId }), { own: status.NOT_FOUND, other: status.NOT_FOUND, missing: status.NOT_FOUND }),
  listVulnerabilities: probe('none', 'listVulnerabilities', () => ({ pageSize: 1 }), { own: status.OK }),
  mergeVulnerabilities: probe('none', 'mergeVulnerabilities', () => ({ vulnerabilityIds: [] }), { own: status.INVALID_ARGUMENT }),
  splitVulnerability: probe('none', 'splitVulnerability', () => ({}), { own: status.INVALID_ARGUMENT }),
  undoGroupingDecision: probe('none', 'undoGroupingDecision', () => ({}), { own: status.INVALID_ARGUMENT }),
};

it('probes every RPC of the service, and its table covers every RPC', () => {
  // The scanning RPCs' cells run in scanning-authorization.e2e.test.ts, on their own entities.
  // The operators' RPCs' cells run in operators-authorization.e2e.test.ts.
  const probed = { ...PROBES, ...scanningProbes(h).probes, ...operatorsProbes(h).probes };
  expect(rpcCoverageGaps(v1.ClearinghouseServiceService, { PROBES: probed, AUTHORIZATION: AUTHORIZATION.rpcs, EXPECTED })).toEqual([]);
});

it('answers every cell (role x organisation x clearance x RPC) as DESIGN.md expects', async () => {
  const { cells, mismatches } = await checkAuthorizationMatrix({
    expected: EXPECTED,
    probes: PROBES,
    token: (role, organization, clearance) => h.auth.token({ roles: [role], organization, clearance }),
    ownOrganization: 'acme',
    otherOrganization: 'globex',
    ids: [reportId, missingId],
  });
  expect(mismatches).toEqual([]);
  // Every probe x role x clearance x relation (each concern adds its RPCs: counted, not written down).
  const relations = Object.values(PROBES).reduce((n, p) => n + (p.kind === 'none' ? 1 : p.kind === 'list' ? 2 : 3), 0);
  expect(cells).toBe(relations * ROLES.length * CLEARANCES.length);
  // The report is as it was, and the refused submissions stored nothing: no cell changed anything.
  expect(await h.reports.findOne({ _id: reportId as never })).toMatchObject({ revision: 1, status: 'received' });
  expect(await h.reports.countDocuments({})).toBe(1);
}, 120_000);
