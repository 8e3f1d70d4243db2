/**
 * Grants end to end after the issue-7 review, on real servers with the services as processes:
 * who a grant may go to and who may hold its credentials; IssueGrant's idempotency key; a partner's
 * removal and an amendment that cuts a grant revoking it in their own write (at once at the
 * service, within a second at the gateway's offline verifier); and timers that follow the outbox,
 * so a NATS outage during the request loses none.
 */
import { randomUUID } from 'node:crypto';
import { status, type ServiceError } from '@grpc/grpc-js';
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { OfflineVerifier } from '@rampart/access-verifier';
import { CLOUDEVENTS_CONTENT_TYPE } from '@rampart/events';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { waitFor } from '@rampart/testing';
import { AccessHarness } from './fixtures';

const h = new AccessHarness();
const K = v1.PrincipalKind;
const EVE = 'eve@nsa';
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);

let developer: string;
let officer: string;
let eve: string;
let gateway: string;
let offline: OfflineVerifier;

beforeAll(async () => {
  await h.start({ AUTH_CLOCK_TOLERANCE_S: '0', GOVERNMENT_ORGANIZATIONS: 'nsa,ostp' });
  developer = await h.token('developer', 'acme');
  officer = await h.token('access-officer', 'ostp', 'CUI');
  eve = await h.token('evaluator', 'nsa', 'CUI', EVE);
  gateway = await h.token('gateway', 'acme');
  await h.publishAgreements(officer);
  offline = await h.offlineVerifier('acme', gateway);
}, 180_000);
afterAll(() => h.stop());

async function openProgram(partnerInDays = 20, publicInDays = 50): Promise<string> {
  const id = await h.coveredModel('acme', partnerInDays, publicInDays);
  await h.call('openProgram', { submissionId: id }, developer);
  return id;
}

function grant(programId: string, over: Partial<v1.IssueGrantRequest> = {}): Promise<v1.IssueGrantResponse> {
  return h.call<v1.IssueGrantResponse>('issueGrant', {
    programId, principal: EVE, principalOrganization: 'nsa', principalKind: K.PRINCIPAL_KIND_GOVERNMENT, scopes: ['inference'], purpose: 'red teaming',
    idempotencyKey: randomUUID(), ...over,
  }, officer);
}

async function select(programId: string, partner: string): Promise<void> {
  await h.call('nominatePartner', { programId, partnerOrganization: partner }, developer);
  await h.call('approvePartner', { programId, partnerOrganization: partner }, officer);
}

async function acceptAll(programId: string, token: string): Promise<void> {
  const { agreements } = await h.call<v1.ListAgreementsResponse>('listAgreements', {}, token);
  for (const a of agreements) await h.call('acceptAgreement', { programId, kind: a.kind, contentHash: a.contentHash }, token);
}

const revocationOf = (grantId: string) => h.events('ACCESS_RELEASABLE', (m) => m.subject === 'rampart.developer.acme.access.credential.revoked' && (m.event.data as { grantId?: string }).grantId === grantId, 1);

describe('who a grant may go to', () => {
  it('refuses a government grant to a non-government organisation, a partner grant to an organisation not selected, and a credential to a holder in the wrong role', async () => {
    const programId = await openProgram();
    await select(programId, 'hooli');
    for (const org of ['hooli', 'acme']) {
      const e = await errorOf(grant(programId, { principal: `x@${org}`, principalOrganization: org }));
      expect(e.code).toBe(status.INVALID_ARGUMENT);
      expect(fieldViolationsOf(e.metadata)).toEqual([{ field: 'principal_organization', description: expect.stringMatching(org === 'hooli' ? /is not a government organisation/ : /developer's own organisation/) }]);
    }
    const govAsPartner = await errorOf(grant(programId, { principalKind: K.PRINCIPAL_KIND_PARTNER }));
    expect(fieldViolationsOf(govAsPartner.metadata)).toEqual([{ field: 'principal_kind', description: expect.stringContaining('is a government organisation') }]);
    expect(await errorOf(grant(programId, { principal: 'bob@initech', principalOrganization: 'initech', principalKind: K.PRINCIPAL_KIND_PARTNER }))).toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringContaining('not a selected trusted partner') });
    expect((await grant(programId, { principal: 'bob@hooli', principalOrganization: 'hooli', principalKind: K.PRINCIPAL_KIND_PARTNER })).grant).toMatchObject({ principalKind: K.PRINCIPAL_KIND_PARTNER });

    // The government grant's principal, holding a partner token: not the role the grant is for.
    const { grant: g } = await grant(programId);
    const asPartner = await h.token('partner', 'nsa', 'UNCLASSIFIED', EVE);
    expect(await errorOf(h.call('issueCredential', { grantId: g!.id }, asPartner))).toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringMatching(/is a government grant: its credentials go to its principal acting as evaluator/) });
  });
});

describe('IssueGrant idempotency', () => {
  it('answers a retry with the same key with the same grant, and refuses the key with another request or no key', async () => {
    const programId = await openProgram();
    const idempotencyKey = randomUUID();
    const first = (await grant(programId, { idempotencyKey, principal: 'ann@nsa' })).grant!;
    const retries = await Promise.all([1, 2, 3].map(() => grant(programId, { idempotencyKey, principal: 'ann@nsa' })));
    expect(retries.map((r) => r.grant!.id)).toEqual([first.id, first.id, first.id]);
    const { grants } = await h.call<v1.ListGrantsResponse>('listGrants', { programId }, officer);
    expect(grants.filter((g) => g.principal === 'ann@nsa').map((g) => g.id)).toEqual([first.id]);

    const reused = await errorOf(grant(programId, { idempotencyKey, principal: 'ann@nsa', purpose: 'something else' }));
    expect(fieldViolationsOf(reused.metadata)).toEqual([{ field: 'idempotency_key', description: `was already used for grant ${first.id} with a different request` }]);
    const none = await errorOf(grant(programId, { idempotencyKey: '' }));
    expect(fieldViolationsOf(none.metadata)).toEqual([{ field: 'idempotency_key', description: expect.stringContaining('is required') }]);
  });
});

describe('revocations in the same write, timers through the outbox', () => {
  it('grants and revokes while NATS is down: the removal carries the partner\'s revocations, and the grant\'s timer still fires', async () => {
    const programId = await openProgram();
    await select(programId, 'hooli');
    const bob = (await grant(programId, { principal: 'bob@hooli', principalOrganization: 'hooli', principalKind: K.PRINCIPAL_KIND_PARTNER })).grant!;

    await h.nats.stop();
    let short: v1.Grant;
    try {
      // Neither call may need NATS: their events and timers wait in the outbox.
      short = (await grant(programId, { notAfterTime: new Date(Date.now() + 3_000) })).grant!;
      await h.call('removePartner', { programId, partnerOrganization: 'hooli', reason: 'breach' }, officer);
      const nomination = await h.db.collection<{ _id: string; outbox: { subject: string; payload: string }[] }>('access_nominations').findOne({ _id: `${programId}:hooli` });
      const pending = nomination!.outbox.map((e) => ({ subject: e.subject, data: (JSON.parse(e.payload) as { data: Record<string, unknown> }).data }));
      expect(pending).toEqual(expect.arrayContaining([
        { subject: 'rampart.access.nomination.removed', data: expect.objectContaining({ status: 'removed', revokedGrantIds: [bob.id] }) },
        { subject: 'rampart.developer.acme.access.credential.revoked', data: expect.objectContaining({ scope: 'grant', grantId: bob.id, programId }) },
      ]));
    } finally {
      await h.nats.restart();
    }

    await revocationOf(bob.id);
    const [expired] = await h.events('ACCESS_EVENTS', (m) => m.subject === 'rampart.access.grant.expired' && m.event.subject === short.id, 1, 30_000);
    expect(expired!.event.data).toMatchObject({ grantId: short.id, status: 'expired', reason: 'its time box ended' });
    await waitFor('the removed partner\'s grant revoked', async () =>
      (await h.call<v1.ListGrantsResponse>('listGrants', { programId }, officer)).grants.find((g) => g.id === bob.id)?.status === v1.GrantStatus.GRANT_STATUS_REVOKED, 20_000, 100);
  });

  it('revokes a grant an amendment cut in the program\'s write: refused at once by the service, within a second offline', async () => {
    const programId = await openProgram(20, 50);
    await acceptAll(programId, eve);
    const g = (await grant(programId)).grant!;
    const { token } = await h.call<v1.IssueCredentialResponse>('issueCredential', { grantId: g.id }, eve);
    expect((await offline.verify(token)).valid).toBe(true);

    // The public release moves ten days earlier: the grant's time box (to the old public release) no longer fits.
    await h.amendDates('acme', programId, 1, 20, 40);
    const seq = await h.published('ACCESS_EVENTS', 'rampart.access.window.changed', programId);
    // The second starts at the program's write (the event's time), not when this test saw the event.
    const changedAt = Date.parse((await h.jsm.streams.getMessage('ACCESS_EVENTS', { seq })).json<{ time: string }>().time);
    expect(await h.call<v1.VerifyCredentialResponse>('verifyCredential', { token }, gateway)).toMatchObject({ valid: false, reason: expect.stringContaining('revoked') });
    await waitFor('the offline verifier to refuse the cut grant\'s credential', async () => !(await offline.verify(token)).valid, 1_000, 5);
    expect(Date.now() - changedAt).toBeLessThan(1_000);
    // Cut (before its record catches up) or revoked (after): no new credential either way.
    expect(await errorOf(h.call('issueCredential', { grantId: g.id }, eve))).toMatchObject({ code: status.FAILED_PRECONDITION, details: expect.stringMatching(/no longer fits|is revoked/) });
    await waitFor('the cut grant revoked', async () =>
      (await h.call<v1.ListGrantsResponse>('listGrants', { programId }, officer)).grants.find((x) => x.id === g.id)?.status === v1.GrantStatus.GRANT_STATUS_REVOKED, 20_000, 100);
  });
});

describe('revocations are never revived (C1)', () => {
  it('refuses a removed partner\'s old credential online when the partner is selected again before the grant-endings consumer runs, and the consumer still ends the grant', async () => {
    const programId = await openProgram(20, 50);
    // The partner release moves to three seconds from now: partner credentials are issued only in the partner phase.
    await h.amendDates('acme', programId, 1, 3 / 86_400, 50);
    await h.published('ACCESS_EVENTS', 'rampart.access.window.changed', programId);
    await select(programId, 'hooli');
    const bob = await h.token('partner', 'hooli', 'UNCLASSIFIED', 'bob@hooli');
    await acceptAll(programId, bob);
    const partnerGrant = { principal: 'bob@hooli', principalOrganization: 'hooli', principalKind: K.PRINCIPAL_KIND_PARTNER };
    const old = (await grant(programId, partnerGrant)).grant!;
    let token = '';
    await waitFor('a credential in the partner phase', async () => {
      token = (await h.call<v1.IssueCredentialResponse>('issueCredential', { grantId: old.id }, bob).catch(() => ({ token: '' }))).token;
      return token !== '';
    }, 15_000, 200);
    expect((await h.call<v1.VerifyCredentialResponse>('verifyCredential', { token }, gateway)).valid).toBe(true);

    // NATS down: the removal's events (and its revocation of the grant) wait in the outbox, and the
    // grant-endings consumer cannot run before both sides select the partner again.
    await h.nats.stop();
    try {
      await h.call('removePartner', { programId, partnerOrganization: 'hooli', reason: 'breach' }, officer);
      await select(programId, 'hooli');
      expect(await h.call<v1.VerifyCredentialResponse>('verifyCredential', { token }, gateway)).toMatchObject({ valid: false, reason: expect.stringContaining('revoked') });
      expect(await errorOf(h.call('issueCredential', { grantId: old.id }, bob))).toMatchObject({ code: status.PERMISSION_DENIED });
    } finally {
      await h.nats.restart();
    }

    // The consumer ends the grant the removal named although the partner is selected again.
    await waitFor('the old round\'s grant revoked', async () =>
      (await h.call<v1.ListGrantsResponse>('listGrants', { programId }, officer)).grants.find((g) => g.id === old.id)?.status === v1.GrantStatus.GRANT_STATUS_REVOKED, 20_000, 100);
    expect(await h.call<v1.VerifyCredentialResponse>('verifyCredential', { token }, gateway)).toMatchObject({ valid: false });
    // A grant of the new selection round works.
    const fresh = (await grant(programId, partnerGrant)).grant!;
    const { token: freshToken } = await h.call<v1.IssueCredentialResponse>('issueCredential', { grantId: fresh.id }, bob);
    expect((await h.call<v1.VerifyCredentialResponse>('verifyCredential', { token: freshToken }, gateway)).valid).toBe(true);
  });
});

describe('the public-release timer (C3)', () => {
  it('schedules the timer again at the program\'s public release when a stale schedule fires before it is due', async () => {
    const programId = await openProgram();
    const scheduled = `rampart.access.timer.scheduled.public-release.${programId}`;
    const first = await h.published('ACCESS_TIMERS', scheduled, programId);
    const { program } = await h.call<v1.GetProgramResponse>('getProgram', { programId }, developer);

    // What a stale schedule (an older revision's time, published last) fires: due an hour ago, long before the public release.
    const fire = {
      specversion: '1.0', id: randomUUID(), source: '/rampart/access', type: 'rampart.access.timer.fired.v1', subject: programId, time: new Date().toISOString(),
      datacontenttype: 'application/json', data: { kind: 'public-release', id: programId, at: new Date(Date.now() - 3_600_000).toISOString(), payload: { programId, revision: 0 } },
    };
    const headers = natsHeaders();
    headers.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
    await h.js.publish('rampart.access.timer.fired.public-release', JSON.stringify(fire), { headers, msgID: fire.id });

    let again = first;
    await waitFor('the public release scheduled again', async () => (again = (await h.jsm.streams.getMessage('ACCESS_TIMERS', { last_by_subj: scheduled })).seq) > first, 20_000, 50);
    const data = (await h.jsm.streams.getMessage('ACCESS_TIMERS', { seq: again })).json<{ data: { at: string; payload: { programId: string; revision: number } } }>().data;
    expect(data).toEqual({ kind: 'public-release', id: programId, at: program!.window!.publicReleaseTime!.toISOString(), payload: { programId, revision: 1 } });
    expect((await h.call<v1.GetProgramResponse>('getProgram', { programId }, developer)).program!.status).toBe(v1.ProgramStatus.PROGRAM_STATUS_OPEN);
  });
});
