/** One concern's authorization matrix run against the service (own organisation acme, the other globex), held to EXPECTED. */
import { checkAuthorizationMatrix, type Probe } from '@rampart/testing';
import { EXPECTED } from './authorization-expectation';
import type { ClearinghouseHarness } from './harness';

export function checkConcernMatrix(h: ClearinghouseHarness, probes: Record<string, Probe>, ids: string[]): ReturnType<typeof checkAuthorizationMatrix> {
  return checkAuthorizationMatrix({
    expected: EXPECTED,
    probes,
    token: (role, organization, clearance) => h.auth.token({ roles: [role], organization, clearance }),
    ownOrganization: 'acme',
    otherOrganization: 'globex',
    ids,
  });
}
