/** rampart.clearinghouse.v1.ClearinghouseService: each handler authorises first (domain/authorization.ts), validates, applies the domain rule and stores with its events. */
import type { HandlerKit, ServiceBinding } from '@rampart/grpc-kit';
import type { clearinghouseV1 as v1 } from '@rampart/proto';
import type { ClearinghouseDeps } from './context';
import { definitionKeepingBytes } from './received-bytes';
import { embargoHandlers } from './embargoes';
import { vulnerabilitiesForReader } from '../embargoes/vulnerability-views';
import { flawHandlers } from './flaws';
import { operatorHandlers } from './operators';
import { reportHandlers } from './reports';
import { scanningHandlers } from './scanning';
import { scoringHandlers } from './scoring';
import { submitReportHandler } from './submission';

export type { ClearinghouseDeps } from './context';

export function clearinghouseService(kit: HandlerKit, deps: ClearinghouseDeps): ServiceBinding {
  const implementation: v1.ClearinghouseServiceServer = {
    submitReport: submitReportHandler(kit, deps),
    ...reportHandlers(kit, deps),
    ...scanningHandlers(kit, deps),
    ...embargoHandlers(kit, deps.embargoes),
    ...scoringHandlers(kit, deps),
    ...flawHandlers(kit, deps.flaws, (vs, caller) => vulnerabilitiesForReader(deps.embargoes, vs, caller), (flaw) => deps.embargoes.embargoFor(flaw), deps.now),
    ...operatorHandlers(kit, { ...deps.operators, ...(deps.now ? { now: deps.now } : {}) }),
  };
  return {
    name: 'rampart.clearinghouse.v1.ClearinghouseService',
    // SubmitReport keeps each request's bytes as received (received-bytes.ts).
    definition: definitionKeepingBytes(),
    implementation,
  };
}
