/**
 * The hook an import calls (`Embargoes.endOnDisclosure`) on real FerretDB: a public record naming
 * any id of an embargoed flaw ends its embargo, by `_id` reads of the alias index alone, with one
 * `embargo.ended` event in the embargo's outbox; a TLP-labelled record that is not CLEAR, or one
 * naming other ids, changes nothing; a second disclosure changes nothing more. And the end-date
 * timer's handler: a fire settles the embargo once its end passed, a stale one schedules again.
 */
import { MongoClient } from 'mongodb';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import type { VulnerabilityReport } from '../src/domain/report';
import { csafLabel } from '../src/embargoes/disclosures';
import { EmbargoStore } from '../src/embargoes/embargo-store';
import { EMBARGO_END, embargoEndHandler, timerIdOf } from '../src/embargoes/embargo-timers';
import { Embargoes } from '../src/embargoes/embargoes';
import { reportFlaw } from '../src/embargoes/flaws';

let mongo: MongoClient;
let store: EmbargoStore;
let embargoes: Embargoes;
const reports = new Map<string, VulnerabilityReport>();
const analyst = { subject: 'eve@treasury', organization: 'treasury', roles: ['clearinghouse-analyst' as const], clearance: 'CUI' as const };

function validReport(id: string, cveId: string): VulnerabilityReport {
  const now = new Date();
  const r: VulnerabilityReport = {
    id, organization: 'acme', reportedBy: 'finder@acme', source: 'reporter', status: 'valid', revision: 2, createdAt: now, updatedAt: now,
    details: {
      title: 't', description: 'd', cweIds: ['CWE-79'], tlp: 'AMBER', cvssVectors: [], discovery: { method: 'human' },
      affectedProducts: [{ purl: 'pkg:pypi/flask', ranges: [{ introduced: '0' }], versions: [] }],
      cve: { state: 'assigned', cna: 'mitre', cveId },
      requestedEmbargo: { endAt: new Date(Date.now() + 30 * 86_400_000), timeZone: 'Europe/Berlin' },
    },
    received: { mediaType: 'application/x-protobuf', sha256: '00'.repeat(32), sizeBytes: 1 },
  };
  reports.set(id, r);
  return r;
}

beforeAll(async () => {
  mongo = await new MongoClient(sharedServers().mongodbUri).connect();
  store = await EmbargoStore.open({ db: mongo.db(uniqueDatabase('embargo-disclosure')) });
  // Flaws from reports held here: the store under test is the embargoes', on the real engine.
  embargoes = new Embargoes({ embargoes: store, flaws: { find: (id) => Promise.resolve(reports.has(id) ? reportFlaw(reports.get(id)!) : undefined) } });
}, 60_000);
afterAll(() => mongo.close());

it('ends the embargo when a public record names the flaw\'s CVE id, once', async () => {
  const r = validReport('01970000-0000-7000-8000-0000000000a1', 'CVE-2026-41001');
  const other = validReport('01970000-0000-7000-8000-0000000000a2', 'CVE-2026-41002');
  await embargoes.start(r.id, { endsAt: '', vendors: [], operators: [] }, analyst);
  await embargoes.start(other.id, { endsAt: '', vendors: [], operators: [] }, analyst);

  // Not public (a CSAF document labelled AMBER), or naming nothing of ours: nothing changes.
  expect(await embargoes.endOnDisclosure({ source: 'csaf:vendor-2026-1', ids: ['cve-2026-41001'], tlp: 'AMBER' })).toEqual([]);
  expect(await embargoes.endOnDisclosure({ source: 'osv:PYSEC-2026-9', ids: ['PYSEC-2026-9', 'CVE-2026-49999'] })).toEqual([]);
  expect((await store.get(r.id))!.ended).toBeUndefined();

  // An OSV record aliasing the CVE id (any case) makes it public.
  expect(await embargoes.endOnDisclosure({ source: 'osv:GHSA-aaaa-bbbb-cccc', ids: ['GHSA-aaaa-bbbb-cccc', 'cve-2026-41001'] })).toEqual([r.id]);
  const ended = await store.get(r.id);
  expect(ended).toMatchObject({ revision: 2, ended: { cause: 'public', detail: 'a public advisory names CVE-2026-41001 (osv:GHSA-aaaa-bbbb-cccc)' } });
  const doc = await store.embargoes.findOne({ _id: r.id });
  const subjects = doc!.outbox.map((e) => e.subject);
  expect(subjects).toEqual(['rampart.clearinghouse.embargo.started', 'rampart.clearinghouse.embargo.ended']);
  expect(doc!.outbox[1]!.payload).not.toContain('pkg:pypi/flask');

  // The same record imported again: nothing more.
  expect(await embargoes.endOnDisclosure({ source: 'osv:GHSA-aaaa-bbbb-cccc', ids: ['CVE-2026-41001'] })).toEqual([]);
  expect((await store.get(r.id))!.revision).toBe(2);
  expect((await store.get(other.id))!.ended).toBeUndefined();
});

it('settles at the end date on a fire, and schedules again on a fire that came before the stored end (a stale schedule)', async () => {
  const r = validReport('01970000-0000-7000-8000-0000000000a3', 'CVE-2026-41003');
  const { embargo } = await embargoes.start(r.id, { endsAt: '', vendors: [], operators: [] }, analyst);
  const rescheduled: string[] = [];
  const handler = embargoEndHandler(embargoes, (e) => Promise.resolve(void rescheduled.push(`${e.flawId}@${e.endsAt.at.toISOString()}`)));
  const fire = (at: Date) => handler({ kind: EMBARGO_END, id: timerIdOf(r.id), at, scheduledAt: new Date(), payload: { flawId: r.id, revision: 1 } }, {} as never);

  await fire(new Date());
  expect((await store.get(r.id))!.ended).toBeUndefined();
  expect(rescheduled).toEqual([`${r.id}@${embargo.endsAt.at.toISOString()}`]);

  await fire(embargo.endsAt.at);
  expect(await store.get(r.id)).toMatchObject({ revision: 2, ended: { cause: 'end-date' } });
  // Delivered again: nothing more.
  await fire(embargo.endsAt.at);
  expect((await store.get(r.id))!.revision).toBe(2);
  // A fire naming another flaw than its timer is poison, never applied.
  await expect(handler({ kind: EMBARGO_END, id: 'someone-else', at: new Date(), scheduledAt: new Date(), payload: { flawId: r.id } }, {} as never)).rejects.toThrow(/names flaw/);
});

it('names timers by subject tokens, and reads CSAF labels', () => {
  expect(timerIdOf('CVE-2026-1')).toBe('CVE-2026-1');
  expect(timerIdOf('RHSA-2024:1234')).toMatch(/^sha256-[0-9a-f]{48}$/);
  const csaf = (label?: string) => new TextEncoder().encode(JSON.stringify({ document: { distribution: label === undefined ? {} : { tlp: { label } } } }));
  expect([csafLabel(csaf('WHITE')), csafLabel(csaf('CLEAR')), csafLabel(csaf('AMBER')), csafLabel(csaf('MAUVE')), csafLabel(csaf()), csafLabel(new Uint8Array([0x7b]))]).toEqual(['CLEAR', 'CLEAR', 'AMBER', 'RED', undefined, undefined]);
});
