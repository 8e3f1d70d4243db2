/**
 * Matching wired into the service process: ONE consumer, `clearinghouse-matching`, with a single
 * unacknowledged delivery across every replica (max_ack_pending 1), so the match index has one
 * writer (match-index.ts). It takes:
 * - `vulnerability.validated|merged|split`: the flaw's packages (re)indexed by key, then every
 *   operator holding one of those keys recomputed;
 * - `inventory.changed`: the asset's components (re)indexed by key, then every flaw naming one of
 *   those keys recomputed for that operator;
 * - `embargo.ended`: the flaw's operators recomputed (non-parties were held back while it ran).
 * A recomputation writes the operator's next Notification only when its remediation changed
 * (src/domain/notifications), by `_id` compare-and-set on the revision: a redelivery writes nothing.
 * Partitioning by key over subjects (one consumer per partition) is how this scales out; one
 * partition is what runs here (docs/benchmarks.md says what that costs).
 */
import { PoisonMessageError, type CloudEvent, type Delivery } from '@rampart/events';
import type { ServiceRuntime } from '@rampart/grpc-kit';
import { isEmbargoActive, isEmbargoParty, type Embargo } from '../domain/coordination';
import type { AffectedPackage } from '../domain/formats/advisory-record';
import { nextNotification } from '../domain/notifications';
import { notificationEvent } from '../events/operator-events';
import { EVENTS_STREAM } from '../events/report-events';
import type { Flaws } from '../flaws/wiring';
import type { VulnerabilityDocument } from '../flaws/vulnerability-store';
import type { OperatorStore } from '../operators/operator-store';
import { assetKey } from '../operators/operator-store';
import { KevStore } from '../scoring/kev-store';
import type { ClearinghouseStore } from '../store';
import { exposureOf, packagesOf } from './exposure';
import { AssetKeys, MatchIndex } from './match-index';
import { NotificationStore } from './notification-store';

export const MATCHING_CONSUMER = {
  stream: EVENTS_STREAM,
  durable: 'clearinghouse-matching',
  filterSubjects: ['rampart.clearinghouse.vulnerability.validated', 'rampart.clearinghouse.vulnerability.merged', 'rampart.clearinghouse.vulnerability.split', 'rampart.clearinghouse.inventory.changed', 'rampart.clearinghouse.embargo.ended'],
  maxAckPending: 1,
  ackWaitMs: 60_000,
};

export interface MatchingDeps {
  flaws: Flaws;
  reports: ClearinghouseStore;
  operators: OperatorStore;
  embargoOf: (flaw: { id: string; ids: string[] }) => Promise<Embargo | undefined>;
  now?: () => Date;
}

export interface Matching {
  notifications: NotificationStore;
}

const text = (data: Record<string, unknown>, key: string): string => {
  const v = data[key];
  if (typeof v !== 'string' || v === '') throw new PoisonMessageError(`event data has no ${key}`);
  return v;
};

/** Write conflicts tolerated in a row for one pair before the delivery is retried whole. */
const ATTEMPTS = 5;

export class Matcher {
  readonly index: MatchIndex;
  readonly assetKeys: AssetKeys;
  private readonly kev: KevStore;
  private readonly now: () => Date;

  constructor(private readonly deps: MatchingDeps, readonly notifications: NotificationStore) {
    this.index = MatchIndex.open(deps.reports.database);
    this.assetKeys = AssetKeys.open(deps.reports.database);
    this.kev = KevStore.open(deps.reports.database);
    this.now = deps.now ?? (() => new Date());
  }

  async vulnerabilityChanged(id: string): Promise<void> {
    const v = await this.deps.flaws.vulnerabilities.get(id);
    const packages = v && v.state === 'current' && !v.withdrawn ? await packagesOf(this.deps.flaws, v) : new Map<string, AffectedPackage[]>();
    const before = await this.index.keysOf(id);
    const now = [...packages.keys()].sort();
    const operators = new Set<string>();
    for (const key of [...new Set([...before, ...now])]) {
      const doc = await this.index.key(key);
      const listed = doc.vulnerabilities.includes(id);
      if (now.includes(key) && !listed) doc.vulnerabilities.push(id);
      if (!now.includes(key) && listed) doc.vulnerabilities = doc.vulnerabilities.filter((x) => x !== id);
      if (now.includes(key) !== listed) await this.index.writeKey(doc);
      for (const c of doc.components) operators.add(c.operatorId);
    }
    if (before.join('\n') !== now.join('\n')) await this.index.writeKeysOf(id, now);
    if (!v) return;
    for (const operatorId of [...operators].sort()) await this.recompute(operatorId, v, packages);
  }

  async inventoryChanged(operatorId: string, assetId: string): Promise<void> {
    const asset = await this.deps.operators.asset(operatorId, assetId);
    const entries = asset?.inventory.entries ?? [];
    const byKey = new Map<string, typeof entries>();
    for (const e of entries) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    const id = assetKey(operatorId, assetId);
    const before = await this.assetKeys.of(id);
    const flaws = new Set<string>();
    for (const key of [...new Set([...before, ...byKey.keys()])]) {
      const doc = await this.index.key(key);
      doc.components = [
        ...doc.components.filter((c) => !(c.operatorId === operatorId && c.assetId === assetId)),
        ...(byKey.get(key) ?? []).map((e) => ({ operatorId, assetId, ...(e.purl ? { purl: e.purl } : {}), ...(e.version ? { version: e.version } : {}), ...(e.bomRef ? { bomRef: e.bomRef } : {}) })),
      ];
      await this.index.writeKey(doc);
      for (const v of doc.vulnerabilities) flaws.add(v);
    }
    await this.assetKeys.write(id, [...byKey.keys()].sort());
    for (const vulnerabilityId of [...flaws].sort()) {
      const v = await this.deps.flaws.vulnerabilities.get(vulnerabilityId);
      if (v) await this.recompute(operatorId, v, await packagesOf(this.deps.flaws, v));
    }
  }

  /** The operators with components under the flaw's keys (`_id` reads of the index). */
  async operatorsUnder(vulnerabilityId: string): Promise<string[]> {
    const operators = new Set<string>();
    for (const key of await this.index.keysOf(vulnerabilityId)) for (const c of (await this.index.key(key)).components) operators.add(c.operatorId);
    return [...operators].sort();
  }

  /** After an embargo ends: every operator under the flaw's keys, again. */
  async embargoEnded(flawId: string): Promise<void> {
    const vulnerabilityId = (await this.deps.flaws.index.entry(flawId))?.vulnerabilityId ?? flawId;
    await this.vulnerabilityChanged(vulnerabilityId);
  }

  private async recompute(operatorId: string, v: VulnerabilityDocument, packages: ReadonlyMap<string, AffectedPackage[]>): Promise<void> {
    const at = this.now();
    const embargo = await this.deps.embargoOf({ id: v._id, ids: [v._id, ...v.members] });
    // While an embargo runs, only its parties hear of the flaw; the others when it ends (embargo.ended).
    if (embargo && isEmbargoActive(embargo, at) && !isEmbargoParty(embargo, { organization: operatorId, roles: ['operator'] })) return;
    const exposure = v.state === 'current' && !v.withdrawn ? await exposureOf({ index: this.index, reports: this.deps.reports, kev: this.kev }, operatorId, v, packages) : undefined;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const previous = await this.notifications.latest(operatorId, v._id);
      const next = nextNotification(previous, exposure ?? { affected: [], fix: { patches: [], workarounds: [] }, priority: 'routine', priorityReasons: [], kevListed: false, tlp: 'CLEAR' }, { operatorId, vulnerabilityId: v._id }, at);
      if (!next) return;
      if (await this.notifications.write(next, [notificationEvent(next, at)])) return;
    }
    throw new Error(`notification ${operatorId} ${v._id} kept changing while it was recomputed`);
  }
}

export function matchingHandler(matcher: Matcher) {
  return async (event: CloudEvent<unknown>, delivery: Delivery): Promise<void> => {
    const data = event.data !== null && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};
    const working = setInterval(() => delivery.working(), 10_000);
    try {
      if (delivery.subject.endsWith('.inventory.changed')) await matcher.inventoryChanged(text(data, 'operatorId'), text(data, 'assetId'));
      else if (delivery.subject.endsWith('.embargo.ended')) await matcher.embargoEnded(text(data, 'flawId'));
      else await matcher.vulnerabilityChanged(text(data, 'vulnerabilityId'));
    } finally {
      clearInterval(working);
    }
  };
}

export async function openMatching(runtime: ServiceRuntime, deps: MatchingDeps): Promise<Matcher> {
  const notifications = await NotificationStore.open(deps.reports.database);
  notifications.publishWith(runtime.relay(notifications.revisions, notifications.locks));
  const matcher = new Matcher(deps, notifications);
  runtime.consume(MATCHING_CONSUMER, matchingHandler(matcher), 'matching');
  return matcher;
}
