/**
 * A report's lifecycle as pure functions, in the words of CERT/CC's Vultron report management:
 * received -> valid | invalid; invalid -> valid (more information came) | closed; valid -> accepted
 * | deferred; accepted -> deferred | closed; deferred -> accepted | closed; closed is final. Each
 * function returns the new state and the revision to record, or throws a typed error saying why
 * the change is not allowed.
 */
import { ConflictError, FailedPreconditionError } from '@rampart/errors';
import type { ReceivedRecord, ReportDetails, ReportRevision, ReportStatus, StatusChange, VulnerabilityReport } from './report';

export const NEXT_STATUSES: Readonly<Record<ReportStatus, readonly ReportStatus[]>> = {
  received: ['valid', 'invalid'],
  invalid: ['valid', 'closed'],
  valid: ['accepted', 'deferred'],
  accepted: ['deferred', 'closed'],
  deferred: ['accepted', 'closed'],
  closed: [],
};

export interface Changed {
  report: VulnerabilityReport;
  revision: ReportRevision;
}

export function receive(args: { id: string; organization: string; details: ReportDetails; received: ReceivedRecord; actor: string; now: Date }): Changed {
  const report: VulnerabilityReport = {
    id: args.id,
    organization: args.organization,
    reportedBy: args.actor,
    source: 'reporter',
    details: args.details,
    status: 'received',
    revision: 1,
    createdAt: args.now,
    updatedAt: args.now,
    received: args.received,
  };
  return { report, revision: firstRevision(report) };
}

/** Revision 1 of every report: its receipt, told by the report itself (never stored apart). */
export function firstRevision(report: Pick<VulnerabilityReport, 'reportedBy' | 'createdAt'>): ReportRevision {
  return { revision: 1, change: 'received', status: 'received', changedBy: report.reportedBy, changedAt: report.createdAt };
}

const sameReasons = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((r, i) => r === b[i]);

/**
 * Moves `current` to `to`. Undefined when `current` is the result of this very request already
 * (the analyst's retry after a lost answer: same revision read, same target, actor and reasons).
 */
export function transition(current: VulnerabilityReport, args: { expectedRevision: number; to: ReportStatus; reasons: string[]; actor: string; now: Date }): Changed | undefined {
  const last = current.lastChange;
  if (current.revision === args.expectedRevision + 1 && last && last.to === args.to && last.changedBy === args.actor && sameReasons(last.reasons, args.reasons)) {
    return undefined;
  }
  if (args.expectedRevision !== current.revision) {
    throw new ConflictError(`report ${current.id} is at revision ${current.revision}, not ${args.expectedRevision}: read it again and retry`);
  }
  const allowed = NEXT_STATUSES[current.status];
  if (!allowed.includes(args.to)) {
    const next = allowed.length === 0 ? 'it is final' : `it may move only to ${allowed.join(' or ')}`;
    throw new FailedPreconditionError(`report ${current.id} is ${current.status}: ${next}, not ${args.to}`);
  }
  const change: StatusChange = { from: current.status, to: args.to, changedBy: args.actor, changedAt: args.now, reasons: [...args.reasons] };
  const revision = current.revision + 1;
  const report: VulnerabilityReport = { ...current, status: args.to, revision, updatedAt: args.now, lastChange: change };
  return { report, revision: { revision, change: 'transitioned', status: args.to, changedBy: args.actor, changedAt: args.now, statusChange: change } };
}
