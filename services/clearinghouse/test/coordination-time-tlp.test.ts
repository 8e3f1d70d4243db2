/**
 * Zoned times (every coordination date must say its zone) and TLP 2.0 labels with who may read
 * under each.
 */
import fc from 'fast-check';
import type { FieldViolation } from '@rampart/errors';
import { formatZonedTime, parseZonedTime, zonedTimeOf } from '../src/domain/coordination/zoned-time';
import { mostRestrictiveTlp, parseTlpLabel, tlpAllows, TLP_LABELS, type TlpLabel } from '../src/domain/coordination/tlp';

describe('zoned times', () => {
  it.each([
    ['2026-05-01T17:00:00Z', '2026-05-01T17:00:00.000Z', 'Z'],
    ['2026-05-01T17:00:00-04:00', '2026-05-01T21:00:00.000Z', '-04:00'],
    ['2026-05-01T17:00+05:30', '2026-05-01T11:30:00.000Z', '+05:30'],
    ['2026-05-01T17:00:00.123456789+00:00', '2026-05-01T17:00:00.123Z', '+00:00'],
    ['2026-05-01T17:00:00-04:00[America/New_York]', '2026-05-01T21:00:00.000Z', 'America/New_York'],
    ['2026-01-15T09:00:00-05:00[America/New_York]', '2026-01-15T14:00:00.000Z', 'America/New_York'],
    ['2026-07-01T12:00:00+01:00[!Europe/London]', '2026-07-01T11:00:00.000Z', 'Europe/London'],
    ['2026-07-01T12:00:00-05:00[america/chicago]', '2026-07-01T17:00:00.000Z', 'America/Chicago'],
  ])('accepts %s', (text, instant, zone) => {
    const t = zonedTimeOf(text);
    expect(t).toEqual({ at: new Date(instant), zone });
  });

  it.each([
    ['2026-05-01T17:00:00', /must carry a time zone offset/],
    ['2026-05-01 17:00:00Z', /must be a date and time with its time zone/],
    ['2026-05-01', /must be a date and time/],
    ['2026-05-01T17:00:00[America/New_York]', /must carry the offset before the zone name/],
    ['2026-05-01T17:00:00-00:00', /offset unknown/],
    ['2026-05-01T17:00:00+15:00', /no time zone uses/],
    ['2026-05-01T17:00:00+05:60', /no time zone uses/],
    ['2026-02-30T17:00:00Z', /does not exist/],
    ['2026-13-01T17:00:00Z', /does not exist/],
    ['2026-05-01T24:00:00Z', /time of day that does not exist/],
    ['2026-12-31T23:59:60Z', /time of day that does not exist/],
    ['2026-05-01T17:00:00-05:00[America/New_York]', /America\/New_York is at -04:00/],
    ['2026-05-01T17:00:00Z[Mars/Olympus_Mons]', /not in the IANA time zone database/],
    ['2026-05-01T17:00:00Z[../../etc/passwd]', /not in the IANA time zone database/],
    [`2026-05-01T17:00:00Z${' '.repeat(200)}x`, /at most 100 characters/],
  ])('refuses %s with the reason', (text, reason) => {
    expect(zonedTimeOf(text)).toMatch(reason);
  });

  it('names the field and says it is required when missing', () => {
    const out: FieldViolation[] = [];
    expect(parseZonedTime(out, 'ends_at', undefined)).toBeUndefined();
    expect(parseZonedTime(out, 'window.end', '2026-05-01T17:00:00')).toBeUndefined();
    expect(out).toEqual([
      { field: 'ends_at', description: expect.stringMatching(/^is required/) },
      { field: 'window.end', description: expect.stringMatching(/time zone offset/) },
    ]);
  });

  it('shows the time back as its parties wrote it', () => {
    expect(formatZonedTime(zonedTimeOf('2026-05-01T17:00:00-04:00[America/New_York]') as never)).toBe('2026-05-01T17:00:00-04:00[America/New_York]');
    expect(formatZonedTime(zonedTimeOf('2026-05-01T17:00:00.5+05:30') as never)).toBe('2026-05-01T17:00:00.500+05:30');
    expect(formatZonedTime(zonedTimeOf('2026-05-01T17:00:00Z') as never)).toBe('2026-05-01T17:00:00Z');
  });

  it('round-trips every instant and fixed offset (property)', () => {
    fc.assert(fc.property(
      fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2999-12-31T00:00:00Z'), noInvalidDate: true }),
      fc.integer({ min: -14 * 4, max: 14 * 4 }),
      (at, quarterHours) => {
        const minutes = quarterHours * 15;
        const zone = minutes === 0 ? 'Z' : `${minutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(minutes) / 60)).padStart(2, '0')}:${String(Math.abs(minutes) % 60).padStart(2, '0')}`;
        const text = formatZonedTime({ at, zone });
        expect(zonedTimeOf(text)).toEqual({ at, zone });
      },
    ));
  });
});

describe('TLP 2.0', () => {
  const reporter = { organization: 'acme-ai', roles: ['reporter' as const] };
  const analyst = { organization: 'treasury', roles: ['clearinghouse-analyst' as const] };
  const auditor = { organization: 'oig', roles: ['auditor' as const] };
  const vendor = { organization: 'widgetco', roles: ['vendor' as const] };
  const bystander = { organization: 'other-bank', roles: ['operator' as const] };
  const sourceOf = (tlp: TlpLabel) => ({ organization: 'acme-ai', tlp });

  it.each<[TlpLabel, boolean[]]>([
    // reporter's org, clearinghouse, auditor, need-to-know vendor, bystander
    ['CLEAR', [true, true, true, true, true]],
    ['GREEN', [true, true, true, true, true]],
    ['AMBER', [true, true, true, true, false]],
    ['AMBER+STRICT', [true, true, true, false, false]],
    ['RED', [true, true, false, false, false]],
  ])('%s: who reads', (label, expected) => {
    const readers = [reporter, analyst, auditor, vendor, bystander];
    expect(readers.map((r) => tlpAllows(sourceOf(label), r, ['widgetco']))).toEqual(expected);
  });

  it('an empty organisation is nobody\'s own and on no need-to-know list', () => {
    expect(tlpAllows({ organization: '', tlp: 'RED' }, { organization: '', roles: [] }, [''])).toBe(false);
    expect(tlpAllows({ organization: 'acme-ai', tlp: 'AMBER' }, { organization: '', roles: [] }, [''])).toBe(false);
  });

  it('reads labels as written, TLP 1.0 WHITE as CLEAR, defaults to AMBER, refuses others', () => {
    const out: FieldViolation[] = [];
    expect(parseTlpLabel(out, 'tlp', 'TLP:AMBER+STRICT')).toBe('AMBER+STRICT');
    expect(parseTlpLabel(out, 'tlp', 'green')).toBe('GREEN');
    expect(parseTlpLabel(out, 'tlp', 'WHITE')).toBe('CLEAR');
    expect(parseTlpLabel(out, 'tlp', undefined)).toBe('AMBER');
    expect(out).toEqual([]);
    parseTlpLabel(out, 'report.tlp', 'PURPLE');
    expect(out).toEqual([{ field: 'report.tlp', description: expect.stringMatching(/TLP 2.0 label/) }]);
  });

  it('a derived value carries the most restrictive label of its inputs (property)', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TLP_LABELS)), (labels) => {
      const most = mostRestrictiveTlp(...labels);
      expect(labels.every((l) => TLP_LABELS.indexOf(l) <= TLP_LABELS.indexOf(most))).toBe(true);
      if (labels.length > 0) expect(labels).toContain(most);
      else expect(most).toBe('CLEAR');
    }));
  });
});
