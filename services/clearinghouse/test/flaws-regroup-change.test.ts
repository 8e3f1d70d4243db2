/** What each event the regroup consumer applies asks of a regroup; malformed data is poison (dead-lettered, never retried forever). */
import { PoisonMessageError } from '@rampart/events';
import { regroupChange } from '../src/flaws/wiring';

describe('regroupChange', () => {
  it('regroups an imported record from its copy, hinting its aliases and the revision announced', () => {
    expect(regroupChange('rampart.clearinghouse.record.imported', { advisoryId: 'osv:PYSEC-2021-1', flawId: ' pysec-2021-1', revision: 2, aliases: ['cve-2021-1234', 7] })).toEqual({
      records: ['pysec-2021-1'], copies: [{ record: 'pysec-2021-1', copy: 'osv:PYSEC-2021-1', revision: 2 }], hints: ['cve-2021-1234'],
    });
  });

  it('regroups a validated report as the record of its own id', () => {
    expect(regroupChange('rampart.clearinghouse.report.validated', { reportId: 'r-1' })).toEqual({ records: ['r-1'], copies: [{ record: 'r-1', copy: 'report:r-1' }] });
  });

  it('applies a decision, and its undo, to the records it names (normalised)', () => {
    for (const verb of ['decided', 'undone']) {
      expect(regroupChange(`rampart.clearinghouse.grouping.${verb}`, { decisionId: 'd-1', recordIds: ['cve-2021-1234', 'OSV-1'] })).toEqual({ records: [], decision: { id: 'd-1', records: ['CVE-2021-1234', 'OSV-1'] } });
    }
  });

  it('refuses, as poison, an event without what it needs or of another subject', () => {
    expect(() => regroupChange('rampart.clearinghouse.record.imported', { advisoryId: 'osv:X' })).toThrow(PoisonMessageError);
    expect(() => regroupChange('rampart.clearinghouse.report.validated', {})).toThrow(PoisonMessageError);
    expect(() => regroupChange('rampart.clearinghouse.grouping.decided', { decisionId: 'd', recordIds: [1] })).toThrow(PoisonMessageError);
    expect(() => regroupChange('rampart.clearinghouse.report.closed', { reportId: 'r' })).toThrow(PoisonMessageError);
  });
});
