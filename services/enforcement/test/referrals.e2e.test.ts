/**
 * Referrals end to end: the enforcement service as its own process on real nats-server, FerretDB and
 * Jaeger. A referrer files; an analyst assigns, reviews, accepts (routes) and closes; each step is
 * an event without the victim's personal data; the referrer reads only its own referral's status,
 * the auditor reads it with the victim redacted, outside roles read nothing; bad input is refused
 * naming every field; a new priority policy rescores open referrals and records its version.
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { fieldViolationsOf } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { readStream, waitFor } from '@rampart/testing';
import { call, details, EnforcementHarness } from './fixtures';

const h = new EnforcementHarness();
let analyst: string;
let referrer: string;

beforeAll(async () => {
  await h.start();
  analyst = await h.token('enforcement-analyst', 'doj');
  referrer = await h.token('referrer', 'prairie-bank', 'UNCLASSIFIED');
}, 90_000);
afterAll(() => h.stop());

const codeOf = (p: Promise<unknown>) => p.then(() => 'OK', (e: ServiceError) => e.code);
const file = (token: string, key: string, d = details()) => call<v1.FileReferralResponse>(h.client, 'fileReferral', { details: d, idempotencyKey: key }, token).then((r) => r.referral!);
const eventsOf = async (id: string) => (await readStream(h.jsm, 'ENFORCEMENT_EVENTS')).filter((m) => m.event.subject === id);

describe('referrals', () => {
  it('walk the workflow with an event for every step; each reader sees what it may, and never the victim in events', async () => {
    const filed = await file(referrer, 'ic3-2026-0001');
    expect(filed).toMatchObject({ status: v1.ReferralStatus.REFERRAL_STATUS_RECEIVED, revision: 1, organization: 'prairie-bank', source: 'filed', priority: undefined, redactedFields: ['priority', 'links', 'assignee', 'reason', 'outcome'] });
    // A retry with the same key is the same referral; the key with another body is refused.
    expect((await file(referrer, 'ic3-2026-0001')).referralId).toBe(filed.referralId);
    const reuse = await file(referrer, 'ic3-2026-0001', details({ narrative: 'something else' })).then(() => undefined, (e: ServiceError) => e);
    expect(fieldViolationsOf(reuse!.metadata)).toEqual([expect.objectContaining({ field: 'idempotency_key' })]);

    const id = filed.referralId;
    const full = (await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: id }, analyst)).referral!;
    expect(full.details!.victim).toMatchObject({ name: 'Prairie Community Bank', contact: 'ciso@prairie-bank.example' });
    expect(full.priority!.policyVersion).toBe(1);
    expect(full.priority!.factors.map((f) => f.factor)).toEqual(['aiEnabled', 'criticalInfrastructure', 'loss', 'statutes', 'recency', 'knownExploitedFlaw']);
    expect(full.stepDeadline).toBeInstanceOf(Date);

    let revision = full.revision;
    const stepOf = async (method: 'assignReferral' | 'startReview' | 'acceptReferral' | 'closeReferral', extra: object) => {
      const r = (await call<{ referral: v1.Referral }>(h.client, method, { referralId: id, expectedRevision: revision, ...extra }, analyst)).referral;
      revision = r.revision;
      return r;
    };
    await stepOf('assignReferral', { assignee: 'agent.smith@doj' });
    // Out of order: accepting before the review started is refused, and a stale revision too.
    expect(await codeOf(call(h.client, 'acceptReferral', { referralId: id, expectedRevision: revision, routedTo: 'FBI' }, analyst))).toBe(status.FAILED_PRECONDITION);
    expect(await codeOf(call(h.client, 'startReview', { referralId: id, expectedRevision: revision - 1 }, analyst))).toBe(status.ABORTED);
    await stepOf('startReview', {});
    await stepOf('acceptReferral', { routedTo: 'USAO-EDVA' });
    const closed = await stepOf('closeReferral', { outcome: 'indicted' });
    expect(closed).toMatchObject({ status: v1.ReferralStatus.REFERRAL_STATUS_CLOSED, routedTo: 'USAO-EDVA', outcome: 'indicted', assignee: 'agent.smith@doj', revision: 5 });

    // The referrer: its own referral's status, routing and nothing the analysts added.
    const mine = (await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: id }, referrer)).referral!;
    expect(mine).toMatchObject({ status: v1.ReferralStatus.REFERRAL_STATUS_CLOSED, routedTo: 'USAO-EDVA', outcome: '', assignee: '', priority: undefined, links: [] });
    // Another referrer organisation: as if it did not exist.
    const other = await h.token('referrer', 'river-water', 'UNCLASSIFIED');
    expect(await codeOf(call(h.client, 'getReferral', { referralId: id }, other))).toBe(status.NOT_FOUND);
    expect((await call<v1.ListReferralsResponse>(h.client, 'listReferrals', {}, other)).referrals).toEqual([]);
    // The auditor: everything but the victim's personal data.
    const audited = (await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: id }, await h.token('auditor', 'oig'))).referral!;
    expect(audited.details!.victim).toMatchObject({ name: '[redacted: personal data]', contact: '[redacted: personal data]', sector: 'financial-services' });
    expect(audited.redactedFields).toEqual(['details.victim.name', 'details.victim.contact']);
    expect(audited.outcome).toBe('indicted');
    // Partners, operators and developers read nothing; an analyst below CUI neither.
    for (const token of [await h.token('partner', 'acme'), await h.token('operator', 'prairie-bank'), await h.token('developer', 'prairie-bank'), await h.token('enforcement-analyst', 'doj', 'UNCLASSIFIED')]) {
      expect(await codeOf(call(h.client, 'getReferral', { referralId: id }, token))).toBe(status.PERMISSION_DENIED);
      expect(await codeOf(call(h.client, 'listReferrals', {}, token))).toBe(status.PERMISSION_DENIED);
    }

    await waitFor('the five events', async () => (await eventsOf(id)).length === 5);
    const events = await eventsOf(id);
    expect(events.map((m) => m.subject)).toEqual(['received', 'assigned', 'review-started', 'accepted', 'closed'].map((v) => `rampart.enforcement.referral.${v}`));
    expect(events.map((m) => (m.event.data as { revision: number }).revision)).toEqual([1, 2, 3, 4, 5]);
    for (const m of events) {
      expect(m.body).not.toContain('Prairie Community Bank');
      expect(m.body).not.toContain('ciso@prairie-bank.example');
      expect(m.body).not.toContain('203.0.113.45');
    }
  });

  it('refuses bad input naming every field, and stores nothing', async () => {
    const bad = details({
      victim: { name: '', contact: 'x', sector: 'space', size: 'huge' },
      lossUsdCents: -5,
      occurredFrom: '2026-11-02T09:15:00',
      indicators: [{ type: v1.IndicatorType.INDICATOR_TYPE_IPV4, value: '999.1.1.1' }, { type: v1.IndicatorType.INDICATOR_TYPE_UNSPECIFIED, value: 'x' }],
      narrative: 'n'.repeat(20_001),
      suspectedStatutes: [v1.Statute.STATUTE_UNSPECIFIED],
      aiEnabledIndicators: ['Not Valid!'],
    });
    const before = await h.referrals.countDocuments();
    const error = await file(referrer, 'bad-1', bad).then(() => undefined, (e: ServiceError) => e);
    expect(error!.code).toBe(status.INVALID_ARGUMENT);
    expect(fieldViolationsOf(error!.metadata).map((v) => v.field).sort()).toEqual([
      'details.ai_enabled_indicators[0]', 'details.indicators[0].value', 'details.indicators[1].type', 'details.loss_usd_cents', 'details.narrative',
      'details.occurred_from', 'details.suspected_statutes[0]', 'details.victim.name', 'details.victim.sector', 'details.victim.size',
    ]);
    expect(await h.referrals.countDocuments()).toBe(before);
    expect(await codeOf(call(h.client, 'getReferral', { referralId: 'not-an-id' }, analyst))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'acceptReferral', { referralId: '0190b4c6-0000-7000-8000-000000000000', expectedRevision: 1, routedTo: 'the sheriff' }, analyst))).toBe(status.INVALID_ARGUMENT);
    expect(await codeOf(call(h.client, 'fileReferral', { details: details(), idempotencyKey: 'bad-2' }, 'forged.token.value'))).toBe(status.UNAUTHENTICATED);
  });

  it('a new priority policy rescores open referrals and every score records its version; the same facts score the same', async () => {
    const a = await file(referrer, 'policy-a');
    const b = await file(referrer, 'policy-b');
    const scoreOf = async (id: string) => (await call<v1.GetReferralResponse>(h.client, 'getReferral', { referralId: id }, analyst)).referral!.priority!;
    const [pa, pb] = [await scoreOf(a.referralId), await scoreOf(b.referralId)];
    expect(pa.factors.filter((f) => f.factor !== 'recency')).toEqual(pb.factors.filter((f) => f.factor !== 'recency'));

    const current = (await call<v1.GetPriorityPolicyResponse>(h.client, 'getPriorityPolicy', {}, analyst)).policy!;
    const weights = { aiEnabled: 60, criticalInfrastructure: 10, loss: 10, statutes: 10, recency: 5, knownExploitedFlaw: 5 };
    const set = await call<v1.SetPriorityPolicyResponse>(h.client, 'setPriorityPolicy', { weights, recencyHalfLifeDays: 60, expectedVersion: current.version }, analyst);
    expect(set.policy).toMatchObject({ version: current.version + 1, setBy: 'enforcement-analyst@doj' });
    expect(set.rescored).toBeGreaterThanOrEqual(2);
    const after = await scoreOf(a.referralId);
    expect(after.policyVersion).toBe(current.version + 1);
    expect(after.factors.find((f) => f.factor === 'aiEnabled')!.weight).toBe(60);
    // The same version again: refused, the policy keeps its version.
    expect(await codeOf(call(h.client, 'setPriorityPolicy', { weights, recencyHalfLifeDays: 60, expectedVersion: current.version }, analyst))).toBe(status.ABORTED);
    expect((await call<v1.GetPriorityPolicyResponse>(h.client, 'getPriorityPolicy', { version: current.version }, analyst)).policy!.version).toBe(current.version);
    await waitFor('the rescored event', async () => (await eventsOf(a.referralId)).some((m) => m.subject === 'rampart.enforcement.referral.rescored'));
  });
});
