/**
 * The running early-access process sweeps its read model's claims (main.ts: runtime.sweepClaims):
 * a change of `access_submissions` claimed but never written (the process died between its two
 * writes) is rolled forward at start-up, with no event or read asking for that submission.
 * Proven on real servers with the services as processes.
 */
import { claimChange, revisionsOf } from '@rampart/events';
import { waitFor } from '@rampart/testing';
import type { Document } from 'mongodb';
import { AccessHarness } from './fixtures';

const h = new AccessHarness();
/**
 * Past the sweep's grace for writes in flight (30 s) and beyond what its later, periodic passes
 * look back (10 min): only the start-up sweep (24 h back) finds the claim.
 */
const CLAIMED_AGO_MS = 60 * 60_000;

beforeAll(() => h.start(), 180_000);
afterAll(() => h.stop());

it('rolls forward, at start-up, a read-model claim a crash left unwritten', async () => {
  const id = await h.submit();
  // Early access has applied intake's event (its ack follows the write): nothing will redeliver it.
  await h.waitForAck('INTAKE_EVENTS', 'access-submissions', await h.published('INTAKE_EVENTS', 'rampart.intake.submission.received', id));
  await h.access.stop();

  const documents = h.db.collection<Document>('access_submissions');
  const stored = (await documents.findOne({ _id: id }))!;
  expect(stored).toMatchObject({ revision: 1, withdrawn: false });
  const { _id, revision, outbox: _o, ...state } = stored;
  const claims = revisionsOf(documents);
  // The first of applyOnce's two writes, as a process that died before the second left it: long ago.
  const claim = (await claimChange({ documents, claims }, id, revision as number, { state: { ...state, withdrawn: true, sourceRevision: 2 }, events: [] }))!;
  expect(claim).toBeDefined();
  await claims.updateOne({ _id: claim._id }, { $set: { claimedAt: new Date(Date.now() - CLAIMED_AGO_MS) } });

  h.access = await h.startAnotherAccess();
  await waitFor(`${id} rolled forward to revision ${claim.revision}`, async () => {
    const now = await documents.findOne({ _id: id });
    return now?.revision === claim.revision && now.withdrawn === true && now.sourceRevision === 2;
  }, 20_000, 100);
}, 120_000);
