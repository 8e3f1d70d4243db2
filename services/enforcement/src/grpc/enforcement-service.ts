/** rampart.enforcement.v1.EnforcementService: authenticate, validate, apply the domain rule, store with its events. */
import type { HandlerKit, ServiceBinding } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { STEP_DEADLINE_MS, type StepDeadlines } from '../domain';
import type { CustodyStore } from '../evidence/custody-store';
import type { EnforcementStore } from '../store';
import { evidenceHandlers } from './evidence';
import { referralHandlers } from './referrals';

export interface EnforcementDeps {
  store: EnforcementStore;
  custody: CustodyStore;
  deadlines?: StepDeadlines;
  maxUploadBytes?: number;
  now?: () => Date;
}

export function enforcementService(kit: HandlerKit, deps: EnforcementDeps): ServiceBinding {
  const now = deps.now ?? (() => new Date());
  const implementation: v1.EnforcementServiceServer = {
    ...referralHandlers(kit, { store: deps.store, now, deadlines: deps.deadlines ?? STEP_DEADLINE_MS }),
    ...evidenceHandlers(kit, { store: deps.store, custody: deps.custody, now, maxUploadBytes: deps.maxUploadBytes ?? 16 * 1024 * 1024 }),
  };
  return { name: 'rampart.enforcement.v1.EnforcementService', definition: v1.EnforcementServiceService, implementation };
}
