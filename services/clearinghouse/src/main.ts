/**
 * The clearinghouse service: wiring and graceful shutdown. Run with
 * `node --require @rampart/telemetry/register dist/main.js` so tracing wraps grpc-js and mongodb.
 */
import { mongoTimeouts } from '@rampart/config';
import { runService, ServiceRuntime } from '@rampart/grpc-kit';
import { loadClearinghouseConfig, type ClearinghouseConfig } from './config';
import { AREA, clearinghouseStreams } from './events/report-events';
import { clearinghouseService } from './grpc/clearinghouse-service';
import { openEmbargoes } from './embargoes/wiring';
import { openFlaws } from './flaws/wiring';
import { KevStore } from './scoring/kev-store';
import { ScanStore } from './scanning/scan-store';
import { openDelivery } from './delivery/webhooks';
import { releasableStream } from './events/operator-events';
import { openMatching } from './matching/wiring';
import { OperatorStore } from './operators/operator-store';
import { RemediationStore } from './operators/remediation-store';
import { ClearinghouseStore } from './store';

export async function startClearinghouse(config: ClearinghouseConfig): Promise<{ port: number; stop(): Promise<void> }> {
  // `consumes`: CLEARINGHOUSE_DEADLETTER, for the consumers the clearinghouse's own matching adds.
  const runtime = await ServiceRuntime.start({ name: 'clearinghouse', area: AREA, config, streams: [...clearinghouseStreams(config.NATS_STREAM_REPLICAS), releasableStream(config.NATS_STREAM_REPLICAS)], consumes: true, timers: true });
  const store = await ClearinghouseStore.open(config.MONGODB_URI, config.MONGODB_DB, mongoTimeouts(config));
  runtime.onClose(() => store.close());
  // The relay publishes each write's events at once; its claims sweep rolls interrupted status changes forward.
  store.publishWith(runtime.relay(store.reports, store.locks));
  const scans = await openScans(runtime, store, config);
  // Imports and one record per flaw; its regroups run one at a time across replicas (flaws/wiring.ts).
  const flaws = await openFlaws(runtime, store);
  // Embargoes on Vulnerabilities and validated reports, ended by their timers, imports and exploitation (embargoes/wiring.ts).
  const embargoes = await openEmbargoes(runtime, store, flaws, config);
  // Operators' assets, matched to flaws one event at a time (matching/wiring.ts); notifications delivered by webhook or e-mail.
  const operators = await OperatorStore.open(store.database);
  operators.publishWith(runtime.relay(operators.assets, operators.locks));
  const matcher = await openMatching(runtime, { flaws, reports: store, operators, embargoOf: (flaw) => embargoes.embargoFor(flaw) });
  openDelivery(runtime, store.database, operators, config);
  const operatorDeps = {
    operators, notifications: matcher.notifications, remediations: RemediationStore.open(store.database), allowPrivateEndpoints: config.WEBHOOK_ALLOW_PRIVATE,
    operatorsExposedTo: (vulnerabilityId: string) => matcher.operatorsUnder(vulnerabilityId),
  };
  return runtime.serve([clearinghouseService(runtime.kit(), { store, scans, embargoes, kev: KevStore.open(store.database), flaws, operators: operatorDeps })]);
}

/** Coordinated scanning's store; requests, claims and uploads each keep an outbox: one relay each. */
async function openScans(runtime: ServiceRuntime, store: ClearinghouseStore, config: Pick<ClearinghouseConfig, 'SCAN_CLAIM_LEASE_MS'>): Promise<ScanStore> {
  const scans = await ScanStore.open(store.database, { claimLeaseMs: config.SCAN_CLAIM_LEASE_MS });
  scans.publishWith({ requests: runtime.relay(scans.requests, scans.locks), claims: runtime.relay(scans.claims, scans.locks), uploads: runtime.relay(scans.uploads, scans.locks) });
  return scans;
}

if (require.main === module) runService('clearinghouse', loadClearinghouseConfig, startClearinghouse);
