/**
 * Early access's read model (`access_submissions`, `access_assessments`, written from intake's and
 * designation's events through applyOnce) as two replicas see it, on one real FerretDB. Each change
 * is claimed in `<collection>_revisions` before its `_id`-only write, so:
 * - a read after another replica's late write set the document back (an older whole state landing
 *   after a newer one) returns the newest claimed state: a withdrawal stays visible;
 * - the claims sweep the service runs for the collection (found by ClaimedChanges.of, as the
 *   runtime finds it) rolls forward a change a crash left unwritten, and prunes old claims (each a
 *   whole state copy per event) to stubs.
 */
import { randomUUID } from 'node:crypto';
import { claimChange, ClaimedChanges, ClaimsSweep, type ChangeClaim } from '@rampart/events';
import { createLogger } from '@rampart/telemetry';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import type { Collection, Document } from 'mongodb';
import type { ReleasedAssessment, SubmissionFacts } from '../src/domain/model';
import { EarlyAccessStore } from '../src/store';

const DAY = 86_400_000;
const MINUTE = 60_000;
const logger = createLogger('read-model-claims-test', 'silent');

let database: string;
let a: EarlyAccessStore;
let b: EarlyAccessStore;

beforeAll(async () => {
  database = uniqueDatabase('access_read_model');
  a = await EarlyAccessStore.open(sharedServers().mongodbUri, database);
  b = await EarlyAccessStore.open(sharedServers().mongodbUri, database);
});

afterAll(async () => {
  await a?.database.dropDatabase();
  await Promise.all([a?.close(), b?.close()]);
});

function facts(submissionId: string, revision: number, withdrawn = false): SubmissionFacts {
  const now = Date.now();
  return { submissionId, organization: 'acme', modelName: 'Atlas', modelVersion: String(revision), revision, withdrawn, partnerReleaseAt: new Date(now + 20 * DAY), publicReleaseAt: new Date(now + 40 * DAY) };
}

function assessment(caseId: string, outcome: ReleasedAssessment['outcome']): ReleasedAssessment {
  return { caseId, organization: 'acme', outcome, effectiveAt: new Date(), releasedAt: new Date() };
}

/** A late write: the whole document as it was, landing again over what was written since. */
async function setBack<D extends Document>(collection: Collection<D>, id: string, run: () => Promise<unknown>): Promise<void> {
  const before = (await collection.findOne({ _id: id } as Document))!;
  await run();
  await collection.replaceOne({ _id: id } as Document, before);
}

/** The sweep the service runs for `collection`: the one its ClaimedChanges (on the same collection object) gets. */
function sweepOf(collection: object): ClaimsSweep {
  const changes = ClaimedChanges.of(collection);
  expect(changes).toBeDefined();
  return new ClaimsSweep({ changes: changes!, logger, intervalMs: 3_600_000 });
}

describe('a read after a late write set the document back returns the newest claimed state', () => {
  it('a submission withdrawn on one replica stays withdrawn after the other replica\'s late write of the older state', async () => {
    const id = randomUUID();
    expect((await a.applySubmission(randomUUID(), facts(id, 1))).outcome).toBe('applied');
    expect((await a.applySubmission(randomUUID(), facts(id, 2))).outcome).toBe('applied');
    await setBack(a.submissions, id, () => b.applySubmission(randomUUID(), facts(id, 3, true)));
    expect((await a.submissions.findOne({ _id: id }))!.withdrawn).toBe(false);

    const read = (await a.getSubmission(id))!;
    expect([read.withdrawn, read.revision, read.modelVersion]).toEqual([true, 3, '3']);
    // Rolled forward in place, not only in the answer.
    expect((await b.submissions.findOne({ _id: id }))!.withdrawn).toBe(true);
  });

  it('an assessment released again as not covered is not read back as covered', async () => {
    const id = randomUUID();
    expect((await a.applyAssessment(randomUUID(), 3, assessment(id, 'covered'))).outcome).toBe('applied');
    expect((await a.applyAssessment(randomUUID(), 4, assessment(id, 'covered'))).outcome).toBe('applied');
    await setBack(a.assessments, id, () => b.applyAssessment(randomUUID(), 6, assessment(id, 'not_covered')));
    expect((await a.assessments.findOne({ _id: id }))!.outcome).toBe('covered');

    expect((await b.getAssessment(id))!.outcome).toBe('not_covered');
  });
});

describe('the claims sweep of the read model', () => {
  it('rolls forward a submission change whose document write a crash interrupted', async () => {
    const id = randomUUID();
    await a.applySubmission(randomUUID(), facts(id, 1));
    await a.applySubmission(randomUUID(), facts(id, 2));
    const stored = (await a.submissions.findOne({ _id: id }))!;
    const { _id, revision: _r, outbox: _o, ...state } = stored;
    const changes = ClaimedChanges.of(a.submissions)!;
    expect(changes).toBeDefined();
    // The claim of applySubmission, then nothing: the process died.
    await claimChange(changes.collections, id, stored.revision, { state: { ...state, withdrawn: true, sourceRevision: 3 }, events: [] });
    expect((await a.submissions.findOne({ _id: id }))!.withdrawn).toBe(false);

    // Past the sweep's grace for writes in flight.
    await sweepOf(b.submissions).sweep(new Date(Date.now() + MINUTE));
    expect((await a.submissions.findOne({ _id: id }))!).toMatchObject({ withdrawn: true, sourceRevision: 3, revision: stored.revision + 1 });
  });

  it('prunes old claims of submissions and assessments to stubs, keeping the newest', async () => {
    const submission = randomUUID();
    for (let revision = 1; revision <= 5; revision++) await a.applySubmission(randomUUID(), facts(submission, revision));
    const caseId = randomUUID();
    for (let revision = 1; revision <= 5; revision++) await a.applyAssessment(randomUUID(), revision, assessment(caseId, 'covered'));

    // Once every claim is older than the prune age.
    const later = new Date(Date.now() + 11 * MINUTE);
    await sweepOf(a.submissions).sweep(later);
    await sweepOf(a.assessments).sweep(later);

    for (const [collection, id] of [[a.submissions, submission], [a.assessments, caseId]] as const) {
      const claims = await collection.db.collection<ChangeClaim & Document>(`${collection.collectionName}_revisions`)
        .find({ _id: { $in: [2, 3, 4, 5].map((r) => `${id}:${String(r).padStart(6, '0')}`) } }).sort({ _id: 1 }).toArray();
      expect(claims.map((c) => [c.revision, c.pruned ?? false, c.state !== undefined])).toEqual([[2, true, false], [3, true, false], [4, false, true], [5, false, true]]);
    }
    // The documents read as they were.
    expect((await b.getSubmission(submission))!.revision).toBe(5);
    expect((await b.getAssessment(caseId))!.outcome).toBe('covered');
  });
});
