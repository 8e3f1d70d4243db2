/**
 * Embargo lifecycle: parties, an end with an explicit zone, extensions that never shorten, and the
 * automatic ends (date, public advisory, exploitation).
 */
import { FailedPreconditionError, ValidationError } from '@rampart/errors';
import {
  addEmbargoParties, embargoEndAt, endOnDisclosure, endOnExploitation, extendEmbargo, isEmbargoActive, isEmbargoParty, liftEmbargo, settleEmbargo,
  shortenEmbargo, startEmbargo, type Embargo,
} from '../src/domain/coordination/embargo';

const now = new Date('2026-06-01T12:00:00Z');
const analyst = { subject: 'ana@treasury', organization: 'treasury', roles: ['clearinghouse-analyst' as const] };
const later = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3600_000, DAY = 24 * HOUR;

function violations(f: () => unknown): { field: string; description: string }[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ValidationError) return [...e.violations];
    throw e;
  }
  throw new Error('expected a ValidationError');
}

function started(): Embargo {
  return startEmbargo('flaw-1', ['acme-ai', 'bug-hunters'], { endsAt: '2026-07-01T17:00:00-04:00[America/New_York]', vendors: ['widgetco'], operators: ['rural-hospital', 'community-bank'] }, analyst, now);
}

describe('starting an embargo', () => {
  it('makes the reporters, vendors, operators and the clearinghouse parties, and keeps the instant and zone', () => {
    const e = started();
    expect(e.parties).toEqual([
      { kind: 'clearinghouse' },
      { kind: 'reporter', organization: 'acme-ai' },
      { kind: 'reporter', organization: 'bug-hunters' },
      { kind: 'vendor', organization: 'widgetco' },
      { kind: 'operator', organization: 'rural-hospital' },
      { kind: 'operator', organization: 'community-bank' },
    ]);
    expect(e.endsAt).toEqual({ at: new Date('2026-07-01T21:00:00Z'), zone: 'America/New_York' });
    expect(e.startedBy).toBe('ana@treasury');
    expect(isEmbargoActive(e, now)).toBe(true);
  });

  it('refuses an end without a zone, naming the field and reason, together with every other bad field', () => {
    expect(violations(() => startEmbargo('f', ['acme-ai'], { endsAt: '2026-07-01T17:00:00', vendors: ['bad vendor'], operators: ['ok', 'a.b'] }, analyst, now))).toEqual([
      { field: 'ends_at', description: expect.stringMatching(/must carry a time zone offset/) },
      { field: 'vendors[0]', description: expect.stringMatching(/organisation id/) },
      { field: 'operators[1]', description: expect.stringMatching(/organisation id/) },
    ]);
  });

  it.each([
    ['2026-06-01T12:30:00Z', /at least an hour after now/],
    ['2026-05-01T12:00:00Z', /at least an hour after now/],
    ['2026-09-01T12:00:00Z', /at most 90 days after now/],
  ])('refuses the end %s', (endsAt, reason) => {
    expect(violations(() => startEmbargo('f', ['acme-ai'], { endsAt }, analyst, now))).toEqual([{ field: 'ends_at', description: expect.stringMatching(reason) }]);
  });

  it('is party to its parties only: the clearinghouse by role, the others by organisation', () => {
    const e = started();
    expect(isEmbargoParty(e, { organization: 'treasury', roles: ['clearinghouse-analyst'] })).toBe(true);
    expect(isEmbargoParty(e, { organization: 'widgetco', roles: ['vendor'] })).toBe(true);
    expect(isEmbargoParty(e, { organization: 'treasury', roles: ['auditor'] })).toBe(false);
    expect(isEmbargoParty(e, { organization: 'other-vendor', roles: ['vendor'] })).toBe(false);
    expect(isEmbargoParty(e, { organization: '', roles: [] })).toBe(false);
  });
});

describe('changing an embargo', () => {
  it('records an extension with who, when, why and both ends', () => {
    const e = extendEmbargo(started(), { endsAt: '2026-07-15T17:00:00-04:00[America/New_York]', reason: 'the fix needs a firmware release' }, { subject: 'bo@treasury' }, later(DAY));
    expect(e.endsAt.at).toEqual(new Date('2026-07-15T21:00:00Z'));
    expect(e.changes).toEqual([{
      kind: 'extended', by: 'bo@treasury', at: later(DAY), reason: 'the fix needs a firmware release',
      previousEnd: { at: new Date('2026-07-01T21:00:00Z'), zone: 'America/New_York' }, newEnd: { at: new Date('2026-07-15T21:00:00Z'), zone: 'America/New_York' },
    }]);
  });

  it('never shortens through an extension, and requires a reason', () => {
    expect(violations(() => extendEmbargo(started(), { endsAt: '2026-06-20T17:00:00Z', reason: '' }, analyst, now))).toEqual([
      { field: 'reason', description: 'is required' },
      { field: 'ends_at', description: expect.stringMatching(/an extension never shortens/) },
    ]);
    expect(violations(() => extendEmbargo(started(), { endsAt: '2026-07-01T21:00:00Z', reason: 'same' }, analyst, now))).toEqual([
      { field: 'ends_at', description: expect.stringMatching(/must be after the current end/) },
    ]);
  });

  it('shortens only as a shortening, recorded as one, and not to less than an hour', () => {
    const e = shortenEmbargo(started(), { endsAt: '2026-06-20T17:00:00Z', reason: 'vendor shipped early' }, analyst, now);
    expect(e.changes[0]).toMatchObject({ kind: 'shortened', reason: 'vendor shipped early' });
    expect(violations(() => shortenEmbargo(started(), { endsAt: '2026-08-01T17:00:00Z', reason: 'x' }, analyst, now))[0]!.description).toMatch(/to move it later, extend it/);
    expect(violations(() => shortenEmbargo(started(), { endsAt: '2026-06-01T12:10:00Z', reason: 'x' }, analyst, now))[0]!.description).toMatch(/at least an hour/);
  });

  it('caps an extension at 90 days ahead and the whole embargo at 365 days', () => {
    expect(violations(() => extendEmbargo(started(), { endsAt: '2026-09-15T00:00:00Z', reason: 'x' }, analyst, now))[0]!.description).toMatch(/at most 90 days/);
    let e = started();
    let t = new Date(now.getTime() + 25 * DAY);
    for (let i = 0; i < 4; i++, t = new Date(t.getTime() + 80 * DAY)) {
      e = extendEmbargo(e, { endsAt: new Date(t.getTime() + 85 * DAY).toISOString(), reason: `round ${i}` }, analyst, t);
    }
    expect(e.changes).toHaveLength(4);
    expect(violations(() => extendEmbargo(e, { endsAt: new Date(t.getTime() + 85 * DAY).toISOString(), reason: 'again' }, analyst, t))[0]!.description).toMatch(/365 days after the embargo started/);
  });

  it('adds parties with a reason and never removes one', () => {
    const e = addEmbargoParties(started(), { operators: ['water-utility', 'rural-hospital'], reason: 'affected too' }, analyst, now);
    expect(e.parties.slice(-1)).toEqual([{ kind: 'operator', organization: 'water-utility' }]);
    expect(e.changes).toEqual([{ kind: 'parties-added', by: analyst.subject, at: now, reason: 'affected too', parties: [{ kind: 'operator', organization: 'water-utility' }] }]);
    expect(addEmbargoParties(e, { operators: ['water-utility'], reason: 'again' }, analyst, now)).toBe(e);
  });

  it('refuses changes once ended', () => {
    const ended = liftEmbargo(started(), { reason: 'fix is out' }, analyst, now);
    expect(() => extendEmbargo(ended, { endsAt: '2026-07-20T00:00:00Z', reason: 'x' }, analyst, now)).toThrow(FailedPreconditionError);
    expect(() => liftEmbargo(ended, { reason: 'again' }, analyst, now)).toThrow(FailedPreconditionError);
  });
});

describe('automatic ends', () => {
  it('ends when its end date passes, at that instant', () => {
    const e = started();
    expect(settleEmbargo(e, new Date('2026-07-01T20:59:59.999Z'))).toBeUndefined();
    const settled = settleEmbargo(e, new Date('2026-07-01T21:00:00Z'))!;
    expect(settled.ended).toEqual({ cause: 'end-date', at: new Date('2026-07-01T21:00:00Z'), detail: expect.stringContaining('2026-07-01T17:00:00-04:00[America/New_York]') });
    expect(isEmbargoActive(e, new Date('2026-07-01T21:00:00Z'))).toBe(false);
    expect(settleEmbargo(settled, later(90 * DAY))).toBeUndefined();
  });

  it('ends when a public advisory names one of the flaw\'s ids, in any case', () => {
    const e = started();
    const ids = ['flaw-1', 'CVE-2026-1234', 'GHSA-abcd-efgh-ijkl'];
    expect(endOnDisclosure(e, ids, { source: 'osv:PYSEC-2026-1', ids: ['PYSEC-2026-1', 'CVE-2026-9999'] }, now)).toBeUndefined();
    const ended = endOnDisclosure(e, ids, { source: 'osv:PYSEC-2026-1', ids: ['PYSEC-2026-1', 'ghsa-ABCD-efgh-ijkl'] }, later(HOUR))!;
    expect(ended.ended).toEqual({ cause: 'public', at: later(HOUR), detail: expect.stringContaining('GHSA-ABCD-EFGH-IJKL') });
    expect(endOnDisclosure(ended, ids, { source: 'again', ids: ['CVE-2026-1234'] }, later(2 * HOUR))).toBeUndefined();
  });

  it('does not end on a labelled advisory that is not CLEAR (not public)', () => {
    expect(endOnDisclosure(started(), ['CVE-2026-1234'], { source: 'csaf:x', ids: ['CVE-2026-1234'], tlp: 'AMBER' }, now)).toBeUndefined();
    expect(endOnDisclosure(started(), ['CVE-2026-1234'], { source: 'csaf:x', ids: ['CVE-2026-1234'], tlp: 'CLEAR' }, now)?.ended?.cause).toBe('public');
  });

  it('ends on exploitation in the wild', () => {
    const ended = endOnExploitation(started(), { id: 'xr-1', observedAt: { at: now, zone: 'Z' } }, later(HOUR))!;
    expect(ended.ended).toMatchObject({ cause: 'exploited', at: later(HOUR) });
    expect(embargoEndAt(ended, later(HOUR))?.cause).toBe('exploited');
  });

  it('an embargo past its date ends by its date, whatever arrives later', () => {
    const after = new Date('2026-07-02T00:00:00Z');
    expect(endOnExploitation(started(), { id: 'xr-1', observedAt: { at: now, zone: 'Z' } }, after)?.ended?.cause).toBe('end-date');
    expect(endOnDisclosure(started(), ['CVE-1'], { source: 's', ids: ['CVE-1'] }, after)?.ended?.cause).toBe('end-date');
  });
});
