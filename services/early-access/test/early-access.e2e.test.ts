/**
 * Early access end to end: intake, designation and early access as their own processes on real
 * nats-server, FerretDB and Jaeger; every call over gRPC on loopback; the gateway's offline
 * verifier in this process, following revocations on the developer's own subject.
 */
import { randomBytes } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import type { OfflineVerifier } from '@rampart/access-verifier';
import { fieldViolationsOf, insecure } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { readStream, sharedServers, waitFor, waitForTrace } from '@rampart/testing';
import { AccessHarness, DAY } from './fixtures';

const h = new AccessHarness();
const R = v1.SignalRule;
const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);

const EVE = 'eve@nsa';
let developer: string;
let globex: string;
let officer: string;
let eve: string;
let gateway: string;
let auditor: string;
let offline: OfflineVerifier;

beforeAll(async () => {
  await h.start({ AUTH_CLOCK_TOLERANCE_S: '0' });
  developer = await h.token('developer', 'acme');
  globex = await h.token('developer', 'globex');
  officer = await h.token('access-officer', 'ostp', 'CUI');
  eve = await h.token('evaluator', 'nsa', 'CUI', EVE);
  gateway = await h.token('gateway', 'acme');
  auditor = await h.token('auditor', 'oig', 'CUI');
  await h.publishAgreements(officer);
  offline = await h.offlineVerifier('acme', gateway);
}, 180_000);
afterAll(() => h.stop());

async function open(id: string, windowStartTime?: Date): Promise<v1.AccessProgram> {
  return (await h.call<v1.OpenProgramResponse>('openProgram', { submissionId: id, ...(windowStartTime ? { windowStartTime } : {}) }, developer)).program!;
}

/** The principal accepts the current version of every kind. */
async function acceptAll(programId: string, token: string): Promise<void> {
  const { agreements } = await h.call<v1.ListAgreementsResponse>('listAgreements', {}, token);
  for (const a of agreements) await h.call('acceptAgreement', { programId, kind: a.kind, contentHash: a.contentHash }, token);
}

async function grantEve(programId: string): Promise<v1.Grant> {
  return (await h.call<v1.IssueGrantResponse>('issueGrant', { programId, principal: EVE, principalOrganization: 'nsa', principalKind: v1.PrincipalKind.PRINCIPAL_KIND_GOVERNMENT, scopes: ['inference'], purpose: 'pre-release red teaming', idempotencyKey: randomBytes(8).toString('hex') }, officer)).grant!;
}

async function credentialFor(grantId: string, ttlSeconds = 0): Promise<v1.IssueCredentialResponse> {
  return h.call<v1.IssueCredentialResponse>('issueCredential', { grantId, ttlSeconds }, eve);
}

async function verifyOnline(token: string): Promise<v1.VerifyCredentialResponse> {
  return h.call<v1.VerifyCredentialResponse>('verifyCredential', { token }, gateway);
}

describe('opening a program', () => {
  it('opens for a covered decision released through designation, over real NATS, in one trace; before release or when not covered the refusal reveals nothing more', async () => {
    const id = await h.submit();
    const refusal = async (submissionId: string, token = developer) => {
      const e = await errorOf(h.call('openProgram', { submissionId }, token));
      return { code: e.code, details: e.details.split(submissionId).join('<id>') };
    };
    const unknownModel = await refusal(id); // intake's event may not even have arrived: the answer is the same
    expect(unknownModel).toEqual({ code: status.FAILED_PRECONDITION, details: 'no assessment released to your organisation says the model of submission <id> is covered' });
    await h.decide(id, 'covered');
    expect(await refusal(id)).toEqual(unknownModel); // decided, not released: the classified decision does not leak

    const notCovered = await h.submit();
    await h.decide(notCovered, 'not_covered');
    await h.release(notCovered);
    await h.assessmentConsumed(notCovered);
    expect(await refusal(notCovered)).toEqual(unknownModel);

    const traceId = randomBytes(16).toString('hex');
    await h.release(id, { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` });
    await h.assessmentConsumed(id);
    expect(await refusal(id, globex)).toEqual(unknownModel); // another organisation's covered model
    const program = await open(id);
    expect(program).toMatchObject({ id, organization: 'acme', status: v1.ProgramStatus.PROGRAM_STATUS_OPEN, requiredAgreements: [1, 2, 3, 4, 5] });
    expect(program.window!.governmentEndTime).toEqual(program.window!.partnerReleaseTime);
    expect(await codeOf(h.call('openProgram', { submissionId: id }, developer))).toBe(status.ALREADY_EXISTS);
    expect(await codeOf(h.call('getProgram', { programId: id }, globex))).toBe(status.NOT_FOUND);
    expect((await h.call<v1.GetProgramResponse>('getProgram', { programId: id }, auditor)).program!.id).toBe(id);

    const opened = await h.published('ACCESS_EVENTS', 'rampart.access.program.opened', id);
    expect(opened).toBeGreaterThan(0);
    // Each service exports its spans on its own schedule: wait until all three are there.
    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (s) =>
      s.some((x) => x.service === 'early-access' && x.name === 'process rampart.developer.acme.designation.assessment.released') &&
      s.some((x) => x.service === 'designation' && x.name === 'grpc.rampart.designation.v1.DesignationService/ReleaseAssessment') &&
      s.some((x) => x.service === 'designation' && x.name === 'publish rampart.developer.acme.designation.assessment.released'));
    const release = spans.find((s) => s.service === 'designation' && s.name === 'grpc.rampart.designation.v1.DesignationService/ReleaseAssessment')!;
    const publish = spans.find((s) => s.service === 'designation' && s.name === 'publish rampart.developer.acme.designation.assessment.released')!;
    const consume = spans.find((s) => s.service === 'early-access' && s.name === 'process rampart.developer.acme.designation.assessment.released')!;
    expect(release).toBeDefined();
    expect(publish).toBeDefined();
    expect(consume).toMatchObject({ kind: 5, parentSpanId: publish.spanId, attributes: expect.objectContaining({ 'messaging.consumer.group.name': 'access-assessments' }) });
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
  });

  it('refuses a 31-day window and a window starting in the past, naming the field and the reason', async () => {
    const id = await h.coveredModel('acme', 40, 60);
    const long = await errorOf(h.call('openProgram', { submissionId: id, windowStartTime: new Date(Date.now() + 9 * DAY) }, developer));
    expect(long.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(long.metadata)).toEqual([{ field: 'window_start_time', description: expect.stringContaining('no earlier than 30 days before the partner release') }]);
    const past = await errorOf(h.call('openProgram', { submissionId: id, windowStartTime: new Date(Date.now() - 60_000) }, developer));
    expect(fieldViolationsOf(past.metadata)).toEqual([{ field: 'window_start_time', description: expect.stringContaining('must not be in the past') }]);
    const program = await open(id, new Date(Date.now() + 11 * DAY));
    expect(program.window!.governmentStartTime!.getTime()).toBeGreaterThan(Date.now() + 10 * DAY);
  });

  it('moves the window when an amendment moves the dates, and says so in an event', async () => {
    const id = await h.coveredModel('acme', 20, 50);
    const start = new Date(Date.now() + 5 * DAY);
    await open(id, start);
    await h.amendDates('acme', id, 1, 45, 70);
    const seq = await h.published('ACCESS_EVENTS', 'rampart.access.window.changed', id);
    const moved = (await readStream(h.jsm, 'ACCESS_EVENTS')).find((m) => m.seq === seq)!.event.data as { window: { governmentStartAt: string; partnerReleaseAt: string } };
    const { program } = await h.call<v1.GetProgramResponse>('getProgram', { programId: id }, developer);
    expect(program!.submissionRevision).toBe(2);
    const window = program!.window!;
    expect(window.partnerReleaseTime!.getTime() - window.governmentStartTime!.getTime()).toBe(30 * DAY);
    expect(new Date(moved.window.governmentStartAt)).toEqual(window.governmentStartTime);
  });
});

describe('agreements, partners and credentials', () => {
  let programId: string;
  beforeAll(async () => {
    programId = await h.coveredModel();
    await open(programId);
  }, 60_000);

  it('refuses a credential before every agreement is accepted, then issues one', async () => {
    const grant = await grantEve(programId);
    const refused = await errorOf(credentialFor(grant.id));
    expect(refused.code).toBe(status.FAILED_PRECONDITION);
    expect(refused.details).toMatch(/accept the program's agreements before a credential is issued: version 1 of the confidentiality agreement is not accepted/);
    await acceptAll(programId, eve);
    const credential = await credentialFor(grant.id);
    expect(credential.expireTime!.getTime() - Date.now()).toBeLessThanOrEqual(DAY);
    expect(await verifyOnline(credential.token)).toMatchObject({ valid: true, grantId: grant.id, programId, principal: EVE, scopes: ['inference'] });
    expect(await offline.verify(credential.token)).toMatchObject({ valid: true, claims: { grantId: grant.id } });
    // Someone else's grant does not exist for them; a credential for another organisation's gateway is not valid at this one.
    expect(await codeOf(h.call('issueCredential', { grantId: grant.id }, await h.token('evaluator', 'nsa', 'CUI', 'mallory@nsa')))).toBe(status.NOT_FOUND);
    expect(await h.call('verifyCredential', { token: credential.token }, await h.token('gateway', 'globex'))).toMatchObject({ valid: false, reason: "issued for another organisation's gateway" });
  });

  it('selects a partner only with both approvals; a veto removes one', async () => {
    const nominated = (await h.call<v1.NominatePartnerResponse>('nominatePartner', { programId, partnerOrganization: 'initech' }, developer)).nomination!;
    expect(nominated).toMatchObject({ status: v1.NominationStatus.NOMINATION_STATUS_NOMINATED, nominatedBySide: v1.Side.SIDE_DEVELOPER });
    const partnerGrant = { programId, principal: 'bob@initech', principalOrganization: 'initech', principalKind: v1.PrincipalKind.PRINCIPAL_KIND_PARTNER, scopes: ['inference'], purpose: 'partner testing', idempotencyKey: randomBytes(8).toString('hex') };
    const notSelected = await errorOf(h.call('issueGrant', partnerGrant, officer));
    expect(notSelected).toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringContaining('not a selected trusted partner') });
    const vetoed = (await h.call<v1.VetoPartnerResponse>('vetoPartner', { programId, partnerOrganization: 'initech', reason: 'conflict of interest' }, officer)).nomination!;
    expect(vetoed).toMatchObject({ status: v1.NominationStatus.NOMINATION_STATUS_VETOED, closedBySide: v1.Side.SIDE_GOVERNMENT });
    expect(await codeOf(h.call('approvePartner', { programId, partnerOrganization: 'initech' }, officer))).toBe(status.FAILED_PRECONDITION);

    await h.call('nominatePartner', { programId, partnerOrganization: 'hooli' }, officer);
    const selected = (await h.call<v1.ApprovePartnerResponse>('approvePartner', { programId, partnerOrganization: 'hooli' }, developer)).nomination!;
    expect(selected).toMatchObject({ status: v1.NominationStatus.NOMINATION_STATUS_SELECTED, developerApproval: { approvedBy: 'developer@acme' }, governmentApproval: { approvedBy: 'access-officer@ostp' } });
    const removed = (await h.call<v1.RemovePartnerResponse>('removePartner', { programId, partnerOrganization: 'hooli', reason: 'breach' }, developer)).nomination!;
    expect(removed.status).toBe(v1.NominationStatus.NOMINATION_STATUS_REMOVED);
    const steps = (await h.events('ACCESS_EVENTS', (m) => m.event.subject === `${programId}:hooli`, 4)).map((m) => m.subject);
    expect(steps).toEqual(['rampart.access.nomination.nominated', 'rampart.access.nomination.approved', 'rampart.access.nomination.selected', 'rampart.access.nomination.removed']);
    expect(await codeOf(h.call('nominatePartner', { programId, partnerOrganization: 'initech' }, globex))).toBe(status.NOT_FOUND);
  });
});

describe('revocation and expiry', () => {
  let programId: string;
  let grant: v1.Grant;
  beforeAll(async () => {
    programId = await h.coveredModel();
    await open(programId);
    await acceptAll(programId, eve);
    grant = await grantEve(programId);
  }, 60_000);

  it('refuses a revoked credential at once over gRPC and within 1 s at the offline verifier', async () => {
    const { token, credentialId } = await credentialFor(grant.id);
    expect((await offline.verify(token)).valid).toBe(true);
    await h.call('revokeCredential', { credentialId }, officer);
    const revokedAt = Date.now();
    expect(await verifyOnline(token)).toMatchObject({ valid: false, reason: 'revoked' });
    await waitFor('the offline verifier to refuse the revoked credential', async () => !(await offline.verify(token)).valid, 1_000, 5);
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    expect(await offline.verify(token)).toEqual({ valid: false, code: 'revoked', reason: 'revoked' });
    // The grant's other credentials stay valid.
    expect((await offline.verify((await credentialFor(grant.id)).token)).valid).toBe(true);
  });

  it('refuses an expired credential everywhere', async () => {
    const { token, expireTime } = await credentialFor(grant.id, 1);
    expect((await verifyOnline(token)).valid || Date.now() >= expireTime!.getTime()).toBe(true);
    await waitFor('the credential to expire', () => Promise.resolve(Date.now() > expireTime!.getTime() + 50), 5_000, 20);
    expect(await verifyOnline(token)).toMatchObject({ valid: false, reason: 'expired' });
    expect(await offline.verify(token)).toEqual({ valid: false, code: 'expired', reason: 'expired' });
  });

  it('revokes every grant of the program when the developer withdraws at intake', async () => {
    const second = (await h.call<v1.IssueGrantResponse>('issueGrant', { programId, principal: 'ann@nsa', principalOrganization: 'nsa', principalKind: v1.PrincipalKind.PRINCIPAL_KIND_GOVERNMENT, scopes: ['weights'], purpose: 'audit', idempotencyKey: randomBytes(8).toString('hex') }, officer)).grant!;
    const { token } = await credentialFor(grant.id);
    await h.withdraw('acme', programId);
    await waitFor('every grant revoked', async () => {
      const { grants } = await h.call<v1.ListGrantsResponse>('listGrants', { programId }, developer);
      return grants.length === 2 && grants.every((g) => g.status === v1.GrantStatus.GRANT_STATUS_REVOKED);
    }, 20_000, 100);
    const { program } = await h.call<v1.GetProgramResponse>('getProgram', { programId }, developer);
    expect(program).toMatchObject({ status: v1.ProgramStatus.PROGRAM_STATUS_CLOSED, closeReason: v1.CloseReason.CLOSE_REASON_WITHDRAWN });
    expect((await verifyOnline(token)).valid).toBe(false);
    await waitFor('the offline verifier to refuse the withdrawn program\'s credential', async () => !(await offline.verify(token)).valid, 2_000, 10);
    expect(await offline.verify(token)).toEqual({ valid: false, code: 'revoked', reason: 'revoked (its program)' });
    const ended = await h.events('ACCESS_EVENTS', (m) => [grant.id, second.id, programId].includes(m.event.subject) && ['rampart.access.program.closed', 'rampart.access.grant.revoked'].includes(m.subject), 3);
    expect(ended.map((m) => m.subject).sort()).toEqual(['rampart.access.grant.revoked', 'rampart.access.grant.revoked', 'rampart.access.program.closed']);
    expect(await codeOf(credentialFor(grant.id))).toBe(status.FAILED_PRECONDITION);
  });
});

describe('ends of grants', () => {
  it('expires a grant at the end of its time box (a durable timer), and every grant at the recorded public release', async () => {
    const programId = await h.coveredModel();
    await open(programId);
    const short = (await h.call<v1.IssueGrantResponse>('issueGrant', { programId, principal: EVE, principalOrganization: 'nsa', principalKind: v1.PrincipalKind.PRINCIPAL_KIND_GOVERNMENT, scopes: ['inference'], purpose: 'short', notAfterTime: new Date(Date.now() + 1_500), idempotencyKey: randomBytes(8).toString('hex') }, officer)).grant!;
    const long = await grantEve(programId);
    // The timer's own event is the positive sign it fired and was handled.
    const [expired] = await h.events('ACCESS_EVENTS', (m) => m.subject === 'rampart.access.grant.expired' && m.event.subject === short.id, 1);
    expect(expired!.event.data).toMatchObject({ grantId: short.id, status: 'expired', reason: 'its time box ended' });

    const { program } = await h.call<v1.RecordPublicReleaseResponse>('recordPublicRelease', { programId }, developer);
    expect(program).toMatchObject({ status: v1.ProgramStatus.PROGRAM_STATUS_CLOSED, closeReason: v1.CloseReason.CLOSE_REASON_PUBLIC_RELEASE, window: { publicReleaseRecorded: true } });
    await h.events('ACCESS_EVENTS', (m) => m.subject === 'rampart.access.grant.expired' && m.event.subject === long.id, 1);
    const { grants } = await h.call<v1.ListGrantsResponse>('listGrants', { programId }, developer);
    expect(grants.map((g) => g.status)).toEqual([v1.GrantStatus.GRANT_STATUS_EXPIRED, v1.GrantStatus.GRANT_STATUS_EXPIRED]);
    expect(await codeOf(h.call('issueGrant', { programId, principal: EVE, principalOrganization: 'nsa', principalKind: 1, scopes: ['x'], purpose: 'late', idempotencyKey: randomBytes(8).toString('hex') }, officer))).toBe(status.FAILED_PRECONDITION);
  });
});

describe('the access log and insider-risk signals', () => {
  let programId: string;
  let credentialId: string;
  const report = (over: Partial<v1.ReportAccessRequest> = {}) =>
    h.call<v1.ReportAccessResponse>('reportAccess', { programId, credentialId, principal: EVE, principalOrganization: 'nsa', operation: 'generate', volume: 100, ...over }, gateway);
  const signals = async () => (await h.call<v1.ListSignalsResponse>('listSignals', { programId, pageSize: 200 }, developer)).signals;

  beforeAll(async () => {
    programId = await h.coveredModel();
    await open(programId);
    await acceptAll(programId, eve);
    const grant = await grantEve(programId);
    ({ credentialId } = await credentialFor(grant.id));
  }, 60_000);

  it('raises no signal for ordinary use', async () => {
    for (const volume of [100, 120, 90, 110, 100]) await report({ volume });
    const { records } = await h.call<v1.ListAccessRecordsResponse>('listAccessRecords', { programId }, developer);
    expect(records.map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(await signals()).toEqual([]);
  });

  it('raises each of the five rules, naming the records behind it', async () => {
    const spike = (await report({ volume: 5_000 })).record!;
    const early = (await report({ occurTime: new Date(Date.now() - 3_600_000) })).record!;
    const stranger = (await report({ principal: 'mallory@nsa' })).record!;
    await h.call('publishAgreement', { kind: v1.AgreementKind.AGREEMENT_KIND_CONFIDENTIALITY, title: 'Agreement 1', text: 'The terms of kind 1, version 2.', expectedVersion: 1 }, officer);
    const unaccepted = (await report()).record!;
    await acceptAll(programId, eve);
    await h.call('revokeCredential', { credentialId }, officer);
    const revoked = (await report()).record!;

    const raised = await signals();
    const byRule = (rule: v1.SignalRule) => raised.filter((s) => s.rule === rule);
    expect(byRule(R.SIGNAL_RULE_VOLUME_ABOVE_BASELINE)).toEqual([expect.objectContaining({ recordSequences: [1, 2, 3, 4, 5, spike.sequence], principal: EVE })]);
    expect(byRule(R.SIGNAL_RULE_OUTSIDE_WINDOW)).toEqual([expect.objectContaining({ recordSequences: [early.sequence] })]);
    expect(byRule(R.SIGNAL_RULE_NOT_SELECTED_PARTNER)).toEqual([expect.objectContaining({ recordSequences: [stranger.sequence], principal: 'mallory@nsa' })]);
    expect(byRule(R.SIGNAL_RULE_NO_CURRENT_AGREEMENT).map((s) => s.recordSequences)).toEqual(expect.arrayContaining([[unaccepted.sequence]]));
    expect(byRule(R.SIGNAL_RULE_NO_CURRENT_AGREEMENT).every((s) => s.recordSequences[0] !== revoked.sequence)).toBe(true);
    expect(byRule(R.SIGNAL_RULE_AFTER_REVOCATION_OR_EXPIRY)).toEqual([expect.objectContaining({ recordSequences: [revoked.sequence], description: expect.stringContaining('its credential was revoked') })]);

    // Each goes out as access.signal.raised, for enforcement.
    const events = await h.events('ACCESS_EVENTS', (m) => m.subject === 'rampart.access.signal.raised' && (m.event.data as { programId?: string }).programId === programId, raised.length);
    expect(events.map((m) => m.event.subject).sort()).toEqual(raised.map((x) => x.id).sort());
    expect(new Set(events.map((m) => (m.event.data as { rule: string }).rule))).toEqual(new Set(['volume_above_baseline', 'outside_window', 'not_selected_partner', 'no_current_agreement', 'after_revocation_or_expiry']));
    // The developer reads its own program's signals; another organisation cannot.
    expect(await codeOf(h.call('listSignals', { programId }, globex))).toBe(status.NOT_FOUND);
  });
});

describe('the hash chain', () => {
  let programId: string;
  let credentialId: string;
  beforeAll(async () => {
    programId = await h.coveredModel();
    await open(programId);
    await acceptAll(programId, eve);
    ({ credentialId } = await credentialFor((await grantEve(programId)).id));
  }, 60_000);

  const verify = async () => h.call<v1.VerifyAccessLogResponse>('verifyAccessLog', { programId }, developer);

  it('stays one unbroken chain under concurrent appends from two service processes', async () => {
    const second = await h.startAnotherAccess();
    const secondClient = new v1.EarlyAccessServiceClient(second.address, insecure());
    try {
      const request = (i: number) => ({ programId, credentialId, principal: EVE, principalOrganization: 'nsa', operation: `op-${i}`, volume: 100 });
      await Promise.all(Array.from({ length: 40 }, (_, i) => h.call('reportAccess', request(i), gateway, i % 2 === 0 ? h.client : secondClient)));
    } finally {
      secondClient.close();
      await second.stop();
    }
    const result = await verify();
    expect(result).toMatchObject({ intact: true, recordsChecked: 40, headSequence: 40 });
    const { records } = await h.call<v1.ListAccessRecordsResponse>('listAccessRecords', { programId, pageSize: 100 }, auditor);
    expect(records.map((r) => r.sequence)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(records.map((r) => r.operation)).size).toBe(40);
    expect(result.latestCheckpoint).toMatchObject({ sequence: 40, hash: result.headHash });
  });

  it('names the first broken link when a stored record is edited, deleted, reordered or the tail removed', async () => {
    const log = h.db.collection<{ _id: string; [k: string]: unknown }>('access_log');
    const key = (n: number) => `${programId}:${String(n).padStart(12, '0')}`;
    const original = async (n: number) => (await log.findOne({ _id: key(n) }))!;
    const restore = async (...docs: { _id: string }[]) => {
      // Removed and written whole: each report's id is unique, so a record cannot take another's body in place.
      await log.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
      await log.insertMany(docs);
      expect((await verify()).intact).toBe(true);
    };

    const seven = await original(7);
    await log.updateOne({ _id: key(7) }, { $set: { 'use.volume': 1 } });
    expect((await verify()).firstBroken).toEqual({ sequence: 7, reason: 'record 7 does not match its hash: its content was changed' });
    await restore(seven);

    const twelve = await original(12);
    await log.deleteOne({ _id: key(12) });
    expect((await verify()).firstBroken).toEqual({ sequence: 12, reason: 'record 12 is missing' });
    await restore(twelve);

    const [twenty, twentyOne] = [await original(20), await original(21)];
    const { _id: _a, ...twentyBody } = twenty;
    const { _id: _b, ...twentyOneBody } = twentyOne;
    await log.deleteMany({ _id: { $in: [key(20), key(21)] } });
    await log.insertMany([{ _id: key(20), ...twentyOneBody }, { _id: key(21), ...twentyBody }]);
    expect((await verify()).firstBroken).toMatchObject({ sequence: 20, reason: expect.stringContaining('reordered') });
    await restore(twenty, twentyOne);

    // A deleted tail, the head hint with it: the signed checkpoint at 40 still says the log reached 40.
    const tail = await Promise.all([37, 38, 39, 40].map(original));
    await log.deleteMany({ _id: { $in: tail.map((d) => d._id) } });
    await h.db.collection<{ _id: string }>('access_log_heads').deleteOne({ _id: programId });
    expect((await verify()).firstBroken).toEqual({ sequence: 37, reason: 'record 37 is missing' });
    await restore(...tail);
    // The developer holds the signed checkpoints too.
    const { checkpoints } = await h.call<v1.ListCheckpointsResponse>('listCheckpoints', { programId }, developer);
    expect(checkpoints.map((c) => c.sequence)).toEqual([1, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40]);
  });
});
