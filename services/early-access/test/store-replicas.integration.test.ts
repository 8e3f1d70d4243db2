/**
 * Early access's programs, nominations and grants as two replicas see them: two EarlyAccessStore
 * instances (each its own connection and DocumentLocks) on one real FerretDB. A change of an
 * existing program, nomination or grant is a compare-and-set across replicas on every engine (the
 * claim of its revision): of two changes from one revision exactly one lands with its events, none
 * is lost when the loser retries from the new state, and a change whose document write a crash
 * interrupted is rolled forward by the next reader or writer, its events handed to the relay once.
 */
import { randomUUID } from 'node:crypto';
import { claimChange, type OutboxDocumentId, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { endGrant, revokeCredential, type Grant } from '../src/domain/grants';
import { approve, nominate, remove, type PartnerNomination } from '../src/domain/partners';
import { closeIfPublicReleased, type AccessProgram } from '../src/domain/program';
import { grantEvent, nominationEvent, programEvent } from '../src/events/access-events';
import { EarlyAccessStore, grantChange, nominationChange, nominationKey, programChange } from '../src/store';

const DAY = 86_400_000;

/** What each replica's relays were told to publish, by event id. */
class Recorder implements OutboxPublisher {
  readonly told = new Map<string, number>();
  written(_id: OutboxDocumentId, entries: readonly OutboxEntry[]): void {
    for (const e of entries) this.told.set(e.id, (this.told.get(e.id) ?? 0) + 1);
  }
}

let database: string;
let a: EarlyAccessStore;
let b: EarlyAccessStore;
const recorders = new Map<EarlyAccessStore, Recorder>();
const stores: EarlyAccessStore[] = [];

async function replica(): Promise<EarlyAccessStore> {
  const store = await EarlyAccessStore.open(sharedServers().mongodbUri, database);
  const recorder = new Recorder();
  store.publishWith({ programs: recorder, nominations: recorder, grants: recorder, log: recorder });
  recorders.set(store, recorder);
  stores.push(store);
  return store;
}

const told = (id: string) => (recorders.get(a)!.told.get(id) ?? 0) + (recorders.get(b)!.told.get(id) ?? 0);

beforeAll(async () => {
  database = uniqueDatabase('access_replicas');
  a = await replica();
  b = await replica();
});

afterAll(async () => {
  await a?.database.dropDatabase();
  await Promise.all(stores.map((s) => s.close()));
});

async function openedProgram(): Promise<AccessProgram> {
  const now = Date.now();
  const p: AccessProgram = {
    id: randomUUID(), organization: 'acme', modelName: 'Atlas', modelVersion: '1', submissionRevision: 1, status: 'open',
    requestedStartAt: new Date(now + DAY),
    window: { governmentStartAt: new Date(now + DAY), governmentEndAt: new Date(now + 20 * DAY), partnerReleaseAt: new Date(now + 20 * DAY), publicReleaseAt: new Date(now + 40 * DAY), publicReleaseRecorded: false },
    requiredAgreements: ['confidentiality'], openedBy: 'dev@acme', openedAt: new Date(now), revision: 1, updatedAt: new Date(now),
  };
  await a.insertProgram(p, [programEvent(p, ['program', 'opened'], new Date())]);
  return p;
}

async function issuedGrant(): Promise<Grant> {
  const now = Date.now();
  const g: Grant = {
    id: randomUUID(), programId: randomUUID(), organization: 'acme', principal: 'eve@cisa', principalOrganization: 'cisa', principalKind: 'government',
    scopes: ['inference'], purpose: 'red teaming', notBefore: new Date(now), notAfter: new Date(now + 10 * DAY), status: 'active',
    issuedBy: 'officer@ostp', issuedAt: new Date(now), revokedCredentials: [], revision: 1, updatedAt: new Date(now),
  };
  expect(await a.insertGrant(g, [grantEvent(g, 'issued', new Date())])).toBe(true);
  return g;
}

async function selectedNomination(): Promise<PartnerNomination> {
  const programId = randomUUID();
  const nominated = nominate(undefined, { programId, developerOrganization: 'acme', partnerOrganization: 'redteam', governmentOrganization: false, side: 'developer', actor: 'dev@acme', reason: 'experts', now: new Date() });
  expect(await a.saveNomination(nominated.next, 0, [])).toBe(true);
  const approved = approve(nominated.next, 'government', 'officer@ostp', new Date())!;
  expect(await a.saveNomination(approved.next, nominated.next.revision, [])).toBe(true);
  return approved.next;
}

describe('two replicas changing one entity from the same revision: exactly one lands, with its events', () => {
  it('programs', async () => {
    const programs = await Promise.all(Array.from({ length: 12 }, openedProgram));
    await Promise.all(programs.map(async (p) => {
      const at = new Date(p.window.publicReleaseAt.getTime() + 1);
      const byA = { ...closeIfPublicReleased(p, at)!, modelVersion: 'a' };
      const byB = { ...closeIfPublicReleased(p, at)!, modelVersion: 'b' };
      const [eventA, eventB] = [programEvent(byA, ['program', 'closed'], at), programEvent(byB, ['program', 'closed'], at)];
      const [wonA, wonB] = await Promise.all([a.saveProgram(byA, p.revision, [eventA]), b.saveProgram(byB, p.revision, [eventB])]);
      expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
      const stored = (await b.getProgram(p.id))!;
      expect([stored.revision, stored.status, stored.modelVersion]).toEqual([2, 'closed', wonA ? 'a' : 'b']);
      const outbox = (await a.programs.findOne({ _id: p.id }))!.outbox.map((e) => e.id);
      expect(outbox).toContain((wonA ? eventA : eventB).id);
      expect(outbox).not.toContain((wonA ? eventB : eventA).id);
      // The loser's event never goes out. The winner's is handed to a relay, possibly by both
      // replicas (the loser rolls the document forward when it finds the claim before the winner's
      // write): JetStream's duplicate window stores it once.
      expect(told((wonA ? eventB : eventA).id)).toBe(0);
      expect(told((wonA ? eventA : eventB).id)).toBeGreaterThanOrEqual(1);
    }));
  });

  it('grants', async () => {
    const grants = await Promise.all(Array.from({ length: 12 }, issuedGrant));
    await Promise.all(grants.map(async (g) => {
      const at = new Date();
      const byA = endGrant(g, 'revoked', 'officer@ostp', 'by a', at)!;
      const byB = endGrant(g, 'expired', 'early-access', 'by b', at)!;
      const [wonA, wonB] = await Promise.all([a.saveGrant(byA, g.revision, [grantEvent(byA, 'revoked', at)]), b.saveGrant(byB, g.revision, [grantEvent(byB, 'expired', at)])]);
      expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
      const stored = (await b.getGrant(g.id))!;
      expect([stored.revision, stored.status, stored.reason]).toEqual([2, wonA ? 'revoked' : 'expired', wonA ? 'by a' : 'by b']);
    }));
  });

  it('nominations', async () => {
    const nominations = await Promise.all(Array.from({ length: 12 }, selectedNomination));
    await Promise.all(nominations.map(async (n) => {
      const byA = remove(n, 'developer', 'dev@acme', 'by a', new Date());
      const byB = remove(n, 'government', 'officer@ostp', 'by b', new Date());
      const [wonA, wonB] = await Promise.all([
        a.saveNomination(byA.next, n.revision, [nominationEvent(byA.next, 'removed', new Date())]),
        b.saveNomination(byB.next, n.revision, [nominationEvent(byB.next, 'removed', new Date())]),
      ]);
      expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
      const stored = (await b.getNomination(n.programId, n.partnerOrganization))!;
      expect([stored.revision, stored.status, stored.reason]).toEqual([n.revision + 1, 'removed', wonA ? 'by a' : 'by b']);
    }));
  });
});

it('two replicas revoking different credentials of one grant at once, retrying a lost race: none is lost', async () => {
  const grants = await Promise.all(Array.from({ length: 8 }, issuedGrant));
  /** What RevokeCredential does: read, change, save from the revision read, again while it loses. */
  async function revoke(store: EarlyAccessStore, grantId: string, credentialId: string): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const g = (await store.getGrant(grantId))!;
      const next = revokeCredential(g, credentialId, new Date());
      if (!next || (await store.saveGrant(next, g.revision, []))) return;
    }
    throw new Error(`credential ${credentialId} never revoked`);
  }
  await Promise.all(grants.map(async (g) => {
    const credentials = Array.from({ length: 3 }, () => randomUUID());
    await Promise.all(credentials.flatMap((c) => [revoke(a, g.id, c), revoke(b, g.id, c)]));
    const stored = (await a.getGrant(g.id))!;
    expect(stored.revokedCredentials.map((c) => c.id).sort()).toEqual([...credentials].sort());
    expect(stored.revision).toBe(1 + credentials.length);
  }));
});

describe('a replica that crashed between the claim and the document write', () => {
  async function crashed<T>(fn: (store: EarlyAccessStore) => Promise<T>): Promise<T> {
    const store = await EarlyAccessStore.open(sharedServers().mongodbUri, database);
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  }

  it('leaves a closed program the next reader rolls forward, its event handed to the relay once', async () => {
    const p = await openedProgram();
    const at = new Date(p.window.publicReleaseAt.getTime() + 1);
    const next = closeIfPublicReleased(p, at)!;
    const event = programEvent(next, ['program', 'closed'], at);
    // The first write of saveProgram, then nothing: the process died.
    await crashed((s) => claimChange(s.programChanges.collections, p.id, p.revision, programChange(next, [event])));
    expect((await a.programs.findOne({ _id: p.id }))!.revision).toBe(1);

    const read = (await b.getProgram(p.id))!;
    expect([read.revision, read.status, read.closeReason]).toEqual([2, 'closed', 'public_release']);
    expect((await a.programs.findOne({ _id: p.id }))!.outbox.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(recorders.get(b)!.told.get(event.id)).toBe(1);

    // Read again, by either replica: nothing is rolled forward twice.
    await a.getProgram(p.id);
    await b.getProgram(p.id);
    expect((await a.programs.findOne({ _id: p.id }))!.outbox.filter((e) => e.id === event.id)).toHaveLength(1);
    expect(told(event.id)).toBe(1);
  });

  it('leaves a revoked grant the next writer rolls forward: its save from the old revision is told, its retry lands after it', async () => {
    const g = await issuedGrant();
    const credential = randomUUID();
    await crashed((s) => claimChange(s.grantChanges.collections, g.id, g.revision, grantChange(revokeCredential(g, credential, new Date())!, [])));
    const stale = endGrant(g, 'revoked', 'officer@ostp', 'stale', new Date())!;
    expect(await b.saveGrant(stale, g.revision, [])).toBe(false);
    expect((await a.grants.findOne({ _id: g.id }))!.revision).toBe(2);
    const reread = (await b.getGrant(g.id))!;
    expect(reread.revokedCredentials.map((c) => c.id)).toEqual([credential]);
    expect(await b.saveGrant(endGrant(reread, 'revoked', 'officer@ostp', 'retried', new Date())!, reread.revision, [])).toBe(true);
    const stored = (await a.getGrant(g.id))!;
    expect([stored.revision, stored.status, stored.reason, stored.revokedCredentials.length]).toEqual([3, 'revoked', 'retried', 1]);
  });

  it('leaves a removed nomination the next reader rolls forward, with the fields a change removes gone', async () => {
    const n = await selectedNomination();
    const removed = remove(n, 'developer', 'dev@acme', 'gone', new Date()).next;
    expect(await a.saveNomination(removed, n.revision, [])).toBe(true);
    // Nominated again (no closedBy any more), and the process died after the claim.
    const again = nominate(removed, { programId: n.programId, developerOrganization: 'acme', partnerOrganization: n.partnerOrganization, governmentOrganization: false, side: 'government', actor: 'officer@ostp', reason: 'back', now: new Date() }).next;
    const event = nominationEvent(again, 'nominated', new Date());
    await crashed((s) => claimChange(s.nominationChanges.collections, nominationKey(n.programId, n.partnerOrganization), removed.revision, nominationChange(again, [event])));

    const read = (await b.getNomination(n.programId, n.partnerOrganization))!;
    expect([read.revision, read.status, read.reason, read.closedBy]).toEqual([removed.revision + 1, 'nominated', 'back', undefined]);
    expect(recorders.get(b)!.told.get(event.id)).toBe(1);
  });
});
