/**
 * Evidence, custody and candidates end to end, services as processes on real nats-server, FerretDB
 * and Jaeger: two enforcement processes append to one chain at once and it never forks; tampering
 * with a stored entry is named by VerifyCustody; an exploitation report made through the
 * clearinghouse's gRPC API becomes one candidate (one trace from the report to it), however often
 * its event is delivered, and an analyst accepts it into a referral; an early-access insider-risk
 * signal becomes a candidate linked to its access-log records; every exported bundle is valid STIX 2.1.
 */
import { createHash, randomBytes } from 'node:crypto';
import { GridFSBucket, ObjectId } from 'mongodb';
import { status, type ServiceError } from '@grpc/grpc-js';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { jetstream, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { bearer, callUnary, fieldViolationsOf, insecure } from '@rampart/grpc-kit';
import { clearinghouseV1 as ch, enforcementV1 as v1 } from '@rampart/proto';
import { readStream, sharedServers, waitFor, waitForTrace } from '@rampart/testing';
import { call, details, EnforcementHarness } from './fixtures';
import { StixSchemas } from './stix-schemas';

const h = new EnforcementHarness();
const schemas = new StixSchemas();
let analyst: string;
let clearinghouse: ch.ClearinghouseServiceClient;

beforeAll(async () => {
  await h.start(2, { EVIDENCE_UPLOAD_MAX_BYTES: String(1024 * 1024) });
  analyst = await h.token('enforcement-analyst', 'doj');
  clearinghouse = new ch.ClearinghouseServiceClient((await h.startOther('clearinghouse')).address, insecure());
}, 120_000);
afterAll(async () => {
  clearinghouse?.close();
  await h.stop();
});

const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);
const action = (kind: v1.CustodyActionKind, i: number) => ({ kind, handler: `Agent ${i}`, at: '2026-11-21T10:00:00-06:00[America/Chicago]', location: 'FBI Omaha, evidence room 2', purpose: `step ${i}` });
const K = v1.CustodyActionKind;

async function acceptedReferral(key: string): Promise<v1.Referral> {
  const referrer = await h.token('referrer', 'prairie-bank', 'UNCLASSIFIED');
  return (await call<v1.FileReferralResponse>(h.client, 'fileReferral', { details: details(), idempotencyKey: key }, referrer)).referral!;
}

const candidates = async () => (await call<v1.ListReferralsResponse>(h.client, 'listReferrals', { status: v1.ReferralStatus.REFERRAL_STATUS_CANDIDATE, pageSize: 100 }, analyst)).referrals;

describe('evidence and custody', () => {
  it('two processes appending at once give one unbroken chain; tampering is named at its entry', async () => {
    const referral = await acceptedReferral('custody-1');
    const added = await call<v1.AddEvidenceResponse>(h.client, 'addEvidence', {
      referralId: referral.referralId, reference: 'locker://omaha/2026/0042', sha256: 'ab'.repeat(32), sizeBytes: 734_003_200, mediaType: 'application/vnd.tcpdump.pcap',
      description: 'Packet capture of the wire desk VLAN', collected: action(K.CUSTODY_ACTION_KIND_COLLECTED, 0),
    }, analyst);
    const item = added.evidence!.evidenceId;
    expect(added.firstEntry).toMatchObject({ sequence: 1, previousHash: '0'.repeat(64) });

    // 20 appends, alternating between the two processes, all at once.
    const appended = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      call<v1.RecordCustodyResponse>(h.clients[i % 2]!, 'recordCustody', { evidenceId: item, action: action(K.CUSTODY_ACTION_KIND_EXAMINED, i + 1) }, analyst)));
    expect(appended.map((a) => a.entry!.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    // Checkpoints every 5 entries (the harness's setting): a check reads from the last (20), an audit from 1.
    expect(await call<v1.VerifyCustodyResponse>(h.clients[1]!, 'verifyCustody', { evidenceId: item }, analyst)).toMatchObject({ intact: true, entries: 21, firstBrokenSequence: 0, verifiedFromSequence: 20 });
    expect(await call<v1.VerifyCustodyResponse>(h.clients[1]!, 'verifyCustody', { evidenceId: item, fromGenesis: true }, analyst)).toMatchObject({ intact: true, entries: 21, verifiedFromSequence: 1 });
    const listed = await call<v1.ListCustodyResponse>(h.client, 'listCustody', { evidenceId: item, pageSize: 500 }, await h.token('auditor', 'oig'));
    expect(listed.entries.map((e) => e.sequence)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    for (let i = 1; i < listed.entries.length; i++) expect(listed.entries[i]!.previousHash).toBe(listed.entries[i - 1]!.hash);

    const id = (n: number) => `${item}:${String(n).padStart(8, '0')}`;
    const verify = (fromGenesis = false) => call<v1.VerifyCustodyResponse>(h.client, 'verifyCustody', { evidenceId: item, fromGenesis }, analyst);
    // Edit entry 21 (after the last checkpoint): the everyday check names it.
    await h.custody.updateOne({ _id: id(21) as never }, { $set: { 'action.location': 'a car boot' } });
    expect(await verify()).toMatchObject({ intact: false, firstBrokenSequence: 21, reason: expect.stringMatching(/altered/) });
    // Edit entry 7's location: the audit from the first entry names entry 7.
    await h.custody.updateOne({ _id: id(7) as never }, { $set: { 'action.location': 'a car boot' } });
    expect(await verify(true)).toMatchObject({ intact: false, firstBrokenSequence: 7, reason: expect.stringMatching(/altered/) });
    // Delete entry 5 as well (where the head search probes: it stops there): the first broken link is now 5.
    await h.custody.deleteOne({ _id: id(5) as never });
    expect(await verify(true)).toMatchObject({ intact: false, firstBrokenSequence: 5, reason: expect.stringMatching(/missing or out of place/) });
    // Rewrite the last checkpoint to vouch for another hash: without the key its signature cannot follow.
    const checkpoints = h.mongo.db(h.database).collection('enforcement_custody_checkpoints');
    await checkpoints.updateOne({ _id: `${item}#3` as never }, { $set: { hash: 'f'.repeat(64) } });
    expect(await verify()).toMatchObject({ intact: false, firstBrokenSequence: 20, reason: expect.stringMatching(/signature/) });

    // Bad input and outside readers.
    const bad = await call(h.client, 'recordCustody', { evidenceId: item, action: { kind: K.CUSTODY_ACTION_KIND_UNSPECIFIED, handler: '', at: '2026-11-21 10:00', location: '', purpose: '' } }, analyst).then(() => undefined, (e: ServiceError) => e);
    expect(bad!.code).toBe(status.INVALID_ARGUMENT);
    for (const token of [await h.token('partner', 'acme'), await h.token('operator', 'prairie-bank'), await h.token('developer', 'acme'), await h.token('referrer', 'prairie-bank')]) {
      expect(await codeOf(call(h.client, 'verifyCustody', { evidenceId: item }, token))).toBe(status.PERMISSION_DENIED);
    }

    const bundle = JSON.parse(Buffer.from((await call<v1.ExportStixResponse>(h.client, 'exportStix', { referralId: referral.referralId }, analyst)).bundle).toString('utf8')) as { objects: { type: string; hashes?: Record<string, string> }[] };
    expect(schemas.problems(bundle)).toEqual([]);
    expect(bundle.objects.find((o) => o.type === 'file' && o.hashes?.['SHA-256'] === 'ab'.repeat(32))).toBeDefined();
  }, 90_000);
});

describe('uploaded evidence', () => {
  /** One client-streamed upload: the header, then `bytes` in 64 KiB chunks. */
  const upload = (header: object, bytes: Buffer) => new Promise<v1.UploadEvidenceResponse>((resolve, reject) => {
    void h.auth.token({ roles: ['enforcement-analyst'], organization: 'doj', clearance: 'CUI', subject: 'sa@doj' }).then((token) => {
      const call = h.client.uploadEvidence(bearer(token), (error, answer) => (error ? reject(error) : resolve(answer)));
      call.write({ part: { $case: 'header', value: v1.UploadEvidenceHeader.fromPartial(header) } });
      for (let at = 0; at < bytes.length; at += 65_536) call.write({ part: { $case: 'chunk', value: bytes.subarray(at, at + 65_536) } });
      call.end();
    });
  });

  it('streams a small item into GridFS with the SHA-256 it computed; a mismatch or an item over the limit stores nothing', async () => {
    const referral = await acceptedReferral('upload-1');
    const header = { referralId: referral.referralId, mediaType: 'message/rfc822', description: 'the phishing mail', collected: action(K.CUSTODY_ACTION_KIND_COLLECTED, 0) };
    const bytes = randomBytes(300_000);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const stored = await upload({ ...header, sha256 }, bytes);
    expect(stored.evidence).toMatchObject({ sha256, sizeBytes: 300_000, mediaType: 'message/rfc822', reference: expect.stringMatching(/^gridfs:enforcement_evidence_files\/[0-9a-f]{24}$/) });
    expect(stored.firstEntry).toMatchObject({ sequence: 1 });
    // The bytes in GridFS are the bytes sent.
    const files = new GridFSBucket(h.mongo.db(h.database), { bucketName: 'enforcement_evidence_files' });
    const fileId = new ObjectId(stored.evidence!.reference.split('/')[1]);
    const back = Buffer.concat(await files.openDownloadStream(fileId).toArray());
    expect(createHash('sha256').update(back).digest('hex')).toBe(sha256);

    const filesBefore = await h.mongo.db(h.database).collection('enforcement_evidence_files.files').countDocuments();
    const mismatch = await upload({ ...header, sha256: 'e'.repeat(64) }, bytes).then(() => undefined, (e: ServiceError) => e);
    expect(mismatch!.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(mismatch!.metadata)).toEqual([expect.objectContaining({ field: 'header.sha256' })]);
    const tooBig = await upload(header, randomBytes(1024 * 1024 + 1)).then(() => undefined, (e: ServiceError) => e);
    expect(tooBig!.code).toBe(status.INVALID_ARGUMENT);
    expect(await h.mongo.db(h.database).collection('enforcement_evidence_files.files').countDocuments()).toBe(filesBefore);
    const listed = await call<v1.ListEvidenceResponse>(h.client, 'listEvidence', { referralId: referral.referralId }, analyst);
    expect(listed.evidence.map((e) => e.sha256)).toEqual([sha256]);
  }, 60_000);
});

describe('candidates', () => {
  it('an exploitation report made through the clearinghouse becomes one candidate, in one trace, however often delivered; an analyst accepts it', async () => {
    const chAnalyst = await h.auth.token({ roles: ['clearinghouse-analyst'], organization: 'treasury', clearance: 'CUI', subject: 'analyst@treasury' });
    const cve = `CVE-2099-${10_000 + Math.floor(Math.random() * 89_999)}`;
    const osv = { schema_version: '1.6.0', id: `OSV-2099-${cve.slice(9)}`, modified: '2026-11-01T00:00:00Z', published: '2026-11-01T00:00:00Z', aliases: [cve], summary: 'RCE in acme-gateway', affected: [{ package: { ecosystem: 'PyPI', name: 'acme-gateway' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }] };
    await callUnary(clearinghouse, ch, 'importAdvisories', { items: [{ format: ch.AdvisoryFormat.ADVISORY_FORMAT_OSV, document: Buffer.from(JSON.stringify(osv)) }] }, bearer(chAnalyst));

    const bank = await h.auth.token({ roles: ['operator'], organization: 'prairie-bank', subject: 'soc@prairie-bank' });
    const traceId = randomBytes(16).toString('hex');
    const meta = bearer(bank);
    meta.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
    const report = async () => callUnary<ch.ReportExploitationResponse>(clearinghouse, ch, 'reportExploitation', {
      flawId: cve, observedAt: '2026-11-20T08:00:00-06:00[America/Chicago]', indicators: ['machine-speed-exploitation', 'autonomous-agent-behaviour'],
      source: { kind: 'operator', name: 'Prairie Bank SOC' }, idempotencyKey: `exploit-${cve}`,
    }, meta);
    await waitFor('the flaw imported', async () => report().then(() => true, () => false), 60_000);

    await waitFor('the candidate', async () => (await candidates()).some((c) => c.links.some((l) => l.id === cve || l.kind === 'clearinghouse.exploitation')));
    const mine = (await candidates()).filter((c) => c.details!.narrative.includes(cve));
    expect(mine).toHaveLength(1);
    const candidate = mine[0]!;
    expect(candidate).toMatchObject({ source: 'exploitation', organization: '', status: v1.ReferralStatus.REFERRAL_STATUS_CANDIDATE });
    expect(candidate.details!.aiEnabledIndicators).toEqual(['machine-speed-exploitation', 'autonomous-agent-behaviour']);

    // One trace: the report's gRPC call, its event, and enforcement's processing of it.
    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (all) =>
      all.some((s) => s.service === 'clearinghouse' && s.kind === 2) && all.some((s) => s.service === 'enforcement' && s.name === 'process rampart.clearinghouse.exploitation.reported'));
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

    // The same event delivered again (published anew under another message id): nothing changes.
    const [event] = (await readStream(h.jsm, 'CLEARINGHOUSE_EVENTS')).filter((m) => m.subject === 'rampart.clearinghouse.exploitation.reported' && m.body.includes(cve));
    const again = natsHeaders();
    again.set('Nats-Msg-Id', `redelivery-${event!.event.id}`);
    await jetstream(h.nc).publish(event!.subject, event!.body, { headers: again });
    // A positive signal that the redelivery was processed: the consumer's acknowledged floor passes it.
    const info = await h.jsm.streams.info('CLEARINGHOUSE_EVENTS');
    await waitFor('the redelivery processed', async () => {
      const c = await h.jsm.consumers.info('CLEARINGHOUSE_EVENTS', 'enforcement-exploitation');
      return c.ack_floor.stream_seq >= info.state.last_seq && c.num_pending === 0 && c.num_ack_pending === 0;
    });
    expect((await candidates()).filter((c) => c.details!.narrative.includes(cve))).toHaveLength(1);

    // An analyst accepts it with the victim's facts: a referral, scored on them.
    const accepted = (await call<v1.AcceptCandidateResponse>(h.client, 'acceptCandidate', { referralId: candidate.referralId, expectedRevision: candidate.revision, details: details({ exploitsKnownExploitedFlaw: true }) }, analyst)).referral!;
    expect(accepted).toMatchObject({ status: v1.ReferralStatus.REFERRAL_STATUS_RECEIVED, revision: 2, links: candidate.links });
    expect(accepted.priority!.factors.find((f) => f.factor === 'knownExploitedFlaw')!.value).toBe(1);
    const bundle = JSON.parse(Buffer.from((await call<v1.ExportStixResponse>(h.client, 'exportStix', { referralId: accepted.referralId }, analyst)).bundle).toString('utf8')) as unknown;
    expect(schemas.problems(bundle)).toEqual([]);
  }, 120_000);

  it('an early-access insider-risk signal becomes a candidate linked to its access-log records', async () => {
    // Early access's stream and its signal event, as early access publishes them.
    await h.jsm.streams.add({ name: 'ACCESS_EVENTS', subjects: ['rampart.access.signal.>'], retention: RetentionPolicy.Limits, storage: StorageType.File }).catch(() => undefined);
    const programId = '0190b4c6-4444-7000-8000-000000000004';
    const eventId = '0190b4c6-5555-7000-8000-000000000005';
    const event = {
      specversion: '1.0', id: eventId, source: '/rampart/access', type: 'rampart.access.signal.raised.v1', subject: `${programId}:12:volume`, time: new Date().toISOString(), datacontenttype: 'application/json',
      data: { id: `${programId}:12:volume`, programId, rule: 'volume', description: 'a use 40 times the principal\'s usual volume', recordSequences: [12], principal: 'eve@partner-x', principalOrganization: 'partner-x', organization: 'acme', raisedAt: new Date().toISOString(), revision: 1 },
    };
    const hdrs = natsHeaders();
    hdrs.set('Nats-Msg-Id', eventId);
    await jetstream(h.nc).publish('rampart.access.signal.raised', JSON.stringify(event), { headers: hdrs });
    await waitFor('the signal candidate', async () => (await candidates()).some((c) => c.source === 'insider-risk' && c.links.some((l) => l.id === `${programId}:12`)));
    const [candidate] = (await candidates()).filter((c) => c.source === 'insider-risk' && c.links.some((l) => l.id === `${programId}:12`));
    expect(candidate!.links).toEqual([{ kind: 'access.signal', id: `${programId}:12:volume` }, { kind: 'access.program', id: programId }, { kind: 'access.record', id: `${programId}:12` }]);
    // Dismissed with a reason: no referral goes further.
    const dismissed = (await call<v1.DismissCandidateResponse>(h.client, 'dismissCandidate', { referralId: candidate!.referralId, expectedRevision: 1, reason: 'authorised load test' }, analyst)).referral!;
    expect(dismissed).toMatchObject({ status: v1.ReferralStatus.REFERRAL_STATUS_DISMISSED, reason: 'authorised load test' });
    expect(await codeOf(call(h.client, 'startReview', { referralId: candidate!.referralId, expectedRevision: 2 }, analyst))).toBe(status.FAILED_PRECONDITION);
  }, 60_000);
});
