/**
 * The report lifecycle against CERT/CC's Vultron report-management moves, written out here by hand:
 * every (from, to) pair, the stale revision, the retried transition, who/when/why recorded.
 */
import { ConflictError, FailedPreconditionError } from '@rampart/errors';
import { receive, transition } from '../src/domain/lifecycle';
import { REPORT_STATUSES, type ReportStatus, type VulnerabilityReport } from '../src/domain/report';

const NOW = new Date('2026-12-01T12:00:00Z');
const LATER = new Date('2026-12-02T09:30:00Z');

/** Vultron RM: R -> V | I; I -> V | C; V -> A | D; A -> D | C; D -> A | C; C final. */
const ALLOWED = new Set(['received>valid', 'received>invalid', 'invalid>valid', 'invalid>closed', 'valid>accepted', 'valid>deferred', 'accepted>deferred', 'accepted>closed', 'deferred>accepted', 'deferred>closed']);

function reportAt(status: ReportStatus): VulnerabilityReport {
  const { report } = receive({
    id: '0193b0a8-7c1e-7000-8000-000000000001', organization: 'acme', actor: 'ada@acme', now: NOW,
    details: { title: 't', affectedProducts: [{ purl: 'pkg:pypi/a@1', ranges: [], versions: [] }], cweIds: [], description: 'd', discovery: { method: 'human' }, tlp: 'AMBER', cvssVectors: [] },
    received: { mediaType: 'application/x-protobuf', sha256: 'ab', sizeBytes: 2, content: new Uint8Array([1, 2]) },
  });
  return status === 'received' ? report : { ...report, status, revision: 3, lastChange: { from: 'received', to: status, changedBy: 'someone@treasury', changedAt: NOW, reasons: ['earlier'] } };
}

it('receives a report as revision 1, received, by its reporter', () => {
  const { report, revision } = receive({ id: 'r', organization: 'acme', actor: 'ada@acme', now: NOW, details: reportAt('received').details, received: reportAt('received').received });
  expect(report).toMatchObject({ id: 'r', organization: 'acme', reportedBy: 'ada@acme', source: 'reporter', status: 'received', revision: 1, createdAt: NOW, updatedAt: NOW });
  expect(report).not.toHaveProperty('lastChange');
  expect(revision).toEqual({ revision: 1, change: 'received', status: 'received', changedBy: 'ada@acme', changedAt: NOW });
});

describe.each(REPORT_STATUSES)('from %s', (from) => {
  it.each(REPORT_STATUSES)(`to %s: allowed exactly as Vultron says`, (to) => {
    const current = reportAt(from);
    const move = () => transition(current, { expectedRevision: current.revision, to, reasons: ['reproduced on 4.2.16'], actor: 'eve@treasury', now: LATER });
    if (!ALLOWED.has(`${from}>${to}`)) {
      expect(move).toThrow(FailedPreconditionError);
      return;
    }
    const changed = move()!;
    const change = { from, to, changedBy: 'eve@treasury', changedAt: LATER, reasons: ['reproduced on 4.2.16'] };
    expect(changed.report).toEqual({ ...current, status: to, revision: current.revision + 1, updatedAt: LATER, lastChange: change });
    expect(changed.revision).toEqual({ revision: current.revision + 1, change: 'transitioned', status: to, changedBy: 'eve@treasury', changedAt: LATER, statusChange: change });
  });
});

it('says where a report may go when it may not go where asked', () => {
  expect(() => transition(reportAt('received'), { expectedRevision: 1, to: 'accepted', reasons: ['x'], actor: 'a', now: LATER })).toThrow('report 0193b0a8-7c1e-7000-8000-000000000001 is received: it may move only to valid or invalid, not accepted');
  expect(() => transition(reportAt('closed'), { expectedRevision: 3, to: 'valid', reasons: ['x'], actor: 'a', now: LATER })).toThrow('is closed: it is final, not valid');
});

it('refuses a stale revision (ABORTED), but answers a retry of the transition that made the current one', () => {
  const current = reportAt('received');
  expect(() => transition(current, { expectedRevision: 2, to: 'valid', reasons: ['x'], actor: 'eve', now: LATER })).toThrow(ConflictError);
  const done = transition(current, { expectedRevision: 1, to: 'valid', reasons: ['x', 'y'], actor: 'eve', now: LATER })!.report;
  expect(transition(done, { expectedRevision: 1, to: 'valid', reasons: ['x', 'y'], actor: 'eve', now: LATER })).toBeUndefined();
  // Another analyst, other reasons or another target from the same stale read are not the retry.
  expect(() => transition(done, { expectedRevision: 1, to: 'valid', reasons: ['x', 'y'], actor: 'mallory', now: LATER })).toThrow(ConflictError);
  expect(() => transition(done, { expectedRevision: 1, to: 'valid', reasons: ['x'], actor: 'eve', now: LATER })).toThrow(ConflictError);
  expect(() => transition(done, { expectedRevision: 1, to: 'invalid', reasons: ['x', 'y'], actor: 'eve', now: LATER })).toThrow(ConflictError);
});
