/** The lapse rule: which required consultees lapse when a consultation deadline comes, and only once. */
import { lapse, recordView, requestConsultation, type Case, type Consultee } from '../src/domain/case';

const t0 = new Date('2026-11-22T12:00:00Z');
const deadline = new Date('2026-11-23T12:00:00Z');
const after = new Date(deadline.getTime() + 1);
const consultees: Consultee[] = [
  { agency: 'ONCD', title: 'National Cyber Director', required: true },
  { agency: 'CISA', title: 'CISA Director', required: true },
  { agency: 'FBI', title: 'FBI Cyber Division', required: false },
];

function openCase(): Case {
  return {
    id: '0193a1b2-0000-7000-8000-000000000001', organization: 'acme', modelName: 'Atlas', modelVersion: '5', submissionRevision: 1,
    status: 'evaluating', revision: 1, determinations: [], readyForDecision: true, missingDomains: [], createdAt: t0, updatedAt: t0,
  };
}

const consulting = () => requestConsultation(openCase(), consultees, deadline, 'director@nsa', t0);
const lapsedOf = (c: Case) => (c.consultation?.entries ?? []).filter((e) => e.lapsed).map((e) => e.agency);

it('lapses the required consultees with no view once the deadline has come; optional ones never lapse', () => {
  const withView = recordView(consulting(), 'CISA', 'concur', '', 'cisa@dhs', new Date(deadline.getTime() - 60_000));
  const change = lapse(withView, deadline);
  expect(change?.lapsedAgencies).toEqual(['ONCD']);
  expect(lapsedOf(change!.next)).toEqual(['ONCD']);
  expect(change!.next.consultation!.entries.find((e) => e.agency === 'CISA')).toMatchObject({ view: 'concur' });
  expect(change!.next.status).toBe('consulting');
});

it('lapses nobody before the deadline', () => {
  expect(lapse(consulting(), new Date(deadline.getTime() - 1))).toBeUndefined();
});

it('records a lapse once: a repeated deadline changes nothing', () => {
  const first = lapse(consulting(), after)!;
  expect(first.lapsedAgencies).toEqual(['ONCD', 'CISA']);
  expect(lapse(first.next, new Date(after.getTime() + 86_400_000))).toBeUndefined();
});

it('lapses nobody when every required view is in', () => {
  let c = consulting();
  for (const agency of ['ONCD', 'CISA']) c = recordView(c, agency, 'non_concur', '', `${agency}@gov`, t0);
  expect(lapse(c, after)).toBeUndefined();
});

it.each([
  ['no consultation', () => openCase()],
  ['a decided case', () => ({ ...consulting(), status: 'decided' as const })],
  ['a withdrawn case', () => ({ ...consulting(), status: 'withdrawn' as const })],
])('lapses nobody on %s', (_label, make) => {
  expect(lapse(make(), after)).toBeUndefined();
});

it('judges each entry by its own deadline', () => {
  const c = consulting();
  const later = new Date(deadline.getTime() + 86_400_000);
  const mixed: Case = { ...c, consultation: { ...c.consultation!, entries: c.consultation!.entries.map((e) => (e.agency === 'CISA' ? { ...e, deadline: later } : e)) } };
  expect(lapse(mixed, after)?.lapsedAgencies).toEqual(['ONCD']);
});
