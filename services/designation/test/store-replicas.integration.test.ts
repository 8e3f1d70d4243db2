/**
 * Designation's case store as two replicas see it: two DesignationStore instances (each its own
 * connection and DocumentLocks) on one real FerretDB. Every case change (saveCase, including
 * recompute's bookkeeping, and intake events through applyOnce) is a compare-and-set across replicas (the
 * claim of its revision): of two changes from one revision exactly one lands, none is lost, and a
 * change whose case write a crash interrupted is rolled forward by the next reader or writer with
 * its events handed to the relay once.
 */
import { randomUUID } from 'node:crypto';
import { claimChange, ConcurrentChangeError, type OutboxDocumentId, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { onSubmissionChange, type Case, type SubmissionChange } from '../src/domain/case';
import { caseEvent } from '../src/events/designation-events';
import { caseChange, DesignationStore } from '../src/store';

/** What each replica's relay was told to publish, by event id. */
class Recorder implements OutboxPublisher {
  readonly told = new Map<string, number>();
  written(_id: OutboxDocumentId, entries: readonly OutboxEntry[]): void {
    for (const e of entries) this.told.set(e.id, (this.told.get(e.id) ?? 0) + 1);
  }
}

let database: string;
let a: DesignationStore;
let b: DesignationStore;
const recorders = new Map<DesignationStore, Recorder>();
const stores: DesignationStore[] = [];

async function replica(): Promise<DesignationStore> {
  const store = await DesignationStore.open(sharedServers().mongodbUri, database);
  const recorder = new Recorder();
  store.publishWith({ cases: recorder, evidence: recorder, policies: recorder });
  recorders.set(store, recorder);
  stores.push(store);
  return store;
}

beforeAll(async () => {
  database = uniqueDatabase('designation_replicas');
  a = await replica();
  b = await replica();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
});

const facts = (id: string, revision: number) => ({ submissionId: id, organization: 'acme', revision, modelName: 'Atlas', modelVersion: String(revision) });

/** Applies an intake event through `store` as designation's consumer does, retrying a lost race as its nak would. */
async function applyIntake(store: DesignationStore, id: string, change: SubmissionChange, revision: number, eventId = randomUUID()): Promise<number> {
  for (let attempt = 1; attempt <= 50; attempt++) {
    try {
      await store.applyIntakeEvent(id, eventId, revision, (current) => {
        const changed = onSubmissionChange(current, change, facts(id, revision), { version: 1, requiredDomains: ['exploit_development'] }, new Date());
        return changed && { next: changed.next, events: [caseEvent(changed.next, ['case', changed.verb], new Date())] };
      });
      return attempt;
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError)) throw error;
    }
  }
  throw new Error(`event ${eventId} never applied`);
}

async function openCase(): Promise<Case> {
  const id = randomUUID();
  await applyIntake(a, id, 'received', 1);
  return (await a.getCase(id))!;
}

/** A change of `c` made from its revision: a new model version stands for whatever a handler changes. */
function changed(c: Case, modelVersion: string): Case {
  return { ...c, modelVersion, revision: c.revision + 1, updatedAt: new Date() };
}

it('two replicas saving a case from the same revision: exactly one lands, the other is told', async () => {
  const cases = await Promise.all(Array.from({ length: 12 }, openCase));
  const results = await Promise.all(cases.map(async (c) => {
    const [byA, byB] = await Promise.all([a.saveCase(changed(c, 'a'), c.revision, []), b.saveCase(changed(c, 'b'), c.revision, [])]);
    return { c, byA, byB };
  }));
  for (const { c, byA, byB } of results) {
    expect([byA, byB].filter(Boolean)).toHaveLength(1);
    const stored = (await b.getCase(c.id))!;
    expect([stored.revision, stored.modelVersion]).toEqual([2, byA ? 'a' : 'b']);
  }
});

it('intake events applied by two replicas at once: none is lost, each applied once', async () => {
  const cases = await Promise.all(Array.from({ length: 12 }, openCase));
  await Promise.all(cases.map(async (c) => {
    // An amendment and the later withdrawal, delivered to different replicas at the same moment.
    await Promise.all([applyIntake(a, c.id, 'amended', 2), applyIntake(b, c.id, 'withdrawn', 3)]);
    const stored = (await b.getCase(c.id))!;
    expect([stored.status, stored.submissionRevision]).toEqual(['withdrawn', 3]);
  }));
});

describe('a replica that crashed between the claim and the case write', () => {
  async function crashed<T>(fn: (store: DesignationStore) => Promise<T>): Promise<T> {
    const store = await DesignationStore.open(sharedServers().mongodbUri, database);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  it('leaves a saved case the next reader rolls forward, its event handed to the relay once', async () => {
    const c = await openCase();
    const next = changed(c, 'crashed');
    const event = caseEvent(next, ['consultation', 'lapsed'], new Date());
    // The first write of saveCase, then nothing: the process died.
    await crashed((s) => claimChange(s.caseChanges.collections, c.id, c.revision, caseChange(next, [event])));
    expect((await a.cases.findOne({ _id: c.id }))!.revision).toBe(1);

    const read = (await b.getCase(c.id))!;
    expect([read.revision, read.modelVersion]).toEqual([2, 'crashed']);
    const stored = (await a.cases.findOne({ _id: c.id }))!;
    expect([stored.revision, stored.outbox.filter((e) => e.id === event.id).length]).toEqual([2, 1]);
    expect(recorders.get(b)!.told.get(event.id)).toBe(1);

    // Read again, by either replica: nothing is rolled forward twice.
    await a.getCase(c.id);
    await b.getCase(c.id);
    expect((await a.cases.findOne({ _id: c.id }))!.outbox.filter((e) => e.id === event.id)).toHaveLength(1);
    expect((recorders.get(a)!.told.get(event.id) ?? 0) + recorders.get(b)!.told.get(event.id)!).toBe(1);
  });

  it('leaves an applied intake event that its redelivery rolls forward and does not apply again', async () => {
    const c = await openCase();
    const eventId = randomUUID();
    // A crash after the claim of an intake event's change: what applyOnce would claim, written by hand.
    const next = { ...onSubmissionChange(c, 'withdrawn', facts(c.id, 2), undefined, new Date())!.next };
    const closed = caseEvent(next, ['case', 'closed'], new Date());
    const stored = (await a.cases.findOne({ _id: c.id }))!;
    await crashed((s) => claimChange(s.caseChanges.collections, c.id, c.revision, {
      ...caseChange(next, [closed]), state: { ...caseChange(next, []).state, appliedEventIds: [...stored.appliedEventIds, eventId], sourceRevision: 2 },
    }));

    // The consumer never acked: JetStream redelivers the event.
    await applyIntake(b, c.id, 'withdrawn', 2, eventId);
    const after = (await a.cases.findOne({ _id: c.id }))!;
    expect([after.revision, after.status, after.outbox.filter((e) => e.id === closed.id).length]).toEqual([2, 'withdrawn', 1]);
    expect(recorders.get(b)!.told.get(closed.id)).toBe(1);
  });

  it('leaves a saved case the next writer rolls forward: its save from the old revision is told, its retry lands after it', async () => {
    const c = await openCase();
    await crashed((s) => claimChange(s.caseChanges.collections, c.id, c.revision, caseChange(changed(c, 'crashed'), [])));
    expect(await b.saveCase(changed(c, 'stale'), c.revision, [])).toBe(false);
    expect((await a.cases.findOne({ _id: c.id }))!.revision).toBe(2);
    const reread = (await b.getCase(c.id))!;
    expect(await b.saveCase(changed(reread, 'retried'), reread.revision, [])).toBe(true);
    expect(((await a.getCase(c.id))!).modelVersion).toBe('retried');
  });
});
