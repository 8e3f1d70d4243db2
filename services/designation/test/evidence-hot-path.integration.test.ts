/**
 * Recording an evidence item is a hot path (every upload and suite result): on FerretDB anything
 * but `_id` equality scans the collection (docs/engine-costs.md), so every read it makes of the
 * evidence, the case, its claims and the policy is by `_id`, whatever the case holds. Checked on
 * the commands the driver sends to the real FerretDB, and the determination still counts every
 * item. Nor does what it writes or how many commands it sends grow with the case: the case (and
 * each claim of it) stays small with 2,000 items, and a sequence is found in a few reads however
 * stale the caller's count of items.
 */
import { BSON, type CommandStartedEvent, type Document } from 'mongodb';
import { v7 as uuidv7 } from 'uuid';
import { sharedServers, uniqueDatabase } from '@rampart/testing';
import { onSubmissionChange } from '../src/domain/case';
import type { Evidence } from '../src/domain/evidence';
import { MAX_BASIS } from '../src/domain/policy';
import { recordEvidence } from '../src/recompute';
import { DesignationStore } from '../src/store';

let store: DesignationStore;
const commands: CommandStartedEvent[] = [];
// The claims too: a claim read by anything but `_id` would scan every case's revisions.
const COLLECTIONS = ['designation_evidence', 'designation_cases', 'designation_case_revisions', 'designation_policies'];
const database = uniqueDatabase('designation-hot');
const monitoredUri = () => {
  const uri = sharedServers().mongodbUri;
  return `${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`;
};

beforeAll(async () => {
  store = await DesignationStore.open(monitoredUri(), database);
  store.evidence.client.on('commandStarted', (event) => commands.push(event));
  const policy = { version: 1, rules: [{ domain: 'exploit_development' as const, atOrAbove: [{ metric: 'solve_rate', comparison: 'gte' as const, value: 0.9 }], cannotRuleOut: [] }], requiredDomains: ['exploit_development' as const], createdBy: 'admin@nsa', createdAt: new Date() };
  await store.insertPolicy(policy, []);
}, 60_000);
afterAll(() => store?.close());

function suiteResult(caseId: string, value: number): Evidence {
  return {
    id: uuidv7(), caseId, kind: 'suite_result', domains: ['exploit_development'], countedMetrics: ['solve_rate'],
    metrics: [{ scorer: 'Cybench', name: 'solve_rate', value }], suiteName: 'Cybench', suiteVersion: '2.1', totalSamples: 40,
    sha256: '0'.repeat(64), sizeBytes: 100, marking: 'SECRET', recordedBy: 'evaluator@nsa', recordedAt: new Date(),
  };
}

async function openCase(): Promise<string> {
  const id = uuidv7();
  const facts = { submissionId: id, organization: 'acme', revision: 1, modelName: 'Atlas', modelVersion: '5' };
  await store.applyIntakeEvent(id, uuidv7(), 1, (current) => {
    const change = onSubmissionChange(current, 'received', facts, { version: 1, requiredDomains: ['exploit_development'] }, new Date());
    return change && { next: change.next, events: [] };
  });
  return id;
}

it('tells the relay a case it opened was created (no read of its outbox needed), and a change of it was not', async () => {
  const told: { id: unknown; created: boolean }[] = [];
  const recorder = { written: (id: unknown, _entries: unknown, options?: { created?: boolean }) => told.push({ id, created: options?.created === true }) };
  const local = await DesignationStore.open(sharedServers().mongodbUri, database);
  try {
    local.publishWith({ cases: recorder, evidence: recorder, policies: recorder });
    const id = uuidv7();
    const facts = { submissionId: id, organization: 'acme', revision: 1, modelName: 'Atlas', modelVersion: '5' };
    for (const [change, revision] of [['received', 1], ['withdrawn', 2]] as const) {
      await local.applyIntakeEvent(id, uuidv7(), revision, (current) => {
        const next = onSubmissionChange(current, change, { ...facts, revision }, undefined, new Date());
        return next && { next: next.next, events: [] };
      });
    }
    expect(told).toEqual([{ id, created: true }, { id, created: false }]);
  } finally {
    await local.close();
  }
});

/** The filter of a read, or of each statement of a write; undefined for an insert. */
function filtersOf(event: CommandStartedEvent): Document[] {
  const c = event.command;
  if (c.find !== undefined) return [c.filter as Document ?? {}];
  if (c.update !== undefined) return (c.updates as { q: Document }[]).map((u) => u.q);
  if (c.delete !== undefined) return (c.deletes as { q: Document }[]).map((d) => d.q);
  if (c.count !== undefined || c.aggregate !== undefined || c.distinct !== undefined) return [{ scan: event.commandName }];
  return [];
}

/** A filter that is `_id` equality and nothing else (the one lookup every engine does by index). */
const byIdOnly = (filter: Document) => Object.keys(filter).length >= 1 && Object.keys(filter)[0] === '_id' && typeof filter._id !== 'object';

/** The commands `run` sends to designation's collections that are not `_id`-only (a case's own write aside). */
async function scansDuring(run: () => Promise<unknown>): Promise<string[]> {
  commands.splice(0);
  await run();
  const mine = commands.filter((c) => COLLECTIONS.includes(String(c.command[c.commandName] as string)));
  const reads = mine.filter((c) => c.commandName !== 'insert' && !(c.commandName === 'update' && c.command.update === 'designation_cases'));
  expect(reads.length).toBeGreaterThan(0);
  return reads.flatMap((c) => filtersOf(c).filter((f) => !byIdOnly(f)).map((f) => `${c.commandName} ${String(c.command[c.commandName] as string)} ${JSON.stringify(f)}`));
}

it("records a new case's first evidence item by _id only", async () => {
  const caseId = await openCase();
  expect(await scansDuring(() => recordEvidence({ store, now: () => new Date() }, suiteResult(caseId, 0.95), []))).toEqual([]);
  expect((await store.getCase(caseId))?.determinations[0]).toMatchObject({ level: 'at_or_above', policyVersion: 1 });
});

/** Stores `count` items on the case as the service stores them (each the case's next), 100 at a time. */
async function storeItems(caseId: string, count: number, value: (i: number) => number): Promise<void> {
  for (let i = 0; i < count; i += 100) await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => store.insertEvidence(suiteResult(caseId, value(i + j)), [], i + j)));
}

/** The stored case, outbox and all, and every claim of it: their sizes in bytes, as BSON. */
async function storedSizes(caseId: string): Promise<{ caseBytes: number; claimBytes: number[] }> {
  const doc = await store.cases.findOne({ _id: caseId });
  const claims = await store.cases.db.collection('designation_case_revisions').find({ _id: { $regex: `^${caseId}:` } } as Document).toArray();
  expect(claims.length).toBeGreaterThan(0);
  return { caseBytes: BSON.calculateObjectSize(doc!), claimBytes: claims.map((c) => BSON.calculateObjectSize(c)) };
}

describe('a case with 2,000 items', () => {
  let caseId: string;
  const BOUND = 32 * 1024;

  beforeAll(async () => {
    caseId = await openCase();
    // 2,000 items below the threshold (0.9), the nearest of them 0.85.
    await storeItems(caseId, 2_000, (i) => 0.85 - (i % 1_000) / 2_000);
  }, 240_000);

  it('keeps the case and its claims small, records by _id only, and still decides on the decisive item', async () => {
    // One item recorded catches the case up on the 2,000 before it (the one path that reads them all).
    await recordEvidence({ store, now: () => new Date() }, suiteResult(caseId, 0.2), []);
    const caught = (await store.getCase(caseId))!.determinations[0]!;
    expect(caught).toMatchObject({ level: 'below', policyVersion: 1, omittedBasis: 2_001 - MAX_BASIS });
    // The closest calls: 0.85 (twice), then the next highest.
    expect(caught.basis.map((b) => b.value).slice(0, 3)).toEqual([0.85, 0.85, 0.85 - 1 / 2_000]);
    expect(caught.basis[0]).toMatchObject({ metric: 'solve_rate', comparison: 'gte', threshold: 0.9, level: 'below' });

    // The next one, by _id only, and nothing stored grew with the case.
    expect(await scansDuring(() => recordEvidence({ store, now: () => new Date() }, suiteResult(caseId, 0.3), []))).toEqual([]);
    const { caseBytes, claimBytes } = await storedSizes(caseId);
    expect(caseBytes).toBeLessThan(BOUND);
    expect(Math.max(...claimBytes)).toBeLessThan(BOUND);
    expect((await store.getCase(caseId))!.determinations[0]).toMatchObject({ level: 'below', omittedBasis: 2_002 - MAX_BASIS });

    const decisive = suiteResult(caseId, 0.95);
    expect(await scansDuring(() => recordEvidence({ store, now: () => new Date() }, decisive, []))).toEqual([]);
    const c = await store.getCase(caseId);
    expect(c?.determinations).toHaveLength(1);
    expect(c?.determinations[0]).toMatchObject({ level: 'at_or_above', policyVersion: 1, omittedBasis: 0 });
    expect(c?.determinations[0]?.basis.map((b) => b.evidenceId)).toEqual([decisive.id]);
  }, 120_000);

  it('finds the next sequence in a few _id reads when the count it starts from is stale or missing', async () => {
    // Other replicas (or this one restarted): they know nothing of the case's 2,003 items.
    const replicas = await Promise.all([DesignationStore.open(monitoredUri(), database), DesignationStore.open(monitoredUri(), database)]);
    try {
      /** The evidence commands a replica sends to store one item after `after`: all by `_id`, and how many. */
      const insertOn = async (replica: DesignationStore, after: number | undefined) => {
        const sent: CommandStartedEvent[] = [];
        const listener = (event: CommandStartedEvent) => sent.push(event);
        replica.evidence.client.on('commandStarted', listener);
        const sequence = await replica.insertEvidence(suiteResult(caseId, 0.1), [], after);
        replica.evidence.client.off('commandStarted', listener);
        const mine = sent.filter((c) => c.command[c.commandName] === 'designation_evidence');
        expect(mine.flatMap(filtersOf).filter((f) => !byIdOnly(f))).toEqual([]);
        return { sequence, commands: mine.length };
      };
      // No count (a case never evaluated under a policy), and a stale one (read before a long upload).
      const missing = await insertOn(replicas[0], undefined);
      expect(missing.sequence).toBe(2_004);
      expect(missing.commands).toBeLessThanOrEqual(30);
      const stale = await insertOn(replicas[1], 1_000);
      expect(stale.sequence).toBe(2_005);
      expect(stale.commands).toBeLessThanOrEqual(30);
      // Once a replica knows where the case is, its next item is one insert.
      expect(await insertOn(replicas[1], 0)).toEqual({ sequence: 2_006, commands: 1 });
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
    }
  }, 120_000);
});
