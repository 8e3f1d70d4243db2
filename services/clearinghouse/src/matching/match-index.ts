/**
 * The match index, `_id` reads and writes only (docs/engine-costs.md), written by ONE writer: the
 * matching consumer runs one event at a time across replicas (max_ack_pending 1; see wiring.ts),
 * so whole-document rewrites cannot lose each other's changes on any engine.
 * - `clearinghouse_match_keys`: `_id` a match key (purl identity, or `cpe:` key): the inventory
 *   entries holding it, each with its operator and asset, and the open flaws naming it;
 * - `clearinghouse_match_flaws`: `_id` a vulnerability id: the keys it is indexed under, so a
 *   regroup that drops a package takes the flaw off that key.
 */
import type { Collection, Db } from 'mongodb';

export interface IndexedComponent {
  operatorId: string;
  assetId: string;
  purl?: string;
  version?: string;
  bomRef?: string;
}

export interface MatchKeyDocument {
  _id: string;
  components: IndexedComponent[];
  vulnerabilities: string[];
}

export interface MatchFlawDocument {
  _id: string;
  keys: string[];
}

export class MatchIndex {
  private constructor(readonly keys: Collection<MatchKeyDocument>, readonly flaws: Collection<MatchFlawDocument>) {}

  static open(db: Db): MatchIndex {
    return new MatchIndex(db.collection<MatchKeyDocument>('clearinghouse_match_keys'), db.collection<MatchFlawDocument>('clearinghouse_match_flaws'));
  }

  async key(key: string): Promise<MatchKeyDocument> {
    return (await this.keys.findOne({ _id: key })) ?? { _id: key, components: [], vulnerabilities: [] };
  }

  async writeKey(doc: MatchKeyDocument): Promise<void> {
    if (doc.components.length === 0 && doc.vulnerabilities.length === 0) await this.keys.deleteOne({ _id: doc._id });
    else await this.keys.replaceOne({ _id: doc._id }, { components: doc.components, vulnerabilities: doc.vulnerabilities }, { upsert: true });
  }

  async keysOf(vulnerabilityId: string): Promise<string[]> {
    return (await this.flaws.findOne({ _id: vulnerabilityId }))?.keys ?? [];
  }

  async writeKeysOf(vulnerabilityId: string, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) await this.flaws.deleteOne({ _id: vulnerabilityId });
    else await this.flaws.replaceOne({ _id: vulnerabilityId }, { keys: [...keys] }, { upsert: true });
  }
}

export interface MatchAssetDocument {
  _id: string;
  keys: string[];
}

/** The keys each asset is indexed under (`_id` `<operator>:<asset>`), so a new SBOM takes the asset off keys it no longer has. */
export class AssetKeys {
  private constructor(readonly assets: Collection<MatchAssetDocument>) {}

  static open(db: Db): AssetKeys {
    return new AssetKeys(db.collection<MatchAssetDocument>('clearinghouse_match_assets'));
  }

  async of(id: string): Promise<string[]> {
    return (await this.assets.findOne({ _id: id }))?.keys ?? [];
  }

  async write(id: string, keys: readonly string[]): Promise<void> {
    await this.assets.replaceOne({ _id: id }, { keys: [...keys] }, { upsert: true });
  }
}
