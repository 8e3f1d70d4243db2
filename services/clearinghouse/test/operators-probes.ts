/**
 * Authorization probes of the operators' RPCs, for checkAuthorizationMatrix (own organisation
 * `acme`, registered as an operator on first use): each request, past authorization, fails or
 * succeeds harmlessly, and changes nothing.
 */
import { status } from '@grpc/grpc-js';
import { outcomeOf, type Probe, type Relation } from '@rampart/testing';
import { call, type ClearinghouseHarness } from './harness';

export function operatorsProbes(h: ClearinghouseHarness, organization = 'acme'): { probes: Record<string, Probe>; ids(): Promise<string[]> } {
  const missing = 'no-such-operator';
  let registered: Promise<void> | undefined;
  const entity = () => (registered ??= (async () => {
    const token = await h.auth.token({ roles: ['operator'], organization, subject: `it@${organization}` });
    await call(h.client, 'registerOperator', { name: organization, sector: 'energy', size: 'small', contacts: [{ name: 'IT', email: `it@${organization}.example`, primary: true }] }, token);
  })());
  const idFor = async (relation: Relation) => {
    await entity();
    return relation === 'missing' ? missing : organization;
  };
  const none = (method: Parameters<typeof call>[1], passed: Probe['passed'], request: object = {}): Probe => ({ kind: 'none', passed, call: (token) => outcomeOf(call(h.client, method, request, token)) });
  return {
    ids: async () => [missing, await idFor('own')],
    probes: {
      // Past authorization, a profile without name, sector, size or contacts is refused: nothing is stored.
      registerOperator: none('registerOperator', { own: status.INVALID_ARGUMENT }),
      getOperator: { kind: 'entity', passed: { own: status.OK, other: status.OK, missing: status.NOT_FOUND }, call: async (token, relation) => outcomeOf(call(h.client, 'getOperator', { operatorId: await idFor(relation) }, token)) },
      uploadAssetSbom: none('uploadAssetSbom', { own: status.INVALID_ARGUMENT }),
      enterProducts: none('enterProducts', { own: status.INVALID_ARGUMENT }),
      // The caller's own list (empty): an operator of any organisation, or an analyst's own organisation.
      listNotifications: none('listNotifications', { own: status.OK }),
      acknowledgeNotification: none('acknowledgeNotification', { own: status.INVALID_ARGUMENT }),
      recordRemediation: none('recordRemediation', { own: status.INVALID_ARGUMENT }),
      getExposure: none('getExposure', { own: status.INVALID_ARGUMENT }),
    },
  };
}
