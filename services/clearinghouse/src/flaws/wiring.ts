/**
 * One record per flaw wired into the service process: the stores and their relays, and the regroup
 * consumer. Regroups run ONE AT A TIME ACROSS EVERY REPLICA: the durable consumer
 * `clearinghouse-flaws` allows a single unacknowledged delivery (max_ack_pending 1), so JetStream
 * hands the next arrival to any replica only once the previous regroup was acknowledged. That is
 * what lets the index entries be written whole by `_id` (FerretDB updates read, then write: two
 * regroups of one component at once could each lose the other's change). A regroup slower than the
 * ack wait tells JetStream it is still working; one whose replica died is delivered again after the
 * ack wait, and a regroup is a recomputation from the stored records, so a second run of it changes
 * nothing more. The cost: regroups are serial, cluster-wide (docs: the pypa import benchmark).
 */
import { PoisonMessageError, type CloudEvent, type Delivery } from '@rampart/events';
import type { ServiceRuntime } from '@rampart/grpc-kit';
import { normaliseId } from '../domain/flaws';
import { REGROUP_SUBJECTS } from '../events/flaw-events';
import { EVENTS_STREAM } from '../events/report-events';
import type { ClearinghouseStore } from '../store';
import { AdvisoryStore } from './advisory-store';
import { reportCopy, type FlawStores } from './flaw-reads';
import { FlawIndex } from './flaw-index';
import { Regrouper, type RegroupChange } from './regroup';
import { VulnerabilityStore } from './vulnerability-store';

export interface Flaws extends FlawStores {
  regrouper: Regrouper;
}

export const REGROUP_CONSUMER = { stream: EVENTS_STREAM, durable: 'clearinghouse-flaws', filterSubjects: REGROUP_SUBJECTS, maxAckPending: 1, ackWaitMs: 60_000 };

export async function openFlaws(runtime: ServiceRuntime, reports: ClearinghouseStore): Promise<Flaws> {
  const db = reports.database;
  const advisories = await AdvisoryStore.open(db);
  advisories.publishWith(runtime.relay(advisories.advisories, advisories.locks));
  const vulnerabilities = await VulnerabilityStore.open(db);
  vulnerabilities.publishWith({ vulnerabilities: runtime.relay(vulnerabilities.vulnerabilities, vulnerabilities.locks), decisions: runtime.relay(vulnerabilities.decisions, vulnerabilities.locks) });
  const stores: FlawStores = { index: FlawIndex.open(db), vulnerabilities, advisories, reports };
  const flaws: Flaws = { ...stores, regrouper: new Regrouper(stores) };
  runtime.consume(REGROUP_CONSUMER, regroupHandler(flaws), 'flaw-regroup');
  return flaws;
}

const text = (data: Record<string, unknown>, key: string): string => {
  const v = data[key];
  if (typeof v !== 'string' || v === '') throw new PoisonMessageError(`event data has no ${key}`);
  return v;
};

/** What each regroup subject asks for. */
export function regroupChange(subject: string, data: Record<string, unknown>): RegroupChange {
  const verb = subject.slice(subject.lastIndexOf('.') + 1);
  if (subject.endsWith('.record.imported')) {
    const record = normaliseId(text(data, 'flawId'));
    const aliases = Array.isArray(data.aliases) ? data.aliases.filter((a): a is string => typeof a === 'string').slice(0, 64) : [];
    const revision = typeof data.revision === 'number' ? data.revision : undefined;
    return { records: [record], copies: [{ record, copy: text(data, 'advisoryId'), ...(revision !== undefined ? { revision } : {}) }], hints: aliases };
  }
  if (subject.endsWith('.report.validated')) {
    const id = text(data, 'reportId');
    return { records: [id], copies: [{ record: id, copy: reportCopy(id) }] };
  }
  if (verb === 'decided' || verb === 'undone') {
    const records = data.recordIds;
    if (!Array.isArray(records) || !records.every((r): r is string => typeof r === 'string')) throw new PoisonMessageError('event data has no recordIds');
    return { records: [], decision: { id: text(data, 'decisionId'), records: records.map(normaliseId) } };
  }
  throw new PoisonMessageError(`no regroup for ${subject}`);
}

export function regroupHandler(flaws: Flaws) {
  return async (event: CloudEvent<unknown>, delivery: Delivery): Promise<void> => {
    let data = event.data !== null && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};
    // A decision on an embargoed flaw is announced without its records: read them from the decision itself.
    if (/\.grouping\.(decided|undone)$/.test(delivery.subject) && !Array.isArray(data.recordIds) && typeof data.decisionId === 'string') {
      const decision = await flaws.vulnerabilities.decision(data.decisionId);
      if (decision) data = { ...data, recordIds: decision.recordIds };
    }
    const working = setInterval(() => delivery.working(), 10_000);
    try {
      await flaws.regrouper.apply(regroupChange(delivery.subject, data));
    } finally {
      clearInterval(working);
    }
  };
}
