/** Early access's pure rules: windows, agreements, partner selection, grants and credentials, the hash chain, signals. */
import { ConflictError, FailedPreconditionError, PermissionDeniedError } from '@rampart/errors';
import { ChainVerifier, chainRecord, GENESIS_HASH, recordHash, type AccessRecord, type AccessUse } from '../src/domain/access-log';
import { acceptAgreement, agreementDraft, ALL_AGREEMENT_KINDS, contentHash, missingAcceptances, publishAgreement, publishedBefore, type CurrentAgreements } from '../src/domain/agreements';
import { canonicalJson } from '../src/domain/canonical';
import { credentialExpiry, endGrant, issueGrant, revokeCredential, statusAt, type Grant } from '../src/domain/grants';
import { approve, nominate, remove, veto } from '../src/domain/partners';
import { closeIfPublicReleased, onSubmissionChange, openProgram, recordPublicRelease, type AccessProgram } from '../src/domain/program';
import { evaluateUse, median, type UseFacts } from '../src/domain/signals';
import { DAY_MS, moveWindow, openWindow, phaseAt } from '../src/domain/window';
import type { ReleasedAssessment, SubmissionFacts } from '../src/domain/model';
import { violationsOf } from './violations';

const NOW = new Date('2030-01-01T00:00:00Z');
const at = (days: number, from = NOW) => new Date(from.getTime() + days * DAY_MS);
const HOUR = 3_600_000;


const facts = (over: Partial<SubmissionFacts> = {}): SubmissionFacts => ({
  submissionId: '0190a000-0000-7000-8000-000000000001', organization: 'acme', modelName: 'Atlas', modelVersion: '5', revision: 1, withdrawn: false,
  partnerReleaseAt: at(20), publicReleaseAt: at(50), ...over,
});
const covered = (over: Partial<ReleasedAssessment> = {}): ReleasedAssessment => ({
  caseId: '0190a000-0000-7000-8000-000000000001', organization: 'acme', outcome: 'covered', effectiveAt: NOW, releasedAt: NOW, ...over,
});
function program(over: { start?: Date; facts?: Partial<SubmissionFacts> } = {}): AccessProgram {
  return openProgram({ organization: 'acme', submission: facts(over.facts), assessment: covered(), submissionId: facts().submissionId, requestedStart: over.start, requiredAgreements: [], actor: 'ada@acme', now: NOW });
}

describe('windows', () => {
  it('refuses a window longer than 30 days, naming the field and the earliest start', () => {
    const v = violationsOf(() => openWindow({ partnerReleaseAt: at(31), publicReleaseAt: at(60) }, NOW, NOW));
    expect(v).toEqual([{ field: 'window_start_time', description: expect.stringContaining('no earlier than 30 days before the partner release') }]);
    expect(openWindow({ partnerReleaseAt: at(30), publicReleaseAt: at(60) }, NOW, NOW).governmentStartAt).toEqual(NOW);
  });

  it('refuses a window starting in the past, and one starting at or after the partner release', () => {
    expect(violationsOf(() => openWindow({ partnerReleaseAt: at(20), publicReleaseAt: at(60) }, new Date(NOW.getTime() - 1), NOW))[0]).toMatchObject({ field: 'window_start_time', description: expect.stringContaining('must not be in the past') });
    expect(violationsOf(() => openWindow({ partnerReleaseAt: at(20), publicReleaseAt: at(60) }, at(20), NOW))[0]!.description).toContain('before the partner release');
    expect(() => openWindow({ partnerReleaseAt: at(-1), publicReleaseAt: at(60) }, undefined, NOW)).toThrow(FailedPreconditionError);
  });

  it('lets government grants run on to the public release; the partner phase runs from partner to public release', () => {
    const w = openWindow({ partnerReleaseAt: at(20), publicReleaseAt: at(50) }, at(5), NOW);
    expect(phaseAt(w, 'government', at(4))).toBeUndefined();
    expect(phaseAt(w, 'government', at(10))).toEqual({ from: at(5), until: at(20) });
    expect(phaseAt(w, 'government', at(30))).toEqual({ from: at(20), until: at(50) });
    expect(phaseAt(w, 'partner', at(10))).toBeUndefined();
    expect(phaseAt(w, 'partner', at(30))).toEqual({ from: at(20), until: at(50) });
    expect(phaseAt(w, 'government', at(50))).toBeUndefined();
  });

  it('moves a window not yet started within the cap when the partner release moves later', () => {
    const w = openWindow({ partnerReleaseAt: at(20), publicReleaseAt: at(50) }, at(2), NOW);
    const moved = moveWindow(w, { partnerReleaseAt: at(40), publicReleaseAt: at(70) }, at(2), NOW)!;
    expect(moved).toMatchObject({ governmentStartAt: at(10), governmentEndAt: at(40), partnerReleaseAt: at(40), publicReleaseAt: at(70) });
    // Moved back, the window returns to the start the developer asked for, never earlier.
    expect(moveWindow(moved, { partnerReleaseAt: at(20), publicReleaseAt: at(50) }, at(2), NOW)).toMatchObject({ governmentStartAt: at(2), governmentEndAt: at(20) });
  });

  it('keeps a running window\'s start and never lets it exceed 30 days', () => {
    const w = openWindow({ partnerReleaseAt: at(20), publicReleaseAt: at(50) }, NOW, NOW);
    const later = at(5);
    const moved = moveWindow(w, { partnerReleaseAt: at(45), publicReleaseAt: at(70) }, NOW, later)!;
    expect(moved.governmentStartAt).toEqual(NOW);
    expect(moved.governmentEndAt).toEqual(at(30));
    expect(moved.governmentEndAt.getTime() - moved.governmentStartAt.getTime()).toBeLessThanOrEqual(30 * DAY_MS);
    // Between the end of the 30 days and the later partner release, the government has no access.
    expect(phaseAt(moved, 'government', at(35))).toBeUndefined();
    expect(moveWindow(w, { partnerReleaseAt: at(20), publicReleaseAt: at(50) }, NOW, later)).toBeUndefined();
  });
});

describe('programs', () => {
  const id = facts().submissionId;
  it('opens only for the own organisation\'s model whose released assessment says covered, refusing all else alike', () => {
    expect(program().window.governmentStartAt).toEqual(NOW);
    expect(program().requiredAgreements).toEqual([...ALL_AGREEMENT_KINDS].sort());
    const refusals = [
      { submission: facts(), assessment: undefined },
      { submission: facts(), assessment: covered({ outcome: 'not_covered' }) },
      { submission: undefined, assessment: covered() },
      { submission: facts({ organization: 'globex' }), assessment: covered({ organization: 'globex' }) },
      { submission: facts({ withdrawn: true }), assessment: covered() },
    ].map((c) => {
      try {
        openProgram({ organization: 'acme', ...c, submissionId: id, requestedStart: undefined, requiredAgreements: [], actor: 'a', now: NOW });
      } catch (error) {
        return [(error as Error).constructor.name, (error as Error).message];
      }
      return ['opened'];
    });
    expect(new Set(refusals.map((r) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify(['FailedPreconditionError', `no assessment released to your organisation says the model of submission ${id} is covered`])]));
  });

  it('closes on withdrawal, and when the public release is recorded or arrives', () => {
    const p = program();
    expect(onSubmissionChange(p, facts({ revision: 2, withdrawn: true }), at(1))).toMatchObject({ change: 'closed', next: { status: 'closed', closeReason: 'withdrawn' } });
    expect(onSubmissionChange(p, facts({ revision: 1 }), at(1))).toBeUndefined();
    expect(onSubmissionChange(p, facts({ revision: 2, modelVersion: '5.1' }), at(1))).toMatchObject({ change: 'updated' });
    expect(onSubmissionChange(p, facts({ revision: 2, partnerReleaseAt: at(25) }), at(1))).toMatchObject({ change: 'window_changed' });
    expect(recordPublicRelease(p, undefined, at(3))).toMatchObject({ status: 'closed', closeReason: 'public_release', window: { publicReleaseAt: at(3), publicReleaseRecorded: true } });
    expect(violationsOf(() => recordPublicRelease(p, at(4), at(3)))[0]!.field).toBe('release_time');
    expect(closeIfPublicReleased(p, at(49))).toBeUndefined();
    expect(closeIfPublicReleased(p, at(50))).toMatchObject({ status: 'closed', closeReason: 'public_release' });
  });
});

describe('agreements', () => {
  it('versions templates per kind, content-hashed over canonical JSON', () => {
    const v1 = publishAgreement({ kind: 'confidentiality', title: 'Confidentiality', text: 'Keep it secret.', expectedVersion: 0, current: {}, actor: 'officer', now: NOW });
    expect(v1).toMatchObject({ version: 1, contentHash: contentHash('confidentiality', 'Confidentiality', 'Keep it secret.') });
    expect(canonicalJson({ text: 'b', kind: 'a', n: 1e21 })).toBe('{"kind":"a","n":1e+21,"text":"b"}');
    const current: CurrentAgreements = { confidentiality: { version: 1, contentHash: v1.contentHash } };
    expect(() => publishAgreement({ kind: 'confidentiality', title: 'C', text: 'x', expectedVersion: 0, current, actor: 'o', now: NOW })).toThrow(ConflictError);
    expect(() => publishAgreement({ kind: 'confidentiality', title: 'Confidentiality', text: 'Keep it secret.', expectedVersion: 1, current, actor: 'o', now: NOW })).toThrow(FailedPreconditionError);
    expect(publishAgreement({ kind: 'confidentiality', title: 'Confidentiality', text: 'Keep it secret, v2.', expectedVersion: 1, current, actor: 'o', now: NOW }).version).toBe(2);
    expect(violationsOf(() => publishAgreement({ kind: undefined, title: '', text: 'x', expectedVersion: 0, current, actor: 'o', now: NOW })).map((v) => v.field)).toEqual(['kind', 'title']);
  });

  it('recognises a retry of a publish that already made the next version, and nothing else', () => {
    const draft = agreementDraft({ kind: 'cybersecurity', title: 'Cyber', text: 'v2' });
    const current: CurrentAgreements = { cybersecurity: { version: 2, contentHash: contentHash('cybersecurity', 'Cyber', 'v2') } };
    expect(publishedBefore(draft, 1, current)).toBe(2);
    expect(publishedBefore(draft, 2, current)).toBeUndefined();
    expect(publishedBefore({ ...draft, text: 'v3' }, 1, current)).toBeUndefined();
    expect(publishedBefore(draft, 0, {})).toBeUndefined();
    expect(violationsOf(() => agreementDraft({ kind: undefined, title: 'x', text: '' })).map((v) => v.field)).toEqual(['kind', 'text']);
  });

  it('accepts only the current version, and a new version needs a new acceptance', () => {
    const hash1 = contentHash('non_disclosure', 'NDA', 'v1');
    const hash2 = contentHash('non_disclosure', 'NDA', 'v2');
    const current: CurrentAgreements = { non_disclosure: { version: 2, contentHash: hash2 } };
    const base = { programId: 'p', kind: 'non_disclosure' as const, required: ['non_disclosure' as const], current, principal: 'eve', principalOrganization: 'nsa', now: NOW };
    expect(() => acceptAgreement({ ...base, contentHash: hash1 })).toThrow(/not the current non_disclosure agreement \(version 2\)/);
    expect(acceptAgreement({ ...base, contentHash: hash2 })).toMatchObject({ version: 2, contentHash: hash2 });
    expect(violationsOf(() => acceptAgreement({ ...base, contentHash: 'abc' }))[0]!.field).toBe('content_hash');
    const accepted = new Set([`non_disclosure:${hash1}`]);
    expect(missingAcceptances(['non_disclosure', 'cybersecurity'], current, (k, h) => accepted.has(`${k}:${h}`))).toEqual([
      { kind: 'non_disclosure', reason: 'version 2 of the non_disclosure agreement is not accepted' },
      { kind: 'cybersecurity', reason: 'no cybersecurity agreement is published' },
    ]);
  });
});

describe('trusted partners', () => {
  const args = { programId: 'p', developerOrganization: 'acme', partnerOrganization: 'initech', governmentOrganization: false, actor: 'ada@acme', reason: 'red team', now: NOW };
  it('selects a partner only once both sides approve', () => {
    const n = nominate(undefined, { ...args, side: 'developer' });
    expect(n).toMatchObject({ steps: ['nominated'], next: { status: 'nominated' } });
    expect(approve(n.next, 'developer', 'ada@acme', NOW)).toBeUndefined();
    const both = approve(n.next, 'government', 'officer', NOW)!;
    expect(both).toMatchObject({ steps: ['approved', 'selected'], next: { status: 'selected' } });
  });

  it('lets either side veto a nomination or remove a selected partner, and a new round starts afresh', () => {
    const n = nominate(undefined, { ...args, side: 'government', actor: 'officer' }).next;
    const vetoed = veto(n, 'developer', 'ada@acme', 'competitor', NOW).next;
    expect(vetoed).toMatchObject({ status: 'vetoed', closedBy: { side: 'developer' } });
    expect(() => approve(vetoed, 'developer', 'ada', NOW)).toThrow(FailedPreconditionError);
    const again = nominate(vetoed, { ...args, side: 'developer' }).next;
    expect(again.approvals).toEqual({ developer: { by: 'ada@acme', at: NOW } });
    const selected = approve(again, 'government', 'officer', NOW)!.next;
    expect(() => veto(selected, 'government', 'officer', 'x', NOW)).toThrow(/remove a selected partner instead/);
    expect(remove(selected, 'government', 'officer', 'breach', NOW).next.status).toBe('removed');
    expect(() => nominate(selected, { ...args, side: 'developer' })).toThrow(/already selected/);
    expect(() => nominate(undefined, { ...args, partnerOrganization: 'acme', side: 'developer' })).toThrow(/its own trusted partner/);
  });

  it('refuses a government organisation as a trusted partner: it could never hold a partner grant', () => {
    expect(violationsOf(() => nominate(undefined, { ...args, partnerOrganization: 'nsa', governmentOrganization: true, side: 'government' }))).toEqual([
      { field: 'partner_organization', description: expect.stringContaining('nsa is a government organisation') },
    ]);
  });
});

describe('grants and credentials', () => {
  const request = { principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government' as const, scopes: ['inference'], purpose: 'red teaming' };
  const grantOf = (p: AccessProgram, over: Partial<typeof request> & { notBefore?: Date; notAfter?: Date } = {}, partnerSelected = false): Grant =>
    issueGrant(p, { ...request, ...over }, { id: 'g1', governmentOrganization: (over.principalKind ?? 'government') === 'government', partnerSelected, actor: 'officer', now: NOW });

  it('boxes grants inside where the principal may use access', () => {
    const p = program({ start: at(5) });
    expect(grantOf(p)).toMatchObject({ notBefore: at(5), notAfter: at(50), status: 'active' });
    expect(violationsOf(() => grantOf(p, { notBefore: at(1) }))[0]).toMatchObject({ field: 'not_before_time' });
    expect(violationsOf(() => grantOf(p, { notAfter: at(51) }))[0]).toMatchObject({ field: 'not_after_time', description: expect.stringContaining('public release') });
    expect(() => grantOf(p, { principalKind: 'partner', principalOrganization: 'initech' })).toThrow(/not a selected trusted partner/);
    expect(grantOf(p, { principalKind: 'partner', principalOrganization: 'initech' }, true)).toMatchObject({ notBefore: at(20) });
    expect(violationsOf(() => grantOf(p, { scopes: [], principalOrganization: 'a.b', principalKind: undefined })).map((v) => v.field)).toEqual(['principal_organization', 'principal_kind', 'scopes']);
  });

  it('issues credentials of at most 24 hours, never past the grant or the phase, only inside the window and after agreements', () => {
    const p = program();
    const g = grantOf(p, { notAfter: at(20) });
    const expiry = (now: Date, over: Partial<Parameters<typeof credentialExpiry>[0]> = {}) =>
      credentialExpiry({ program: p, grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now, ...over });
    expect(expiry(NOW)).toEqual(at(1));
    expect(expiry(NOW, { ttlSeconds: 3600 })).toEqual(new Date(NOW.getTime() + HOUR));
    expect(violationsOf(() => expiry(NOW, { ttlSeconds: 86_401 }))[0]!.field).toBe('ttl_seconds');
    expect(expiry(new Date(at(20).getTime() - HOUR))).toEqual(at(20));
    expect(() => expiry(NOW, { missingAgreements: [{ kind: 'cybersecurity', reason: 'version 1 of the cybersecurity agreement is not accepted' }] })).toThrow(/accept the program's agreements before a credential is issued/);
    expect(() => expiry(at(20))).toThrow(/is expired/);
    const partnerGrant = grantOf(p, { principalKind: 'partner', principalOrganization: 'initech' }, true);
    const partner = (now: Date, selected: boolean) => credentialExpiry({ program: p, grant: partnerGrant, missingAgreements: [], partnerSelected: selected, ttlSeconds: 0, maxTtlSeconds: 86_400, now });
    expect(() => partner(at(10), true)).toThrow(/starts at/);
    expect(partner(at(21), true)).toEqual(at(22));
    expect(() => partner(at(21), false)).toThrow(PermissionDeniedError);
  });

  it('renews only inside the window: a running window cut short by a later partner release refuses renewal in the gap', () => {
    const p = program();
    const g = grantOf(p);
    const moved: AccessProgram = { ...p, window: moveWindow(p.window, { partnerReleaseAt: at(45), publicReleaseAt: at(60) }, NOW, at(1))! };
    const expiry = (now: Date) => credentialExpiry({ program: moved, grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now });
    expect(expiry(new Date(at(30).getTime() - HOUR))).toEqual(at(30));
    expect(() => expiry(at(31))).toThrow(/outside the government window/);
    expect(() => credentialExpiry({ program: recordPublicRelease(p, undefined, at(1)), grant: g, missingAgreements: [], partnerSelected: false, ttlSeconds: 0, maxTtlSeconds: 86_400, now: at(1) })).toThrow(/closed/);
  });

  it('ends and revokes once', () => {
    const g = grantOf(program());
    const ended = endGrant(g, 'revoked', 'officer', 'misuse', at(1))!;
    expect(ended).toMatchObject({ status: 'revoked', endedAt: at(1), revision: 2 });
    expect(endGrant(ended, 'expired', 'system', 'x', at(2))).toBeUndefined();
    expect(statusAt(g, at(50))).toBe('expired');
    const r = revokeCredential(g, 'c1', at(1))!;
    expect(revokeCredential(r, 'c1', at(2))).toBeUndefined();
  });
});

describe('the access log chain', () => {
  const use = (n: number): AccessUse => ({ principal: 'eve@nsa', principalOrganization: 'nsa', credentialId: 'c', grantId: 'g', operation: 'inference', volume: n, occurredAt: NOW.toISOString(), recordedAt: NOW.toISOString(), reportedBy: 'gw@acme' });
  function chain(n: number): AccessRecord[] {
    const out: AccessRecord[] = [];
    for (let i = 1; i <= n; i++) out.push(chainRecord('p', out[out.length - 1], use(i)));
    return out;
  }
  const verify = (records: (AccessRecord | undefined)[], checkpoints: { sequence: number; hash: string }[] = []) => {
    const v = new ChainVerifier('p', checkpoints);
    records.forEach((r, i) => v.next(i + 1, r));
    return v.finish();
  };

  it('links each record to the one before', () => {
    const records = chain(5);
    expect(records[0]!.previousHash).toBe(GENESIS_HASH);
    expect(records[3]!.previousHash).toBe(records[2]!.hash);
    expect(records[2]!.hash).toBe(recordHash('p', 3, records[1]!.hash, use(3)));
    expect(verify(records)).toBeUndefined();
  });

  it('names the first broken link for an edited, a deleted and two reordered records', () => {
    const records = chain(6);
    const edited = records.map((r, i) => (i === 2 ? { ...r, use: { ...r.use, volume: 999 } } : r));
    expect(verify(edited)).toEqual({ sequence: 3, reason: 'record 3 does not match its hash: its content was changed' });
    const deleted = records.map((r, i) => (i === 3 ? undefined : r));
    expect(verify(deleted)).toEqual({ sequence: 4, reason: 'record 4 is missing' });
    const swapped = [...records];
    [swapped[1], swapped[4]] = [swapped[4]!, swapped[1]!];
    expect(verify(swapped)).toMatchObject({ sequence: 2, reason: expect.stringContaining('reordered') });
    // Rewritten from record 2 on, hashes recomputed: the signed checkpoint at 4 still exposes it.
    const rewritten = [records[0]!];
    for (let i = 2; i <= 6; i++) rewritten.push(chainRecord('p', rewritten[rewritten.length - 1], use(i * 10)));
    expect(verify(rewritten, [{ sequence: 4, hash: records[3]!.hash }])).toMatchObject({ sequence: 4, reason: expect.stringContaining('signed checkpoint') });
    expect(verify(records.slice(0, 3), [{ sequence: 5, hash: records[4]!.hash }])).toMatchObject({ sequence: 4, reason: expect.stringContaining('tail was deleted') });
  });
});

describe('insider-risk signals', () => {
  const p = program();
  const grant = issueGrant(p, { principal: 'eve@nsa', principalOrganization: 'nsa', principalKind: 'government', scopes: ['inference'], purpose: 'eval', notAfter: at(15) }, { id: 'g1', governmentOrganization: true, partnerSelected: false, actor: 'officer', now: NOW });
  const credential = { id: 'c1', grantId: 'g1', programId: p.id, principal: 'eve@nsa', principalOrganization: 'nsa', issuedAt: at(1), expiresAt: at(2) };
  const ordinary: UseFacts = {
    sequence: 7, principal: 'eve@nsa', principalOrganization: 'nsa', occurredAt: new Date(at(1).getTime() + HOUR), volume: 120, program: p, grant, credential,
    missingAgreements: [], partnerSelected: false, baseline: [100, 90, 110, 100, 95].map((volume, i) => ({ sequence: i + 1, volume })), policy: { factor: 10, minUses: 5 },
  };
  const rules = (f: Partial<UseFacts>) => evaluateUse({ ...ordinary, ...f }, at(3)).map((s) => s.rule);

  it('raises nothing for ordinary use', () => {
    expect(evaluateUse(ordinary, at(3))).toEqual([]);
  });

  it('raises each rule, naming the records behind it', () => {
    expect(rules({ occurredAt: new Date(NOW.getTime() - HOUR) })).toContain('outside_window');
    expect(rules({ occurredAt: at(2.5) })).toEqual(['after_revocation_or_expiry']);
    expect(rules({ grant: revokeCredential(grant, 'c1', at(1))! })).toEqual(['after_revocation_or_expiry']);
    expect(rules({ missingAgreements: ['version 2 of the confidentiality agreement is not accepted'] })).toEqual(['no_current_agreement']);
    expect(rules({ principal: 'mallory@nsa' })).toEqual(['not_selected_partner']);
    const partnerGrant: Grant = { ...grant, principalKind: 'partner', principalOrganization: 'initech', principal: 'bob@initech', notBefore: at(20), notAfter: at(50) };
    const partnerUse = { grant: partnerGrant, principal: 'bob@initech', principalOrganization: 'initech', credential: { ...credential, principal: 'bob@initech', principalOrganization: 'initech', expiresAt: at(22) }, occurredAt: at(21) };
    expect(rules({ ...partnerUse, partnerSelected: true })).toEqual([]);
    expect(rules({ ...partnerUse, partnerSelected: false })).toEqual(['not_selected_partner']);
    const volume = evaluateUse({ ...ordinary, volume: 1001 }, at(3));
    expect(volume).toEqual([expect.objectContaining({ rule: 'volume_above_baseline', id: `${p.id}:7:volume_above_baseline`, recordSequences: [1, 2, 3, 4, 5, 7] })]);
    expect(rules({ volume: 1000 })).toEqual([]);
    expect(rules({ volume: 5000, baseline: ordinary.baseline.slice(0, 4) })).toEqual([]);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
