/**
 * Who a grant may go to and who may hold its credentials (issue 7 review): government grants only
 * to government organisations' principals, partner grants only to a selected partner's, for the
 * partner phase; a credential only to a holder whose role matches the grant's kind; and a grant
 * whose time box an amendment cut is refused from the program's write on.
 */
import { FailedPreconditionError } from '@rampart/errors';
import { assertHolderRole, credentialExpiry, cutByWindow, inSelection, issueGrant, revokedByProgram, type Grant, type GrantRequest } from '../src/domain/grants';
import { approve, nominate, remove, selectionOf } from '../src/domain/partners';
import { openProgram, withRevokedGrants, type AccessProgram } from '../src/domain/program';
import { DAY_MS, moveWindow } from '../src/domain/window';
import { violationsOf } from './violations';

const NOW = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS);
const ID = '0190a000-0000-7000-8000-000000000001';

function program(): AccessProgram {
  return openProgram({
    organization: 'acme', submissionId: ID, requestedStart: at(5), requiredAgreements: [], actor: 'ada@acme', now: NOW,
    submission: { submissionId: ID, organization: 'acme', modelName: 'Atlas', modelVersion: '5', revision: 1, withdrawn: false, partnerReleaseAt: at(20), publicReleaseAt: at(50) },
    assessment: { caseId: ID, organization: 'acme', outcome: 'covered', effectiveAt: NOW, releasedAt: NOW },
  });
}

const government: GrantRequest = { principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government', scopes: ['inference'], purpose: 'red teaming' };
const partner: GrantRequest = { principal: 'bob@hooli', principalOrganization: 'hooli', principalKind: 'partner', scopes: ['inference'], purpose: 'partner testing' };
const issue = (request: GrantRequest, org: { governmentOrganization: boolean; partnerSelected: boolean; partnerSelection?: number }, p = program()): Grant =>
  issueGrant(p, request, { id: 'g1', ...org, actor: 'officer@ostp', now: NOW });


describe('who a grant may go to', () => {
  it('issues a government grant only to a government organisation\'s principal', () => {
    expect(issue(government, { governmentOrganization: true, partnerSelected: false })).toMatchObject({ principalKind: 'government', principalOrganization: 'nsa' });
    expect(violationsOf(() => issue({ ...government, principalOrganization: 'hooli' }, { governmentOrganization: false, partnerSelected: true }))).toEqual([
      { field: 'principal_organization', description: expect.stringContaining('is not a government organisation') },
    ]);
    expect(violationsOf(() => issue({ ...government, principalOrganization: 'acme' }, { governmentOrganization: false, partnerSelected: false }))).toEqual([
      { field: 'principal_organization', description: expect.stringContaining("the developer's own organisation") },
    ]);
  });

  it('issues a partner grant only to a selected partner\'s principal, never to a government organisation, and only for the partner phase', () => {
    expect(issue(partner, { governmentOrganization: false, partnerSelected: true })).toMatchObject({ notBefore: at(20), notAfter: at(50) });
    expect(() => issue(partner, { governmentOrganization: false, partnerSelected: false })).toThrow(FailedPreconditionError);
    expect(violationsOf(() => issue({ ...partner, principalOrganization: 'nsa' }, { governmentOrganization: true, partnerSelected: false }))).toEqual([
      { field: 'principal_kind', description: expect.stringContaining('is a government organisation') },
    ]);
    expect(violationsOf(() => issue({ ...partner, notBefore: at(10) }, { governmentOrganization: false, partnerSelected: true }))).toEqual([
      { field: 'not_before_time', description: expect.stringContaining('partner phase') },
    ]);
  });
});

describe('who may hold a grant\'s credentials', () => {
  it('gives a government grant\'s credentials to a government role only, a partner grant\'s to a partner only', () => {
    const g = issue(government, { governmentOrganization: true, partnerSelected: false });
    expect(() => assertHolderRole(g, ['evaluator'])).not.toThrow();
    expect(() => assertHolderRole(g, ['partner'])).toThrow(/government grant.*evaluator/);
    expect(() => assertHolderRole(g, ['partner'])).toThrow(FailedPreconditionError);
    const pg = issue(partner, { governmentOrganization: false, partnerSelected: true });
    expect(() => assertHolderRole(pg, ['partner'])).not.toThrow();
    expect(() => assertHolderRole(pg, ['evaluator'])).toThrow(/partner grant.*partner/);
  });
});

describe('grants cut by a moved window', () => {
  it('cuts a grant whose time box no longer fits where its principal may use access, and refuses its credentials', () => {
    const p = program();
    const g = issue(government, { governmentOrganization: true, partnerSelected: false });
    const pg = issue(partner, { governmentOrganization: false, partnerSelected: true });
    expect(cutByWindow(g, p.window)).toBe(false);
    // The public release moved earlier: both time boxes now run past it.
    const earlier = moveWindow(p.window, { partnerReleaseAt: at(20), publicReleaseAt: at(40) }, p.requestedStartAt, NOW)!;
    expect(cutByWindow(g, earlier)).toBe(true);
    expect(cutByWindow(pg, earlier)).toBe(true);
    // The partner release moved later: the partner phase starts after the partner grant does; the government's grant still fits.
    const later = moveWindow(p.window, { partnerReleaseAt: at(25), publicReleaseAt: at(50) }, p.requestedStartAt, NOW)!;
    expect(cutByWindow(pg, later)).toBe(true);
    expect(cutByWindow(g, later)).toBe(false);
    // Moved the other way, nothing is cut.
    expect(cutByWindow(pg, moveWindow(p.window, { partnerReleaseAt: at(18), publicReleaseAt: at(60) }, p.requestedStartAt, NOW)!)).toBe(false);
    // An ended grant is not cut again.
    expect(cutByWindow({ ...g, status: 'revoked' }, earlier)).toBe(false);

    const moved: AccessProgram = { ...p, window: earlier };
    expect(() => credentialExpiry({ program: moved, grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now: at(6) })).toThrow(/no longer fits/);
  });
});

describe('revocations the service honours before the grant\'s record catches up (C1)', () => {
  it('refuses a grant a moved window revoked even after the window moves back', () => {
    const p = program();
    const g = issue(government, { governmentOrganization: true, partnerSelected: false });
    // The window was cut (the program's write revoked g), then moved back: g fits again, but its revocation is out.
    const back = withRevokedGrants(p, [g.id]);
    expect(cutByWindow(g, back.window)).toBe(false);
    expect(revokedByProgram(g, back)).toBe(true);
    expect(withRevokedGrants(back, [g.id]).revokedGrantIds).toEqual([g.id]);
    expect(() => credentialExpiry({ program: back, grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now: at(6) })).toThrow(/no longer fits/);
    expect(credentialExpiry({ program: p, grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now: at(6) })).toBeInstanceOf(Date);
  });

  it('ties a partner grant to the selection round it was issued in: removed and selected again, the old grant stays refused', () => {
    const args = { programId: ID, developerOrganization: 'acme', partnerOrganization: 'hooli', governmentOrganization: false, actor: 'ada@acme', reason: '', now: NOW };
    const first = approve(nominate(undefined, { ...args, side: 'developer' }).next, 'government', 'officer', NOW)!.next;
    const round = selectionOf(first);
    const pg = issue(partner, { governmentOrganization: false, partnerSelected: true, partnerSelection: round });
    expect(pg.partnerSelection).toBe(round);
    expect(inSelection(pg, selectionOf(first))).toBe(true);
    const removed = remove(first, 'developer', 'ada@acme', 'breach', NOW).next;
    expect(selectionOf(removed)).toBeUndefined();
    expect(inSelection(pg, selectionOf(removed))).toBe(false);
    const again = approve(nominate(removed, { ...args, side: 'developer' }).next, 'government', 'officer', NOW)!.next;
    expect(again.status).toBe('selected');
    expect(inSelection(pg, selectionOf(again))).toBe(false);
    // A grant issued in the new round is usable; a government grant never depends on a selection.
    expect(inSelection({ ...pg, partnerSelection: selectionOf(again) }, selectionOf(again))).toBe(true);
    expect(inSelection(issue(government, { governmentOrganization: true, partnerSelected: false }), undefined)).toBe(true);
  });
});
