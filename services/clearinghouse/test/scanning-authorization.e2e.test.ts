/**
 * The scanning RPCs' authorization, cell by cell, against the running service over gRPC: every
 * scanning RPC x every role x every clearance x {acme's request, another organisation's caller, a
 * missing id}, held to the expectation written by hand (authorization-expectation.ts). No cell
 * changes anything: the requests stay as filed, no job is claimed, no finding stored.
 */
import { checkConcernMatrix } from './authorization-matrix';
import { ClearinghouseHarness } from './harness';
import { scanningProbes } from './scanning-probes';

const h = new ClearinghouseHarness();

beforeAll(() => h.start(), 90_000);
afterAll(() => h.stop());

it('answers every scanning cell (role x organisation x clearance x RPC) as DESIGN.md expects, and changes nothing', async () => {
  const { probes, ids } = scanningProbes(h);
  const { cells, mismatches } = await checkConcernMatrix(h, probes, await ids());
  expect(mismatches).toEqual([]);
  // 15 roles x 4 clearances: 4 single-relation probes, 1 list (2), 3 entity probes (3).
  expect(cells).toBe(60 * (4 + 2 + 9));
  const db = h.mongo.db(h.database);
  expect(await db.collection('clearinghouse_scan_requests').countDocuments({})).toBe(2);
  expect(await db.collection('clearinghouse_scan_requests').countDocuments({ status: 'open' })).toBe(1);
  expect(await db.collection('clearinghouse_scan_claims').countDocuments({})).toBe(0);
  expect(await db.collection('clearinghouse_scan_findings').countDocuments({})).toBe(0);
}, 180_000);
