/**
 * Where each operator's assets stand on each flaw it was notified of: `clearinghouse_remediations`,
 * `_id` `<operator>|<vulnerability>|<asset>`, the operator's latest word (only that operator writes
 * it, so a whole-document replace loses nothing but its own older word).
 */
import type { Collection, Db } from 'mongodb';
import type { Remediation } from '../domain/notifications';

export interface RemediationDocument extends Remediation {
  _id: string;
  by: string;
  at: Date;
}

export const remediationId = (operatorId: string, vulnerabilityId: string, assetId: string) => `${operatorId}|${vulnerabilityId}|${assetId}`;

export class RemediationStore {
  private constructor(readonly remediations: Collection<RemediationDocument>) {}

  static open(db: Db): RemediationStore {
    return new RemediationStore(db.collection<RemediationDocument>('clearinghouse_remediations'));
  }

  async record(operatorId: string, vulnerabilityId: string, assetId: string, remediation: Remediation, by: string, at: Date): Promise<void> {
    await this.remediations.replaceOne({ _id: remediationId(operatorId, vulnerabilityId, assetId) }, { ...remediation, by, at }, { upsert: true });
  }

  async get(operatorId: string, vulnerabilityId: string, assetId: string): Promise<RemediationDocument | undefined> {
    return (await this.remediations.findOne({ _id: remediationId(operatorId, vulnerabilityId, assetId) })) ?? undefined;
  }
}
