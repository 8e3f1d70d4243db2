/**
 * Who hears again about a flaw: exactly the operators whose remediation changed (newly affected,
 * newly fixed, a new patch or workaround, KEV, higher urgency), and a retraction for those no longer
 * affected; nothing for a change that leaves the remediation as it was.
 */
import fc from 'fast-check';
import { decideNotification, nextNotification, type AffectedComponent, type Exposure, type Notification } from '../src/domain/notifications';

const NOW = new Date('2026-11-22T12:00:00Z');
const ids = { operatorId: 'op-1', vulnerabilityId: 'vuln-1' };

const component = (assetId: string, purl: string, fixedVersions: string[] = []): AffectedComponent => ({ assetId, purl, version: purl.split('@')[1] ?? '', fixedVersions });

const exposure = (affected: AffectedComponent[], extra: Partial<Exposure> = {}): Exposure => ({
  affected,
  fix: { patches: [], workarounds: [] },
  priority: 'elevated',
  priorityReasons: ['CVSS 7.5 high'],
  kevListed: false,
  tlp: 'AMBER',
  ...extra,
});

const sent = (e: Exposure): Notification => nextNotification(undefined, e, ids, NOW)!;

describe('decideNotification', () => {
  const django = component('a1', 'pkg:pypi/django@4.2.0');
  const first = exposure([django]);

  it('issues to a newly affected operator and sends nothing to one never affected', () => {
    expect(decideNotification(undefined, first)).toEqual({ action: 'issue', kind: 'issued', changes: [] });
    expect(decideNotification(undefined, exposure([]))).toEqual({ action: 'none' });
  });

  it('sends nothing when only the order or the wording changed, or urgency fell', () => {
    const two = exposure([django, component('a2', 'pkg:npm/lodash@4.17.20')]);
    const previous = sent(two);
    expect(decideNotification(previous, exposure([...two.affected].reverse()))).toEqual({ action: 'none' });
    expect(decideNotification(previous, { ...two, priorityReasons: ['reworded'], priority: 'routine' })).toEqual({ action: 'none' });
  });

  it.each<[string, Exposure, RegExp]>([
    ['a fixed version appears', exposure([component('a1', 'pkg:pypi/django@4.2.0', ['4.2.1'])]), /fixed version .* 4\.2\.1/],
    ['a patch appears', exposure([django], { fix: { patches: [{ url: 'https://vendor.example/p.tgz', sha256: 'a'.repeat(64) }], workarounds: [] } }), /new patch: https:\/\/vendor\.example\/p\.tgz/],
    ['a workaround appears', exposure([django], { fix: { patches: [], workarounds: ['disable the admin'] } }), /new workaround: disable the admin/],
    ['another component becomes affected', exposure([django, component('a2', 'pkg:pypi/django@4.1.0')]), /newly affected: pkg:pypi\/django@4\.1\.0 in asset a2/],
    ['a component stops being affected', exposure([component('a2', 'pkg:pypi/django@4.1.0')]), /no longer affected: pkg:pypi\/django@4\.2\.0 in asset a1/],
    ['the flaw joins KEV', exposure([django], { kevListed: true }), /KEV/],
    ['urgency rises', exposure([django], { priority: 'immediate' }), /priority raised to immediate/],
  ])('revises when %s', (_why, now, change) => {
    const decision = decideNotification(sent(first), now);
    expect(decision.action).toBe('revise');
    expect(decision.action !== 'none' && decision.changes.some((c) => change.test(c))).toBe(true);
  });

  it('retracts when nothing of the operator is affected any more, and issues again if it becomes so', () => {
    const retraction = nextNotification(sent(first), exposure([]), ids, NOW)!;
    expect(retraction).toMatchObject({ kind: 'retracted', revision: 2, affected: [] });
    expect(decideNotification(retraction, exposure([]))).toEqual({ action: 'none' });
    expect(nextNotification(retraction, first, ids, NOW)).toMatchObject({ kind: 'revised', revision: 3, changes: ['affected again'] });
  });

  it('numbers revisions and orders components the same way whatever order matching found them in', () => {
    const a = nextNotification(undefined, exposure([component('b', 'pkg:npm/x@1'), component('a', 'pkg:npm/y@1')]), ids, NOW)!;
    const b = nextNotification(undefined, exposure([component('a', 'pkg:npm/y@1'), component('b', 'pkg:npm/x@1')]), ids, NOW)!;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.affected.map((c) => c.assetId)).toEqual(['a', 'b']);
    expect(a.revision).toBe(1);
  });

  // Any exposure compared with itself (re-ordered) sends nothing; any operator going from affected to not gets a retraction.
  it('never re-notifies an unchanged remediation, always retracts a lost one (property)', () => {
    const comp = fc.record({ assetId: fc.constantFrom('a1', 'a2', 'a3'), purl: fc.constantFrom('pkg:npm/a@1', 'pkg:npm/b@2', 'pkg:pypi/c@3'), version: fc.constant('1'), fixedVersions: fc.uniqueArray(fc.constantFrom('1.1', '2.0'), { maxLength: 2 }) });
    const uniqueComponents = fc.uniqueArray(comp, { selector: (c) => `${c.assetId} ${c.purl}`, minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(uniqueComponents, fc.boolean(), (components, kev) => {
        const e = exposure(components, { kevListed: kev });
        const previous = sent(e);
        expect(decideNotification(previous, exposure([...components].reverse(), { kevListed: kev }))).toEqual({ action: 'none' });
        expect(decideNotification(previous, exposure([], { kevListed: kev })).action).toBe('retract');
      }),
    );
  });
});
