/**
 * The operators' RPCs' authorization, cell by cell, against the running service over gRPC: every
 * operators RPC x every role x every clearance x {acme's operator, another organisation's caller, a
 * missing id}, held to the expectation written by hand (authorization-expectation.ts). No cell
 * changes anything: acme stays the one operator registered, with no asset.
 */
import { checkConcernMatrix } from './authorization-matrix';
import { ClearinghouseHarness } from './harness';
import { operatorsProbes } from './operators-probes';

const h = new ClearinghouseHarness();

beforeAll(() => h.start(), 90_000);
afterAll(() => h.stop());

it('answers every operators cell (role x organisation x clearance x RPC) as DESIGN.md expects, and changes nothing', async () => {
  const { probes, ids } = operatorsProbes(h);
  const { cells, mismatches } = await checkConcernMatrix(h, probes, await ids());
  expect(mismatches).toEqual([]);
  // 15 roles x 4 clearances: 7 single-relation probes, 1 entity probe (3).
  expect(cells).toBe(60 * (7 + 3));
  const db = h.mongo.db(h.database);
  expect(await db.collection('clearinghouse_operators').countDocuments({})).toBe(1);
  expect(await db.collection('clearinghouse_assets').countDocuments({})).toBe(0);
}, 180_000);
