/**
 * The enforcement service's pure rules: priority (deterministic, explained, versioned), the
 * workflow, candidates from events (one id per event), the custody chain (any tampering found at
 * exactly its entry) and the STIX 2.1 export (valid against OASIS's schemas).
 */
import fc from 'fast-check';
import {
  candidateId, checkpointMac, DEFAULT_POLICY, REFERRAL_EXTENSION, TLP_AMBER_STRICT, exploitationCandidate, nextEntry, referralBundle, scoreReferral, signalCandidate, transition, validateDetails, verifyChain,
  viewOf, type CustodyAction, type CustodyEntry, type EvidenceItem, type Referral, type ReferralDetails,
} from '../src/domain';
import { StixSchemas } from './stix-schemas';

const NOW = new Date('2026-11-22T12:00:00Z');

function validDetails(overrides: object = {}): ReferralDetails {
  const { details, violations } = validateDetails({
    victim: { name: 'Valley Hospital', contact: 'soc@valley.example', sector: 'healthcare-and-public-health', size: 'small' },
    lossUsdCents: 1_200_000_00, occurredFrom: '2026-11-20T08:00:00-05:00[America/New_York]', timeZone: 'America/New_York',
    indicators: [{ type: 'ipv4', value: '198.51.100.7' }, { type: 'url', value: 'https://valley-hospital.example/login' }, { type: 'email', value: 'It@Phish.example' }, { type: 'ipv6', value: '2001:db8::1' }, { type: 'crypto-wallet', value: 'bc1qexample' }],
    narrative: 'Ransomware deployed by an autonomous agent.', suspectedStatutes: ['18 U.S.C. 1030'], aiEnabledIndicators: ['autonomous-agent'],
    ...overrides,
  }, NOW);
  expect(violations).toEqual([]);
  return details!;
}

function referral(details = validDetails()): Referral {
  return { id: '0190b4c6-1111-7000-8000-000000000001', organization: 'valley-hospital', source: 'filed', status: 'received', revision: 1, details, links: [], filedBy: 'ciso@valley', receivedAt: NOW, statusSince: NOW, priority: scoreReferral({ details, receivedAt: NOW }, DEFAULT_POLICY, NOW) };
}

describe('priority', () => {
  it('is deterministic, explains every factor, and weighs AI-enabled conduct most by default', () => {
    const facts = { details: validDetails(), receivedAt: NOW };
    const a = scoreReferral(facts, DEFAULT_POLICY, NOW);
    expect(scoreReferral(facts, DEFAULT_POLICY, NOW)).toEqual(a);
    expect(a.policyVersion).toBe(1);
    expect(a.score).toBeCloseTo(a.factors.reduce((s, f) => s + f.contribution, 0), 1);
    const ai = a.factors.find((f) => f.factor === 'aiEnabled')!;
    expect(Math.max(...a.factors.map((f) => f.weight))).toBe(ai.weight);
    const without = scoreReferral({ details: { ...facts.details, aiEnabledIndicators: [] }, receivedAt: NOW }, DEFAULT_POLICY, NOW);
    expect(without.score).toBeLessThan(a.score);
    const v2 = scoreReferral(facts, { ...DEFAULT_POLICY, version: 2, weights: { ...DEFAULT_POLICY.weights, aiEnabled: 0 } }, NOW);
    expect(v2.policyVersion).toBe(2);
    expect(v2.factors.find((f) => f.factor === 'aiEnabled')!.contribution).toBe(0);
  });
});

describe('workflow', () => {
  it('moves received -> under review -> accepted -> closed, and refuses steps out of order or on a stale revision', () => {
    const r = referral();
    expect(() => transition(r, 1, { kind: 'close', outcome: 'x' }, NOW)).toThrow(/cannot be closed/);
    expect(() => transition(r, 2, { kind: 'start-review' }, NOW)).toThrow(/revision 1, not 2/);
    const later = new Date(NOW.getTime() + 1000);
    const reviewing = transition(r, 1, { kind: 'start-review' }, later);
    expect(reviewing).toMatchObject({ status: 'under_review', revision: 2, statusSince: later });
    const accepted = transition(reviewing, 2, { kind: 'accept', routedTo: 'FBI' }, later);
    expect(transition(accepted, 3, { kind: 'close', outcome: 'charged' }, later)).toMatchObject({ status: 'closed', outcome: 'charged', routedTo: 'FBI', revision: 4 });
  });
});

describe('candidates', () => {
  const exploitation = { exploitationId: 'x-1', flawId: 'CVE-2099-1234', observedAt: '2026-11-20T08:00:00-05:00[America/New_York]', observedTime: '2026-11-20T13:00:00.000Z', indicators: ['machine-speed-exploitation', 'NOT valid'], reportedByOrganization: 'bank', reportedBy: 'soc@bank', flaw: { id: 'CVE-2099-1234', priority: 'immediate' } };
  it('one id per event, links to the records it came from, and poison data refused', () => {
    const a = exploitationCandidate('event-1', exploitation, DEFAULT_POLICY, NOW);
    expect(exploitationCandidate('event-1', exploitation, DEFAULT_POLICY, NOW).id).toBe(a.id);
    expect(a.id).toBe(candidateId('event-1'));
    expect(candidateId('event-2')).not.toBe(a.id);
    expect(a).toMatchObject({ status: 'candidate', organization: '', source: 'exploitation', links: [{ kind: 'clearinghouse.exploitation', id: 'x-1' }, { kind: 'clearinghouse.flaw', id: 'CVE-2099-1234' }] });
    expect(a.details).toMatchObject({ aiEnabledIndicators: ['machine-speed-exploitation'], exploitsKnownExploitedFlaw: true, timeZone: 'America/New_York' });
    expect(() => exploitationCandidate('e', { ...exploitation, flawId: undefined }, DEFAULT_POLICY, NOW)).toThrow(/flawId/);
    const s = signalCandidate('event-3', { id: 'p1:7:volume', programId: 'p1', rule: 'volume', description: 'ten times the usual volume', raisedAt: NOW.toISOString(), recordSequences: [7, 8], principal: 'eve', principalOrganization: 'partner-x', organization: 'acme' }, DEFAULT_POLICY, NOW);
    expect(s.links).toEqual([{ kind: 'access.signal', id: 'p1:7:volume' }, { kind: 'access.program', id: 'p1' }, { kind: 'access.record', id: 'p1:7' }, { kind: 'access.record', id: 'p1:8' }]);
  });
});

describe('custody chain', () => {
  const action = (i: number): CustodyAction => ({ kind: i === 0 ? 'collected' : 'examined', handler: `agent ${i}`, at: { at: new Date(NOW.getTime() + i * 60_000), zone: 'America/Chicago' }, location: 'FBI Omaha evidence room', purpose: 'triage' });
  const chain = (n: number): CustodyEntry[] => {
    const out: CustodyEntry[] = [];
    for (let i = 0; i < n; i++) out.push(nextEntry('item-1', out[i - 1], action(i), 'analyst@doj', new Date(NOW.getTime() + i)));
    return out;
  };

  it('an untouched chain is intact; an empty one lost its first entry', () => {
    expect(verifyChain('item-1', chain(10))).toMatchObject({ intact: true, entries: 10 });
    expect(verifyChain('item-1', [])).toMatchObject({ intact: false, firstBroken: { sequence: 1 } });
  });

  it('editing, deleting or reordering any entry is found at exactly that entry', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 30 }), fc.nat(), fc.constantFrom('edit', 'delete', 'swap'), (n, k, how) => {
      const entries = chain(n);
      const i = k % (n - 1);
      if (how === 'edit') entries[i] = { ...entries[i]!, action: { ...entries[i]!.action, location: 'somewhere else' } };
      else if (how === 'delete') entries.splice(i, 1);
      else [entries[i], entries[i + 1]] = [entries[i + 1]!, entries[i]!];
      const verdict = verifyChain('item-1', entries);
      expect(verdict.intact).toBe(false);
      expect(verdict.firstBroken!.sequence).toBe(i + 1);
    }));
  });

  it('refuses an action after the item was destroyed', () => {
    const entries = chain(2);
    entries.push(nextEntry('item-1', entries[1], { ...action(2), kind: 'destroyed' }, 'a', NOW));
    entries.push(nextEntry('item-1', entries[2], action(3), 'a', NOW));
    expect(verifyChain('item-1', entries).firstBroken).toMatchObject({ sequence: 4 });
  });
});

describe('STIX 2.1 export', () => {
  const schemas = new StixSchemas();
  const evidence: EvidenceItem = { id: '0190b4c6-2222-7000-8000-000000000002', referralId: '0190b4c6-1111-7000-8000-000000000001', reference: 'locker://omaha/42', sha256: 'b'.repeat(64), sizeBytes: 1024, mediaType: 'application/vnd.tcpdump.pcap', description: '', addedBy: 'a', addedAt: NOW };

  it('every bundle and every object in it validates against OASIS\'s schemas, and names no victim', () => {
    expect(schemas.count).toBeGreaterThan(50);
    const variants: Referral[] = [
      referral(),
      { ...referral(validDetails({ indicators: [{ type: 'domain', value: 'evil.example' }, { type: 'file-sha256', value: 'c'.repeat(64) }, { type: 'other', value: 'a phone number' }] })), status: 'accepted', routedTo: 'USSS' },
      exploitationCandidate('e-9', { exploitationId: 'x', flawId: 'GHSA-aaaa-bbbb-cccc', observedTime: NOW.toISOString(), observedAt: '2026-11-22T12:00:00Z' }, DEFAULT_POLICY, NOW),
    ];
    for (const r of variants) {
      const bundle = referralBundle(r, [evidence]);
      expect({ id: r.id, problems: schemas.problems(bundle) }).toEqual({ id: r.id, problems: [] });
      expect(JSON.stringify(bundle)).not.toContain('Valley Hospital');
      expect(referralBundle(r, [evidence])).toEqual(bundle);
      expect(bundle.objects.filter((o) => o.type === 'indicator').length).toBe(r.details.indicators.filter((i) => i.type !== 'other' && i.type !== 'crypto-wallet').length);
    }
  });

  it('our extension\'s definition (published apart from bundles) is valid too', () => {
    expect(schemas.problems({ type: 'bundle', id: 'bundle--0190b4c6-3333-4000-8000-000000000003', objects: [REFERRAL_EXTENSION, TLP_AMBER_STRICT] })).toEqual([]);
  });

  it('a broken bundle is refused (the validator can fail)', () => {
    const bundle = referralBundle(referral(), []);
    const broken = { ...bundle, objects: bundle.objects.map((o) => (o.type === 'indicator' ? { ...o, pattern_type: undefined } : o)) };
    expect(schemas.problems(broken).length).toBeGreaterThan(0);
  });

  it('the auditor\'s view of a referral redacts the victim and says so', () => {
    expect(viewOf(referral(), 'redacted')).toMatchObject({ referral: { details: { victim: { name: '[redacted: personal data]' } } }, redactedFields: ['details.victim.name', 'details.victim.contact'] });
  });
});

describe('custody checkpoints', () => {
  const key = Buffer.alloc(32, 7);
  const action: CustodyAction = { kind: 'examined', handler: 'a', at: { at: NOW, zone: 'Z' }, location: 'l', purpose: 'p' };
  const entries: CustodyEntry[] = [];
  for (let i = 0; i < 12; i++) entries.push(nextEntry('item-2', entries[i - 1], action, 'a', NOW));
  const checkpoint = { evidenceId: 'item-2', sequence: 10, hash: entries[9]!.hash, mac: checkpointMac(key, 'item-2', 10, entries[9]!.hash) };

  it('verifies from a signed checkpoint reading only what follows it', () => {
    expect(verifyChain('item-2', entries.slice(9), { checkpoint, key })).toEqual({ intact: true, entries: 12, verifiedFrom: 10, headHash: entries[11]!.hash });
  });

  it('refuses a checkpoint signed with another key, or vouching for another entry', () => {
    expect(verifyChain('item-2', entries.slice(9), { checkpoint, key: Buffer.alloc(32, 8) }).firstBroken).toMatchObject({ sequence: 10, reason: expect.stringMatching(/signature/) });
    const other = { ...checkpoint, hash: entries[8]!.hash, mac: checkpointMac(key, 'item-2', 10, entries[8]!.hash) };
    expect(verifyChain('item-2', entries.slice(9), { checkpoint: other, key }).firstBroken).toMatchObject({ sequence: 10, reason: expect.stringMatching(/not the one/) });
    const edited = [...entries.slice(9)];
    edited[1] = { ...edited[1]!, recordedBy: 'mallory' };
    expect(verifyChain('item-2', edited, { checkpoint, key }).firstBroken).toMatchObject({ sequence: 11 });
  });
});
