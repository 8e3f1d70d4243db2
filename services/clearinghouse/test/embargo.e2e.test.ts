/**
 * Embargoes and exploitation end to end: the clearinghouse as its own process on real nats-server,
 * FerretDB and Jaeger, over gRPC on loopback. An embargoed flaw's details (description, proof,
 * purls, versions, fingerprints, its CVE id, its title) are asserted ABSENT from the serialized
 * bytes of every response a non-party receives (another reporter organisation, a vendor and an
 * operator not named, an auditor) and of every event the embargo and the flaw's later steps put on
 * CLEARINGHOUSE_EVENTS, while the parties read them; the embargo ends on exploitation reported and
 * at its end date on the durable timer, and the details become readable to whom the TLP label allows.
 * Short embargoes: the suite's service takes EMBARGO_MINIMUM_NOTICE_MS=1000. Every wait is for a
 * positive signal (an event in the stream, a fire acknowledged), never a sleep.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf, bearer, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { readStream, REPO_ROOT, waitFor, type StoredEvent } from '@rampart/testing';
import { formatZonedTime } from '../src/domain/coordination';
import { call, ClearinghouseHarness, reportDetails } from './harness';

const h = new ClearinghouseHarness({ EMBARGO_MINIMUM_NOTICE_MS: '1000' });
const S = v1.ReportStatus;
const W = v1.DetailsWithheld;
let analyst: string;

beforeAll(async () => {
  await h.start();
  analyst = await h.analyst();
}, 90_000);
afterAll(() => h.stop());

const token = (role: 'reporter' | 'vendor' | 'operator' | 'auditor', organization: string) =>
  h.auth.token({ roles: [role], organization, subject: `${role}@${organization}`, ...(role === 'auditor' ? { clearance: 'CUI' as const } : {}) });

/** One unary call with the request and response as bytes, exactly as they cross the wire. */
function rawCall(method: string, request: Uint8Array, bearerToken: string): Promise<{ bytes?: Buffer; error?: ServiceError }> {
  const client = new Client(h.service.address, insecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(`/rampart.clearinghouse.v1.ClearinghouseService/${method}`, (b: Uint8Array) => Buffer.from(b), (b: Buffer) => b, request, bearer(bearerToken), (error, bytes) => {
      client.close();
      resolve(error ? { error } : { bytes: bytes! });
    });
  });
}

/** Every byte a reader got from a call: the response, or the error's message and metadata. */
function bytesOf(answer: { bytes?: Buffer; error?: ServiceError }): Buffer {
  if (answer.bytes) return answer.bytes;
  const e = answer.error!;
  const metadata = Object.entries(e.metadata.getMap()).map(([k, v]) => `${k}:${Buffer.isBuffer(v) ? v.toString('latin1') : v}`);
  return Buffer.from([e.details, e.message, ...metadata].join('\n'), 'latin1');
}

/** A flaw whose every detail is a string found nowhere else, so its absence from bytes means something. */
function secretFlaw(tag: string, tlp = v1.TlpLabel.TLP_LABEL_AMBER) {
  const n = 10_000 + Math.floor(Math.random() * 89_999);
  const secrets = {
    title: `Title-${tag}-qz`,
    description: `Description-${tag}-qz`,
    proof: `Proof-${tag}-qz`,
    purl: `pkg:pypi/pkg-${tag}-qz`,
    version: `7.7.${n}`,
    fingerprint: `pkg:pypi/pkg-${tag}-qz#CWE-22`,
    cve: `CVE-2026-${n}`,
  };
  const details = reportDetails({
    title: secrets.title, description: secrets.description, proof: secrets.proof, tlp,
    affectedProducts: [{ purl: secrets.purl, ranges: [{ introduced: '1.0', fixed: secrets.version, lastAffected: '' }], versions: [secrets.version] }],
    cve: { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'GitHub_M', cveId: secrets.cve },
  });
  return { secrets, details };
}

function expectNoSecret(bytes: Buffer | string, secrets: Record<string, string>, who: string): void {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  for (const [name, value] of Object.entries(secrets)) {
    if (text.includes(value)) throw new Error(`${who} received the ${name} (${value})`);
  }
}

/** A validated report of `flaw`, by `reporter`. */
async function validatedReport(reporter: string, details: v1.ReportDetails): Promise<v1.VulnerabilityReport> {
  const { report } = await h.submit(reporter, details);
  const { report: valid } = await call<v1.TransitionReportResponse>(h.client, 'transitionReport', { reportId: report!.id, expectedRevision: report!.revision, toStatus: S.REPORT_STATUS_VALID, reasons: ['reproduced'] }, analyst);
  return valid!;
}

const clearinghouseEvents = () => readStream(h.jsm, 'CLEARINGHOUSE_EVENTS');
const eventsAbout = async (id: string, prefix: string) => (await clearinghouseEvents()).filter((m) => m.event.subject === id && m.subject.startsWith(prefix));
async function eventOf(id: string, subject: string): Promise<StoredEvent> {
  let found: StoredEvent | undefined;
  await waitFor(subject, async () => (found = (await clearinghouseEvents()).find((m) => m.event.subject === id && m.subject === subject)) !== undefined);
  return found!;
}

/** ImportKevCatalog: the catalog in one chunk. */
function importKevCatalog(bytes: Buffer, t: string): Promise<v1.ImportKevCatalogResponse> {
  return new Promise((resolve, reject) => {
    const stream = h.client.importKevCatalog(bearer(t), (error, response) => (error ? reject(error) : resolve(response)));
    stream.write(v1.ImportKevCatalogRequest.fromPartial({ chunk: bytes }));
    stream.end();
  });
}

const getEmbargo = (flawId: string, t: string) => call<v1.GetEmbargoResponse>(h.client, 'getEmbargo', { flawId }, t);
const rawGetEmbargo = (flawId: string, t: string) => rawCall('GetEmbargo', v1.GetEmbargoRequest.encode({ flawId }).finish(), t);
const rawGetReport = (reportId: string, t: string) => rawCall('GetReport', v1.GetReportRequest.encode({ reportId, view: v1.ReportView.REPORT_VIEW_FULL }).finish(), t);
const rawListReports = (t: string) => rawCall('ListReports', v1.ListReportsRequest.encode({ pageSize: 100, pageToken: '', status: 0 }).finish(), t);

describe('an embargoed flaw', () => {
  it('reaches its parties only: no response or event a non-party receives holds its details, byte for byte', async () => {
    const acme = await h.reporter('acme');
    const { secrets, details } = secretFlaw('one');
    const report = await validatedReport(acme, details);

    // The reporter's requested end (45 days, America/New_York) is the default; vendor and operator named.
    const started = await call<v1.EmbargoFlawResponse>(h.client, 'embargoFlaw', { flawId: report.id, vendors: ['initech'], operators: ['rural-hospital'] }, analyst);
    expect(started.embargo).toMatchObject({ flawId: report.id, status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE, revision: 1, endsAt: expect.stringMatching(/\[America\/New_York\]$/) });
    expect(started.embargo!.endTime!.getTime()).toBe(details.requestedEmbargo!.endTime!.getTime());
    expect(started.embargo!.parties.map((p) => [p.kind, p.organization])).toEqual([
      [v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_CLEARINGHOUSE, ''], [v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_REPORTER, 'acme'],
      [v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_VENDOR, 'initech'], [v1.EmbargoPartyKind.EMBARGO_PARTY_KIND_OPERATOR, 'rural-hospital'],
    ]);
    // One embargo per flaw.
    expect(await call(h.client, 'embargoFlaw', { flawId: report.id }, analyst).then(() => 'OK', (e: ServiceError) => e.code)).toBe(status.ALREADY_EXISTS);

    // A later step of the flaw during the embargo: its event carries the summary only.
    await call(h.client, 'transitionReport', { reportId: report.id, expectedRevision: report.revision, toStatus: S.REPORT_STATUS_ACCEPTED, reasons: [`coordinating ${secrets.description}`] }, analyst);

    // Parties read the details, by the flaw's id and by its CVE id.
    for (const [who, t] of [['the reporter', acme], ['the named vendor', await token('vendor', 'initech')], ['the named operator', await token('operator', 'rural-hospital')], ['the analyst', analyst]] as const) {
      const { flaw, embargo } = await getEmbargo(report.id, t);
      expect({ who, flaw: { description: flaw!.description, proof: flaw!.proof, withheldBecause: flaw!.withheldBecause } }).toEqual({ who, flaw: { description: secrets.description, proof: secrets.proof, withheldBecause: W.DETAILS_WITHHELD_UNSPECIFIED } });
      expect(flaw!.affectedProducts[0]).toMatchObject({ purl: secrets.purl, versions: [secrets.version] });
      expect(flaw!.fingerprints).toContain(secrets.fingerprint);
      expect(embargo!.parties).toHaveLength(4);
    }
    // By its CVE id: the report, or the Vulnerability it joined (named by that CVE id), held by the report's embargo.
    const byCve = await getEmbargo(secrets.cve, analyst);
    expect(byCve.embargo!.flawId).toBe(report.id);
    expect(byCve.flaw!.description).toBe(secrets.description);
    const own = await call<v1.GetReportResponse>(h.client, 'getReport', { reportId: report.id }, acme);
    expect(own.report!.details!.description).toBe(secrets.description);

    // Non-parties: every answer as bytes.
    const nonParties = {
      'another reporter organisation': await token('reporter', 'globex'),
      'a vendor not named': await token('vendor', 'umbrella'),
      'an operator not named': await token('operator', 'community-bank'),
      'an auditor': await token('auditor', 'inspector-general'),
    };
    for (const [who, t] of Object.entries(nonParties)) {
      for (const id of [report.id, secrets.cve]) {
        const answer = await rawGetEmbargo(id, t);
        expect({ who, error: answer.error?.message }).toEqual({ who, error: undefined });
        // Asked by the CVE id, the caller named it: it may come back as the flaw's id; nothing else may.
        expectNoSecret(bytesOf(answer), id === secrets.cve ? { ...secrets, cve: '\u0000never' } : secrets, `${who} (GetEmbargo ${id})`);
        const decoded = v1.GetEmbargoResponse.decode(answer.bytes!);
        expect([report.id, secrets.cve]).toContain(decoded.flaw!.id);
        expect(decoded.flaw).toMatchObject({ withheldBecause: W.DETAILS_WITHHELD_EMBARGO, description: '' });
        expect(decoded.flaw!.redactedFields).toEqual(expect.arrayContaining(['description', 'proof', 'affectedProducts', 'fingerprints', 'aliases', 'embargo.parties']));
        expect(decoded.embargo).toMatchObject({ status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE, parties: [], startedBy: '', changes: [] });
      }
      for (const answer of [await rawGetReport(report.id, t), await rawListReports(t)]) expectNoSecret(bytesOf(answer), secrets, `${who} (report reads)`);
      const listing = await call(h.client, 'listReportRevisions', { reportId: report.id }, t).then((r) => JSON.stringify(r), (e: ServiceError) => e.message);
      expect(listing).not.toContain(secrets.description); // the transition's reason
    }
    // The auditor may read reports, so gets this one: the summary, and why.
    const audited = v1.GetReportResponse.decode((await rawGetReport(report.id, nonParties['an auditor'])).bytes!).report!;
    expect(audited).toMatchObject({ id: report.id, status: S.REPORT_STATUS_ACCEPTED, organization: '', withheldBecause: W.DETAILS_WITHHELD_EMBARGO, embargo: { status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE, parties: [] } });
    expect(audited.redactedFields).toEqual(expect.arrayContaining(['description', 'proof', 'affectedProducts', 'organization', 'received']));

    // Events: the embargo's, and the flaw's steps since it started, hold nothing of the details.
    const startedEvent = await eventOf(report.id, 'rampart.clearinghouse.embargo.started');
    const accepted = await eventOf(report.id, 'rampart.clearinghouse.report.accepted');
    for (const m of [startedEvent, accepted]) expectNoSecret(m.body, secrets, `the event ${m.subject}`);
    // Every event put on the stream since the embargo started (the one-record-per-flaw events included) is free of the details.
    const { description, proof, purl, version, fingerprint } = secrets;
    for (const m of (await clearinghouseEvents()).filter((x) => x.seq >= startedEvent.seq)) expectNoSecret(m.body, { description, proof, purl, version, fingerprint }, `the event ${m.subject}`);
    expect(startedEvent.event.data).toMatchObject({ flawId: report.id, revision: 1, flaw: { id: report.id, tlp: 'AMBER', embargo: { status: 'active' } } });
    expect(accepted.event.data).toMatchObject({ reportId: report.id, status: 'accepted', embargo: { status: 'active' }, redactedFields: expect.arrayContaining(['description', 'affectedProducts', 'change.reasons']) });
    // The Vulnerability the report joined (named by its CVE id) is held back by the report's embargo too.
    const vulnerability = () => call<v1.GetVulnerabilityResponse>(h.client, 'getVulnerability', { vulnerabilityId: secrets.cve }, analyst);
    await waitFor('the report\'s vulnerability', () => vulnerability().then((r) => r.vulnerability!.recordIds.includes(report.id), () => false));
    expect((await vulnerability()).vulnerability).toMatchObject({ id: secrets.cve, withheldBecause: W.DETAILS_WITHHELD_UNSPECIFIED, embargo: { flawId: report.id, status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE } });
    const vAnswer = await rawCall('GetVulnerability', v1.GetVulnerabilityRequest.encode({ vulnerabilityId: secrets.cve }).finish(), nonParties['an auditor']);
    expectNoSecret(bytesOf(vAnswer), { ...secrets, cve: '\u0000never' }, 'an auditor (GetVulnerability by its CVE id)');
    const vAudited = v1.GetVulnerabilityResponse.decode(vAnswer.bytes!).vulnerability!;
    expect(vAudited).toMatchObject({ id: secrets.cve, withheldBecause: W.DETAILS_WITHHELD_EMBARGO, recordIds: [], aliases: [], credits: [], embargo: { status: v1.EmbargoStatus.EMBARGO_STATUS_ACTIVE, parties: [] } });
    expect(vAudited.redactedFields).toEqual(expect.arrayContaining(['description', 'recordIds', 'credits']));
    const listed = await rawCall('ListVulnerabilities', v1.ListVulnerabilitiesRequest.encode({ pageSize: 100, pageToken: '', flaggedOnly: false }).finish(), nonParties['an auditor']);
    expectNoSecret(bytesOf(listed), { ...secrets, cve: '\u0000never' }, 'an auditor (ListVulnerabilities)');

    // The call's audit record names the fields withheld from the auditor (names, never values).
    await waitFor('the audit record of the auditor\'s read', async () => (await readStream(h.jsm, 'CLEARINGHOUSE_AUDIT').catch(() => [])).some((m) =>
      (m.event.data as { rpc?: string; actor?: { roles?: string[] }; withheldFields?: string[] }).rpc === 'GetReport' && (m.event.data as { actor: { roles: string[] } }).actor.roles.includes('auditor') &&
      ((m.event.data as { withheldFields: string[] }).withheldFields).includes('report.description')));
  });
});

describe('the flaw\'s later steps during the embargo', () => {
  it('reach the stream as the summary only: a second reporter joining the flaw, a KEV listing that rescores it and an analyst\'s split carry no credit, alias, vector or CVE id', async () => {
    const { secrets, details } = secretFlaw('three');
    const tag = secrets.version.replace(/\./g, '');
    const [first, second] = [`acme-${tag}`, `globex-${tag}`];
    // A vector found nowhere else in the suite, so its absence from the stream means something.
    const vector = 'CVSS:3.1/AV:A/AC:H/PR:H/UI:R/S:C/C:L/I:N/A:L';
    const report = await validatedReport(await h.reporter(first), { ...details, cvssVectors: [vector] });
    // Before the embargo, its events name the reporter and the vector: let them all reach the stream first
    // (each collection's relay publishes in order: a later marker's event, or the vulnerability's, comes after them).
    const vulnerability = () => call<v1.GetVulnerabilityResponse>(h.client, 'getVulnerability', { vulnerabilityId: secrets.cve }, analyst);
    await waitFor('the report\'s vulnerability', () => vulnerability().then((r) => r.vulnerability!.recordIds.includes(report.id), () => false));
    await waitFor('its event', async () => (await clearinghouseEvents()).some((m) => m.event.subject === secrets.cve && m.subject.startsWith('rampart.clearinghouse.vulnerability.')));
    const { report: marker } = await h.submit(await h.reporter('marker'), reportDetails({ title: 'Marker' }));
    await eventOf(marker!.id, 'rampart.clearinghouse.report.received');
    await call(h.client, 'embargoFlaw', { flawId: report.id, vendors: ['initech'] }, analyst);
    const started = await eventOf(report.id, 'rampart.clearinghouse.embargo.started');

    // Another organisation reports the same flaw (its CVE id): one record, both credited -- on the stream, neither named.
    const joined = await validatedReport(await h.reporter(second), reportDetails({ title: `Same flaw ${tag}`, cve: { state: v1.CveState.CVE_STATE_ASSIGNED, cna: 'GitHub_M', cveId: secrets.cve } }));
    await waitFor('both reports in one vulnerability', () => vulnerability().then((r) => [report.id, joined.id].every((id) => r.vulnerability!.recordIds.includes(id)), () => false));
    expect((await vulnerability()).vulnerability!.credits.map((c) => c.organization).sort()).toEqual([first, second]);
    const since = async (subject: (s: string) => boolean, about: string) => (await clearinghouseEvents()).filter((m) => m.seq > started.seq && subject(m.subject) && m.event.subject === about);
    await waitFor('the vulnerability event of the join', async () => (await since((s) => s.startsWith('rampart.clearinghouse.vulnerability.'), secrets.cve)).length > 0);

    // CISA lists the CVE: the report is rescored (priority immediate); its report.scored event is the summary.
    const kev = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, '../shared/conformance/kev/known_exploited_vulnerabilities.json'), 'utf8')) as { vulnerabilities: Record<string, unknown>[] } & Record<string, unknown>;
    const catalog = { ...kev, count: 1, vulnerabilities: [{ ...kev.vulnerabilities[0], cveID: secrets.cve }] };
    await importKevCatalog(Buffer.from(JSON.stringify(catalog)), analyst);
    await waitFor('the rescore event', async () => (await since((s) => s === 'rampart.clearinghouse.report.scored', report.id)).length > 0);
    for (const m of await since((s) => s === 'rampart.clearinghouse.report.scored', report.id)) {
      expect(m.event.data).toMatchObject({ reportId: report.id, embargo: { status: 'active' }, redactedFields: expect.arrayContaining(['cvss', 'kev', 'organization']) });
    }
    for (const m of await since((s) => s.startsWith('rampart.clearinghouse.vulnerability.'), secrets.cve)) {
      expect(m.event.data).toMatchObject({ vulnerabilityId: secrets.cve, embargo: { status: 'active' }, redactedFields: expect.arrayContaining(['credits', 'aliases', 'recordIds']) });
    }

    // An analyst splits the second report off: the decision is announced as its summary, and still applied.
    const split = await call<v1.SplitVulnerabilityResponse>(h.client, 'splitVulnerability', { vulnerabilityId: secrets.cve, recordIds: [joined.id], reason: `not the same flaw ${secrets.cve}` }, analyst);
    // The CVE id's vulnerability is split into one per report (its record stays readable, pointing to them).
    await waitFor('the split applied', () => vulnerability().then((r) => r.vulnerability!.splitInto.includes(joined.id), () => false));
    const decided = await eventOf(split.decision!.id, 'rampart.clearinghouse.grouping.decided');
    expect(decided.event.data).toMatchObject({ decisionId: split.decision!.id, kind: 'split', embargo: { status: 'active' }, redactedFields: expect.arrayContaining(['recordIds', 'reason', 'vulnerabilityIds']) });
    await waitFor('the split\'s vulnerability event', async () => (await since((s) => s === 'rampart.clearinghouse.vulnerability.split', secrets.cve)).length > 0);

    // Every event since the embargo started: no reporter organisation, vector, description; the CVE id only as the
    // vulnerability's own id. (The second report's own events, until it joined the flaw, are its reporter's: not checked.)
    const { description, proof, purl, fingerprint } = secrets;
    const checked = (await clearinghouseEvents()).filter((x) => x.seq > started.seq && x.event.subject !== joined.id);
    expect(checked.map((m) => m.subject)).toEqual(expect.arrayContaining(['rampart.clearinghouse.report.scored']));
    for (const m of checked) {
      const body = m.event.subject === secrets.cve ? m.body.split(`"subject":"${secrets.cve}"`).join('').split(`"vulnerabilityId":"${secrets.cve}"`).join('') : m.body;
      expectNoSecret(body, { description, proof, purl, fingerprint, vector, first, second, cve: secrets.cve }, `the event ${m.subject} (${m.event.subject})`);
    }
  });
});

describe('an import', () => {
  it('that shows the flaw public (an OSV record aliasing its CVE id) ends the embargo; the details reach the auditor', async () => {
    const acme = await h.reporter('acme');
    const { secrets, details } = secretFlaw('four');
    const report = await validatedReport(acme, details);
    await call(h.client, 'embargoFlaw', { flawId: report.id, operators: ['rural-hospital'] }, analyst);
    const auditor = await token('auditor', 'inspector-general');
    expect((await getEmbargo(report.id, auditor)).flaw!.withheldBecause).toBe(W.DETAILS_WITHHELD_EMBARGO);

    const osvId = `PYSEC-2026-${secrets.cve.slice(-5)}`;
    const osv = {
      schema_version: '1.6.0', id: osvId, modified: '2026-01-02T00:00:00Z', published: '2026-01-01T00:00:00Z', aliases: [secrets.cve], summary: 'published', details: 'published',
      affected: [{ package: { ecosystem: 'PyPI', name: 'flask', purl: 'pkg:pypi/flask' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }] }],
    };
    const imported = await call<v1.ImportAdvisoriesResponse>(h.client, 'importAdvisories', { items: [{ format: v1.AdvisoryFormat.ADVISORY_FORMAT_OSV, document: Buffer.from(JSON.stringify(osv)) }] }, analyst);
    expect(imported.results[0]).toMatchObject({ outcome: v1.ImportOutcome.IMPORT_OUTCOME_STORED, errors: [] });

    const ended = await eventOf(report.id, 'rampart.clearinghouse.embargo.ended');
    expectNoSecret(ended.body, secrets, 'the embargo.ended event');
    expect((await getEmbargo(report.id, analyst)).embargo!.ended).toMatchObject({ cause: v1.EmbargoEndCause.EMBARGO_END_CAUSE_PUBLIC, detail: expect.stringContaining(secrets.cve) });
    expect((await getEmbargo(report.id, auditor)).flaw).toMatchObject({ description: secrets.description, withheldBecause: W.DETAILS_WITHHELD_UNSPECIFIED });
  });
});

describe('ReportExploitation', () => {
  it('emits exploitation.reported, self-contained and free of the details, ends the embargo and raises the priority; a retry reports nothing new', async () => {
    const acme = await h.reporter('acme');
    const { secrets, details } = secretFlaw('two');
    const report = await validatedReport(acme, details);
    await call(h.client, 'embargoFlaw', { flawId: report.id, vendors: ['initech'] }, analyst);
    const auditor = await token('auditor', 'inspector-general');
    expect((await getEmbargo(report.id, auditor)).flaw!.withheldBecause).toBe(W.DETAILS_WITHHELD_EMBARGO);

    // An operator not party to it sees it exploited in its network and reports it by the CVE id.
    const bank = await token('operator', 'community-bank');
    const request = {
      flawId: secrets.cve, observedAt: formatZonedTime({ at: new Date(Date.now() - 3_600_000), zone: 'America/Chicago' }),
      indicators: ['machine-speed-exploitation', 'autonomous-agent-behaviour'], otherIndicators: 'tool calls every 40 ms',
      source: { kind: 'operator', name: 'Community Bank SOC', reference: 'https://soc.example.test/case/7' }, idempotencyKey: 'bank-case-7',
    };
    const answer = await rawCall('ReportExploitation', v1.ReportExploitationRequest.encode(v1.ReportExploitationRequest.fromPartial(request)).finish(), bank);
    expectNoSecret(bytesOf(answer), { ...secrets, cve: '\u0000never' }, 'the exploitation reporter'); // it named the CVE id itself
    const reported = v1.ReportExploitationResponse.decode(answer.bytes!);
    // The CVE id names the report's Vulnerability once the report joined one, else the report (by the embargo's index).
    const flawId = reported.report!.resolvedFlawId;
    expect([report.id, secrets.cve]).toContain(flawId);
    expect(reported.report).toMatchObject({ flawId: secrets.cve, aiEnabledTooling: true, reportedByOrganization: 'community-bank', indicators: ['machine-speed-exploitation', 'autonomous-agent-behaviour'] });
    expect(reported.embargo).toMatchObject({ status: v1.EmbargoStatus.EMBARGO_STATUS_ENDED, parties: [] });

    const event = await eventOf(flawId, 'rampart.clearinghouse.exploitation.reported');
    expectNoSecret(event.body, { ...secrets, cve: '\u0000never' }, 'the exploitation event');
    expect(event.event.data).toMatchObject({
      exploitationId: reported.report!.id, flawId, namedAs: secrets.cve, aiEnabledTooling: true, embargoEnded: true,
      indicators: ['machine-speed-exploitation', 'autonomous-agent-behaviour'], source: { kind: 'operator', name: 'Community Bank SOC' },
      reportedByOrganization: 'community-bank', flaw: { id: flawId, tlp: 'AMBER', embargo: { status: 'ended' } },
    });
    const ended = await eventOf(report.id, 'rampart.clearinghouse.embargo.ended');
    expectNoSecret(ended.body, secrets, 'the embargo.ended event');

    // Ended by exploitation: the auditor reads the details now; another reporter organisation still not (AMBER).
    const byAnalyst = await getEmbargo(report.id, analyst);
    expect(byAnalyst.embargo!.ended).toMatchObject({ cause: v1.EmbargoEndCause.EMBARGO_END_CAUSE_EXPLOITED });
    expect((await getEmbargo(report.id, auditor)).flaw).toMatchObject({ description: secrets.description, withheldBecause: W.DETAILS_WITHHELD_UNSPECIFIED });
    const globex = await getEmbargo(report.id, await token('reporter', 'globex'));
    expect(globex.flaw).toMatchObject({ description: '', withheldBecause: W.DETAILS_WITHHELD_TLP });

    // Exploited in the wild: immediate priority, with the reason.
    await waitFor('the rescored report', async () => (await h.reports.findOne({ _id: report.id as never }))?.scoring?.priority?.level === 'immediate');

    // The same report again: nothing new is stored or announced.
    const again = await call<v1.ReportExploitationResponse>(h.client, 'reportExploitation', request, bank);
    expect(again.report!.id).toBe(reported.report!.id);
    const marker = await validatedReport(acme, reportDetails({ title: 'Marker' }));
    await call(h.client, 'embargoFlaw', { flawId: marker.id }, analyst);
    await eventOf(marker.id, 'rampart.clearinghouse.embargo.started');
    expect(await eventsAbout(flawId, 'rampart.clearinghouse.exploitation.')).toHaveLength(1);
    expect(await eventsAbout(report.id, 'rampart.clearinghouse.embargo.ended')).toHaveLength(1);
  });

  it('refuses bad input naming every field, and an unknown flaw as NOT_FOUND', async () => {
    const bank = await token('operator', 'community-bank');
    const bad = await call(h.client, 'reportExploitation', { flawId: 'bad id!', observedAt: '2026-05-01T17:00:00', indicators: ['telepathy'], source: { kind: 'psychic', name: '' } }, bank).then(() => undefined, (e: ServiceError) => e);
    expect(bad!.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(bad!.metadata).map((v) => v.field).sort()).toEqual(['flaw_id', 'indicators[0]', 'observed_at', 'source.kind', 'source.name']);
    const missing = await call(h.client, 'reportExploitation', { flawId: 'CVE-2099-0001', observedAt: '2026-01-01T00:00:00Z', source: { kind: 'operator', name: 'x' } }, bank).then(() => 'OK', (e: ServiceError) => e.code);
    expect(missing).toBe(status.NOT_FOUND);
  });
});

describe('the end date', () => {
  it('ends the embargo on the durable timer, after an extension moved it, and the details reach whom the label allows', async () => {
    const acme = await h.reporter('acme');
    const { secrets, details } = secretFlaw('three', v1.TlpLabel.TLP_LABEL_GREEN);
    const report = await validatedReport(acme, details);
    const zone = 'America/New_York';
    const at = (ms: number) => formatZonedTime({ at: new Date(Date.now() + ms), zone });

    // Bad ends: no zone, too soon; an extension that would shorten is refused.
    const noZone = await call(h.client, 'embargoFlaw', { flawId: report.id, endsAt: '2026-12-01T17:00:00' }, analyst).then(() => undefined, (e: ServiceError) => e);
    expect(fieldViolationsOf(noZone!.metadata).map((v) => v.field)).toEqual(['ends_at']);
    await call(h.client, 'embargoFlaw', { flawId: report.id, endsAt: at(2_500), vendors: ['initech'] }, analyst);
    const shorter = await call(h.client, 'extendEmbargo', { flawId: report.id, endsAt: at(1_500), reason: 'sooner' }, analyst).then(() => undefined, (e: ServiceError) => e);
    expect(shorter!.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(shorter!.metadata)[0]!.description).toMatch(/never shortens/);
    const noReason = await call(h.client, 'extendEmbargo', { flawId: report.id, endsAt: at(5_000) }, analyst).then(() => undefined, (e: ServiceError) => e);
    expect(fieldViolationsOf(noReason!.metadata).map((v) => v.field)).toEqual(['reason']);
    const extended = await call<v1.ExtendEmbargoResponse>(h.client, 'extendEmbargo', { flawId: report.id, endsAt: at(4_000), reason: 'the vendor needs a release build' }, analyst);
    expect(extended.embargo).toMatchObject({ revision: 2, changes: [{ kind: 'extended', reason: 'the vendor needs a release build' }] });

    // During it, a vendor not named reads the summary (GREEN would let it read: the embargo withholds).
    const umbrella = await token('vendor', 'umbrella');
    const during = await rawGetEmbargo(report.id, umbrella);
    expectNoSecret(bytesOf(during), secrets, 'a vendor not named');
    const extendedEvent = await eventOf(report.id, 'rampart.clearinghouse.embargo.extended');
    expectNoSecret(extendedEvent.body, secrets, 'the embargo.extended event');
    expect(extendedEvent.body).not.toContain('release build'); // the reason is a detail

    const endedEvent = await eventOf(report.id, 'rampart.clearinghouse.embargo.ended');
    expect(Date.parse(endedEvent.event.time)).toBeGreaterThanOrEqual(extended.embargo!.endTime!.getTime());
    const byAnalyst = await getEmbargo(report.id, analyst);
    expect(byAnalyst.embargo).toMatchObject({ status: v1.EmbargoStatus.EMBARGO_STATUS_ENDED, revision: 3, ended: { cause: v1.EmbargoEndCause.EMBARGO_END_CAUSE_END_DATE } });
    // The timer fired (the first schedule was replaced by the extension's).
    const fires = (await readStream(h.jsm, 'CLEARINGHOUSE_TIMERS')).filter((m) => m.subject === 'rampart.clearinghouse.timer.fired.embargo-end' && m.event.subject === report.id);
    expect(fires.length).toBeGreaterThanOrEqual(1);
    // GREEN, ended: the vendor not named reads the details now.
    expect((await getEmbargo(report.id, umbrella)).flaw).toMatchObject({ description: secrets.description, proof: secrets.proof, withheldBecause: W.DETAILS_WITHHELD_UNSPECIFIED });
    // Ended embargoes never restart, and cannot be lifted.
    expect(await call(h.client, 'embargoFlaw', { flawId: report.id, endsAt: at(60_000) }, analyst).then(() => 'OK', (e: ServiceError) => e.code)).toBe(status.FAILED_PRECONDITION);
    expect(await call(h.client, 'liftEmbargo', { flawId: report.id, reason: 'done' }, analyst).then(() => 'OK', (e: ServiceError) => e.code)).toBe(status.FAILED_PRECONDITION);
  }, 30_000);

  it('refuses to embargo a report not validated', async () => {
    const { report } = await h.submit(await h.reporter('acme'), reportDetails({ title: 'Unchecked' }));
    const refused = await call(h.client, 'embargoFlaw', { flawId: report!.id }, analyst).then(() => undefined, (e: ServiceError) => e);
    expect(refused!.code).toBe(status.FAILED_PRECONDITION);
    expect(refused!.details).toMatch(/validates it first/);
  });
});
