/**
 * Catches up on claims no writer finished (claimed-changes.ts): a crash or a timeout between a
 * change's claim and its document write leaves the claim applied nowhere, and a claim nobody reads
 * again would never publish its events; a write that timed out and landed late sets the document
 * back. Listings do not roll forward, so this sweep does: at start-up and every `intervalMs` (the
 * relay's OUTBOX_SWEEP_MS, wired by ServiceRuntime.relay), it finds the recent claims whose writer
 * never marked them settled (`{settledAt: null, claimedAt: range}`, indexed on MongoDB) and rolls
 * each one's document forward (an `_id` read of the document and of its next claim; events go to
 * the relay once). Each sweep looks back to where the last successful one left off (or further,
 * `lookbackMs`), so sweeps failing for a while leave no claim unlooked at. For collections with
 * `prune` it also prunes claims to stubs (ClaimedChanges.pruneBelow), looking once at each claim
 * as it comes of age.
 *
 * A fixed-rate path (the `_id` rule of docs/engine-costs.md allows it): on FerretDB each query scans
 * the claims collection once per interval; what it returns is the unsettled claims (crashes and
 * timeouts) and, when pruning, the claims that came of age since the last sweep.
 */
import type { Document, Filter, IndexDescription } from 'mongodb';
import { ensureIndexes } from '@rampart/store';
import type { Logger } from '@rampart/telemetry';
import { sleep } from './backoff';
import { claimedEntity, type ChangeClaim, type ClaimedChanges } from './claimed-changes';

/** The claims collection's indexes (MongoDB reads only the range asked for; FerretDB scans regardless). */
export const CLAIMS_INDEXES: (IndexDescription & { name: string })[] = [
  { key: { settledAt: 1, claimedAt: 1 }, name: 'unsettled_claimed_at' },
  { key: { claimedAt: 1 }, name: 'claimed_at' },
];

export interface ClaimsSweepOptions {
  /** The collection's claimed changes (any ClaimedChanges). */
  changes: Pick<ClaimedChanges<Document, Document>, 'collections' | 'rollForward' | 'pruneAfterMs' | 'pruneBelow'>;
  logger: Logger;
  intervalMs: number;
  /** Unsettled claims younger than this are left to their writers, whose write may be in flight (default 30 s, the longest call). */
  graceMs?: number;
  /** How far back each sweep looks for unsettled claims at least, besides back to the last successful sweep (default 10 min). */
  lookbackMs?: number;
  /** How far back the first sweep looks: what a crash or an outage left (default 24 h). */
  startupLookbackMs?: number;
}

export class ClaimsSweep {
  private readonly graceMs: number;
  private readonly lookbackMs: number;
  private readonly startupLookbackMs: number;
  private readonly stopping = new AbortController();
  private loop?: Promise<void>;
  private indexed = false;
  /** Claims up to this claim time have been looked at for pruning. */
  private prunedThrough?: Date;
  /** When the last successful sweep started: unsettled claims up to its `now - graceMs` were looked at. */
  private sweptAt?: Date;

  constructor(private readonly options: ClaimsSweepOptions) {
    this.graceMs = options.graceMs ?? 30_000;
    this.lookbackMs = options.lookbackMs ?? 10 * 60_000;
    this.startupLookbackMs = options.startupLookbackMs ?? 24 * 3_600_000;
  }

  /** Sweeps now, then every `intervalMs`, until stopped. */
  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      try {
        await this.sweep();
      } catch (error) {
        this.options.logger.warn({ err: error }, 'claims sweep failed; retrying at the next interval');
      }
      await sleep(this.options.intervalMs, this.stopping.signal);
    }
  }

  /** One sweep: rolls forward the documents of recent unsettled claims, then prunes (with `prune`). */
  async sweep(now = new Date()): Promise<void> {
    const { changes, logger } = this.options;
    const claims = changes.collections.claims;
    if (!this.indexed) {
      await ensureIndexes(claims, CLAIMS_INDEXES);
      this.indexed = true;
    }
    const since = new Date(this.sweptAt === undefined
      ? now.getTime() - this.startupLookbackMs
      : Math.min(this.sweptAt.getTime() - this.graceMs, now.getTime() - this.lookbackMs));
    const unsettled = await claims.find({ settledAt: null, claimedAt: { $gte: since, $lte: new Date(now.getTime() - this.graceMs) } } as unknown as Filter<ChangeClaim & Document>, { projection: { _id: 1 } }).toArray();
    const entities = new Set(unsettled.map((c) => claimedEntity(c._id)));
    for (const id of entities) {
      if (this.stopping.signal.aborted) return;
      try {
        await changes.rollForward(id);
      } catch (error) {
        // One document that cannot be rolled forward (a pruned claim behind it) must not stop the rest.
        logger.error({ err: error, document: id }, 'claims sweep could not roll a document forward');
      }
    }
    if (entities.size) logger.debug({ documents: entities.size }, 'claims sweep looked at documents with unsettled claims');

    const afterMs = changes.pruneAfterMs;
    const ofAge = new Date(now.getTime() - (afterMs ?? 0));
    const from = this.prunedThrough ?? new Date(ofAge.getTime() - this.startupLookbackMs);
    if (afterMs !== undefined) {
      // Each claim that came of age since the last sweep: the newest per document prunes below it.
      const aged = await claims.find({ claimedAt: { $gt: from, $lte: ofAge } }, { projection: { _id: 1, revision: 1 } }).toArray();
      const newest = new Map<string, number>();
      for (const c of aged) {
        const id = claimedEntity(c._id);
        newest.set(id, Math.max(newest.get(id) ?? 0, c.revision));
      }
      let pruned = 0;
      for (const [id, revision] of newest) {
        if (this.stopping.signal.aborted) return;
        pruned += await changes.pruneBelow(id, revision, this.stopping.signal);
      }
      if (pruned) logger.debug({ pruned }, 'claims sweep pruned claims');
    }
    if (this.stopping.signal.aborted) return;
    this.prunedThrough = ofAge;
    this.sweptAt = now;
  }
}
