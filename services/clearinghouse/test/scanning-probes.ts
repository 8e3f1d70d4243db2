/**
 * Authorization probes of the scanning RPCs, for checkAuthorizationMatrix (own organisation
 * `acme`): each sends a request that, past authorization, fails or succeeds harmlessly in a way only
 * an authorised caller can reach, and changes nothing. The entities (an open request of acme's and
 * a cancelled one) are filed on first use.
 */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { outcomeOf, type Probe, type Relation } from '@rampart/testing';
import { call, type ClearinghouseHarness } from './harness';
import { openWindow, operator, upload } from './scanning-client';

export interface ScanningProbes {
  probes: Record<string, Probe>;
  /** The ids that answers may hold (masked when comparing another organisation's entity and a missing one). */
  ids(): Promise<string[]>;
}

export function scanningProbes(h: ClearinghouseHarness, organization = 'acme'): ScanningProbes {
  const missing = randomUUID();
  let filed: Promise<{ open: string; cancelled: string }> | undefined;
  const entities = () => (filed ??= (async () => {
    const token = await operator(h, organization);
    const fileOne = async () => (await call<v1.FileScanRequestResponse>(h.client, 'fileScanRequest', {
      targets: [{ kind: v1.ScanTargetKind.SCAN_TARGET_KIND_HOST, value: 'portal.acme-utility.org' }], scope: [v1.ScanKind.SCAN_KIND_PASSIVE], window: openWindow(),
    }, token)).scanRequest!.id;
    const [open, cancelled] = [await fileOne(), await fileOne()];
    await call(h.client, 'cancelScanRequest', { requestId: cancelled, reason: 'filed for the authorization matrix' }, token);
    return { open, cancelled };
  })());
  const idFor = async (relation: Relation, which: 'open' | 'cancelled') => (relation === 'missing' ? missing : (await entities())[which]);
  const unaryProbe = (kind: Probe['kind'], method: Parameters<typeof call>[1], request: (id: string) => object, passed: Probe['passed'], which: 'open' | 'cancelled' = 'open', extra: Partial<Probe> = {}): Probe => ({
    kind, passed, ...extra,
    call: async (token, relation) => outcomeOf(call(h.client, method, request(await idFor(relation, which)), token)),
  });
  const noJob = 'scan-job-00000000000000000000000000000000';

  return {
    ids: async () => [missing, ...Object.values(await entities())],
    probes: {
      // Past authorization, a request without targets, scope or window is refused: nothing is stored.
      fileScanRequest: unaryProbe('none', 'fileScanRequest', () => ({}), { own: status.INVALID_ARGUMENT }),
      getScanRequest: unaryProbe('entity', 'getScanRequest', (requestId) => ({ requestId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
      listScanRequests: unaryProbe('list', 'listScanRequests', () => ({ pageSize: 100 }), { own: status.OK, other: status.OK }, 'open', {
        organizationsIn: (r) => (r as v1.ListScanRequestsResponse).scanRequests.map((x) => x.operator),
      }),
      // Cancelling a cancelled request again, for another reason, is refused once it is found.
      cancelScanRequest: unaryProbe('entity', 'cancelScanRequest', (requestId) => ({ requestId, reason: 'authorization matrix' }), {
        own: status.FAILED_PRECONDITION, other: status.FAILED_PRECONDITION, missing: status.NOT_FOUND,
      }, 'cancelled'),
      listScanJobs: unaryProbe('none', 'listScanJobs', () => ({ pageSize: 1 }), { own: status.OK }),
      claimScanJob: unaryProbe('none', 'claimScanJob', () => ({ jobId: noJob }), { own: status.NOT_FOUND }),
      uploadScanResults: { kind: 'none', passed: { own: status.NOT_FOUND }, call: (token) => outcomeOf(upload(h, token, noJob, Buffer.from('{}'))) },
      listScanFindings: unaryProbe('entity', 'listScanFindings', (requestId) => ({ requestId }), { own: status.OK, other: status.OK, missing: status.NOT_FOUND }),
    },
  };
}
