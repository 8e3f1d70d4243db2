/**
 * Operators and their assets, `_id` reads and writes only (docs/engine-costs.md):
 * - `clearinghouse_operators`: one per operator, `_id` its organisation (the insert is the
 *   registration's compare-and-set), with the webhook endpoints' signing secrets (never returned
 *   after registration);
 * - `clearinghouse_assets`: one per asset, `_id` `<operator>:<asset>`, holding its current
 *   components and the `inventory.changed` events still to publish (outbox); each replacement is
 *   claimed by revision (`clearinghouse_assets_revisions`), so two uploads at once cannot interleave;
 * - `clearinghouse_operator_assets`: the assets of each operator (SequencedSet: replicas adding at
 *   once lose none), for listing without a scan.
 */
import type { Collection, Db } from 'mongodb';
import { ClaimedChanges, DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, revisionsOf, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, SequencedSet, type SequencedMemberDocument } from '@rampart/store';
import type { Inventory } from '../domain/inventory';
import type { OperatorProfile } from '../domain/notifications';

export interface OperatorDocument extends OperatorProfile {
  _id: string;
  revision: number;
  createdAt: Date;
  /** Endpoint id -> signing secret (Standard Webhooks). */
  webhookSecrets: Record<string, string>;
}

export interface AssetState {
  operatorId: string;
  assetId: string;
  name: string;
  inventory: Inventory;
  sbomSha256: string;
  updatedAt: Date;
}

export interface AssetDocument extends OutboxDocument, AssetState {
  _id: string;
  revision: number;
}

export const assetKey = (operatorId: string, assetId: string) => `${operatorId}:${assetId}`;

/** Assets one operator may register. */
export const MAX_ASSETS_PER_OPERATOR = 5_000;

export class OperatorStore {
  readonly locks = new DocumentLocks();
  private publisher: OutboxPublisher = SWEEP_ONLY;
  readonly assetChanges: ClaimedChanges<AssetDocument>;
  private readonly assetIndex: SequencedSet;

  private constructor(readonly operators: Collection<OperatorDocument>, readonly assets: Collection<AssetDocument>, assetIndex: Collection<SequencedMemberDocument>) {
    this.assetChanges = new ClaimedChanges({ documents: assets, claims: revisionsOf(assets), locks: this.locks, publisher: () => this.publisher, prune: true });
    this.assetIndex = new SequencedSet(assetIndex, MAX_ASSETS_PER_OPERATOR);
  }

  static async open(db: Db): Promise<OperatorStore> {
    const assets = db.collection<AssetDocument>('clearinghouse_assets');
    await ensureIndexes(assets, [OUTBOX_PENDING_INDEX]);
    return new OperatorStore(db.collection<OperatorDocument>('clearinghouse_operators'), assets, db.collection<SequencedMemberDocument>('clearinghouse_operator_assets'));
  }

  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /** Registers an operator; false when its organisation registered already. */
  async register(doc: OperatorDocument): Promise<boolean> {
    try {
      await this.operators.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async operator(id: string): Promise<OperatorDocument | undefined> {
    return (await this.operators.findOne({ _id: id })) ?? undefined;
  }

  async asset(operatorId: string, assetId: string): Promise<AssetDocument | undefined> {
    return (await this.assetChanges.read<AssetDocument>(assetKey(operatorId, assetId), { outbox: 0 })) ?? undefined;
  }

  assetIds(operatorId: string): Promise<string[]> {
    return this.assetIndex.members(operatorId);
  }

  /**
   * Stores the asset's new components with their event, made from `previous` (undefined: a new asset);
   * false when another writer changed it first (read again and retry).
   */
  async saveAsset(previous: AssetDocument | undefined, state: AssetState, events: (revision: number) => OutboxEntry[]): Promise<boolean> {
    const id = assetKey(state.operatorId, state.assetId);
    if (!previous) {
      await this.assetIndex.add(state.operatorId, state.assetId); // before the asset: a listed id may lack its asset, never the reverse
      const entries = events(1);
      try {
        await this.assets.insertOne({ _id: id, revision: 1, ...state, ...initialOutbox(entries) });
      } catch (error) {
        if (isDuplicateKeyError(error)) return false;
        throw error;
      }
      this.publisher.written(id, entries, { created: true });
      return true;
    }
    return this.assetChanges.commit(id, previous.revision, { state: { ...state }, events: events(previous.revision + 1) });
  }
}
