/**
 * Report reads and report events under an embargo, as the service builds them (reader-views.ts,
 * embargo-events.ts), asserted on the serialized wire bytes: a reader who is no party gets a
 * message built from the summary allow-list only, with what was withheld named; the report's own
 * organisation, the analyst and (once the embargo ended, under AMBER) the auditor read it all.
 */
import type { Caller } from '@rampart/auth';
import { outboxEntry, createEvent } from '@rampart/events';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { startEmbargo, liftEmbargo } from '../src/domain/coordination';
import type { TlpLabel, VulnerabilityReport } from '../src/domain/report';
import type { StoredEmbargo } from '../src/embargoes/embargo-store';
import { reportFlaw } from '../src/embargoes/flaws';
import { reportForReader, revisionsForReader } from '../src/embargoes/reader-views';
import { embargoEvent, withheldDuringEmbargo } from '../src/events/embargo-events';

const now = new Date('2026-06-01T12:00:00Z');
const SECRETS = { description: 'SENTINEL-description-51', proof: 'SENTINEL-proof-51', purl: 'pkg:pypi/sentinel-pkg-51', version: '9.8.51', title: 'SENTINEL-title-51', cve: 'CVE-2026-55151', fingerprint: 'pkg:pypi/sentinel-pkg-51#CWE-22' };

function report(tlp: TlpLabel = 'AMBER'): VulnerabilityReport {
  return {
    id: '01970000-0000-7000-8000-000000000051', organization: 'acme', reportedBy: 'finder@acme', source: 'reporter', status: 'valid', revision: 2,
    createdAt: now, updatedAt: now,
    details: {
      title: SECRETS.title, description: SECRETS.description, proof: SECRETS.proof, cweIds: ['CWE-22'], tlp, cvssVectors: [],
      affectedProducts: [{ purl: SECRETS.purl, ranges: [{ introduced: '1.0', fixed: SECRETS.version }], versions: [SECRETS.version] }],
      discovery: { method: 'human' }, cve: { state: 'assigned', cna: 'mitre', cveId: SECRETS.cve },
    },
    lastChange: { from: 'received', to: 'valid', changedBy: 'eve@treasury', changedAt: now, reasons: [`reproduced with ${SECRETS.proof}`] },
    received: { mediaType: 'application/x-protobuf', sha256: 'ab'.repeat(32), sizeBytes: 10 },
  };
}

function embargoOf(r: VulnerabilityReport): StoredEmbargo {
  const e = startEmbargo(r.id, [r.organization], { endsAt: '2026-07-01T17:00:00-04:00[America/New_York]', vendors: ['initech'] }, { subject: 'eve@treasury' }, now);
  return { ...e, revision: 1, flawIds: [r.id, SECRETS.cve] };
}

const reader = (roles: Caller['roles'], organization: string, clearance: Caller['clearance'] = 'UNCLASSIFIED') => ({ roles, organization, clearance });
const AUDITOR = reader(['auditor'], 'inspector-general', 'CUI');
const ANALYST = reader(['clearinghouse-analyst'], 'treasury', 'CUI');
const bytes = (r: v1.VulnerabilityReport) => Buffer.from(v1.VulnerabilityReport.encode(r).finish()).toString('latin1');
const leaked = (text: string) => Object.entries(SECRETS).filter(([, s]) => text.includes(s)).map(([k]) => k);

describe('reportForReader', () => {
  it('gives an auditor (no party) only id, status and label during an embargo, naming what it withheld', () => {
    const r = report();
    const wire = reportForReader(r, embargoOf(r), AUDITOR, now);
    expect(leaked(bytes(wire))).toEqual([]);
    expect(wire).toMatchObject({ id: r.id, status: v1.ReportStatus.REPORT_STATUS_VALID, organization: '', reportedBy: '', details: { tlp: v1.TlpLabel.TLP_LABEL_AMBER, description: '' }, withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_EMBARGO });
    expect(wire.embargo).toMatchObject({ status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE, endsAt: '2026-07-01T17:00:00-04:00[America/New_York]', parties: [], startedBy: '' });
    expect(wire.redactedFields).toEqual(expect.arrayContaining(['description', 'proof', 'affectedProducts', 'cve', 'lastChange', 'organization', 'received', 'embargo.parties']));
  });

  it('gives the auditor everything once the embargo ended (AMBER lets auditors read), and the reporter and the analyst always', () => {
    const r = report();
    const lifted = { ...liftEmbargo(embargoOf(r), { reason: 'fixed' }, { subject: 'eve@treasury' }, now), revision: 2, flawIds: [] };
    expect(reportForReader(r, lifted, AUDITOR, now)).toMatchObject({ details: { description: SECRETS.description }, withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED, redactedFields: [] });
    for (const who of [reader(['reporter'], 'acme'), ANALYST]) {
      const wire = reportForReader(r, embargoOf(r), who, now);
      expect(wire.details!.proof).toBe(SECRETS.proof);
      expect(wire.embargo!.parties.length).toBeGreaterThan(0);
    }
  });

  it('applies the TLP label without an embargo: RED is for the reporter and the clearinghouse, not the auditor', () => {
    const r = report('RED');
    expect(reportForReader(r, undefined, AUDITOR, now)).toMatchObject({ withheldBecause: v1.DetailsWithheld.DETAILS_WITHHELD_TLP, details: { description: '' } });
    expect(reportForReader(r, undefined, ANALYST, now).details!.description).toBe(SECRETS.description);
    expect(reportForReader(report('AMBER+STRICT'), undefined, AUDITOR, now).details!.description).toBe(SECRETS.description);
  });

  it('strips the reasons of the history for a reader withheld from the report', () => {
    const r = report();
    const revisions: v1.ReportRevision[] = [{ revision: 2, change: 'transitioned', status: v1.ReportStatus.REPORT_STATUS_VALID, changedBy: 'eve', changeTime: now, statusChange: { fromStatus: 1, toStatus: 3, changedBy: 'eve', changeTime: now, reasons: [SECRETS.proof] }, redactedFields: [] }];
    expect(revisionsForReader(r, embargoOf(r), revisions, AUDITOR, now)[0]).toMatchObject({ statusChange: { reasons: [] }, redactedFields: ['statusChange.reasons'] });
    expect(revisionsForReader(r, embargoOf(r), revisions, ANALYST, now)[0]!.statusChange!.reasons).toEqual([SECRETS.proof]);
  });
});

describe('events during an embargo', () => {
  it('embargo events carry what the stream audience may read: the summary, never parties or details', () => {
    const r = report();
    const e = embargoOf(r);
    const entry = embargoEvent('started', e, 1, reportFlaw(r), now);
    expect(leaked(entry.payload)).toEqual([]);
    expect(entry.payload).not.toContain('initech');
    expect(JSON.parse(entry.payload)).toMatchObject({ type: 'rampart.clearinghouse.embargo.started.v1', subject: r.id, data: { flawId: r.id, revision: 1, flaw: { id: r.id, status: 'valid', tlp: 'AMBER', embargo: { status: 'active' } } } });
  });

  it('report events written while the embargo runs keep the summary and the move, without its reasons', () => {
    const r = report();
    const event = outboxEntry('rampart.clearinghouse.report.accepted', createEvent({ area: 'clearinghouse', thing: 'report', verb: 'accepted' }, r.id, {
      reportId: r.id, revision: 3, status: 'accepted', tlp: 'AMBER', description: SECRETS.description, affectedProducts: [{ purl: SECRETS.purl }],
      change: { from: 'valid', to: 'accepted', changedBy: 'eve', reasons: [SECRETS.title] },
    }, now), now);
    const [kept] = withheldDuringEmbargo([event], embargoOf(r), now);
    expect(leaked(kept!.payload)).toEqual([]);
    expect(JSON.parse(kept!.payload).data).toEqual({
      reportId: r.id, revision: 3, status: 'accepted', tlp: 'AMBER', change: { from: 'valid', to: 'accepted', changedBy: 'eve' },
      embargo: { status: 'active', endsAt: '2026-07-01T17:00:00-04:00[America/New_York]' }, redactedFields: ['affectedProducts', 'change.reasons', 'description'],
    });
    expect(kept!.id).toBe(event.id);
    // No embargo, or an ended one: unchanged.
    expect(withheldDuringEmbargo([event], undefined, now)).toEqual([event]);
    expect(withheldDuringEmbargo([event], embargoOf(r), new Date('2026-08-01T00:00:00Z'))).toEqual([event]);
  });
});
