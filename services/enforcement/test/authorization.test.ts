/**
 * The authorization table against the expectation written by hand from DESIGN.md, cell by cell:
 * every RPC x every role x every clearance x {own organisation, another}. Fast; the e2e test holds
 * the running service to the same expectation over gRPC.
 */
import { enforcementV1 } from '@rampart/proto';
import { rpcCoverageGaps, tableMismatches } from '@rampart/testing';
import { AUTHORIZATION } from '../src/domain/authorization';
import { EXPECTED } from './authorization-expectation';

const rpcs = Object.keys(AUTHORIZATION.rpcs) as (keyof typeof AUTHORIZATION.rpcs)[];

it('has a rule, with its reason, for every RPC of the service', () => {
  expect(rpcCoverageGaps(enforcementV1.EnforcementServiceService, { AUTHORIZATION: AUTHORIZATION.rpcs })).toEqual([]);
  expect(AUTHORIZATION.service).toBe('rampart.enforcement.v1.EnforcementService');
  for (const rpc of rpcs) expect(AUTHORIZATION.rpcs[rpc].why.length).toBeGreaterThan(20);
});

it.each(rpcs)('%s: every role x clearance x organisation as expected', (rpc) => {
  expect(tableMismatches(AUTHORIZATION, rpc, EXPECTED[rpc])).toEqual([]);
});
