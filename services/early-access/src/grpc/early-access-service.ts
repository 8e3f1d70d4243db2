/** rampart.access.v1.EarlyAccessService: each handler authorises first (domain/authorization.ts), validates, applies the domain rule and stores with its events. */
import type { HandlerKit, ServiceBinding } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { accessLogHandlers } from './access-log';
import { agreementHandlers } from './agreements';
import type { AccessDeps } from './context';
import { grantHandlers } from './grants';
import { partnerHandlers } from './partners';
import { programHandlers } from './programs';

export type { AccessDeps } from './context';

export function earlyAccessService(kit: HandlerKit, deps: AccessDeps): ServiceBinding {
  const implementation: v1.EarlyAccessServiceServer = {
    ...programHandlers(kit, deps),
    ...agreementHandlers(kit, deps),
    ...partnerHandlers(kit, deps),
    ...grantHandlers(kit, deps),
    ...accessLogHandlers(kit, deps),
  };
  return {
    name: 'rampart.access.v1.EarlyAccessService',
    definition: v1.EarlyAccessServiceService,
    implementation,
  };
}
