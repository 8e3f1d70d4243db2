/**
 * Notifications, `_id` reads and writes only:
 * - `clearinghouse_notifications`: one document per revision, `_id` `<operator>|<vulnerability>#<n>`
 *   (the insert is the compare-and-set: two recomputations of one pair cannot both write revision n),
 *   with its event (outbox) for the operator's own subject;
 * - `clearinghouse_operator_notifications`: the vulnerabilities each operator was notified of (SequencedSet);
 * - `clearinghouse_notification_acks`: `_id` a revision's id, when the operator acknowledged it.
 */
import type { Collection, Db } from 'mongodb';
import { DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, SequencedSet, type SequencedMemberDocument } from '@rampart/store';
import type { Notification } from '../domain/notifications';
import { notificationId } from '../events/operator-events';

export interface NotificationDocument extends OutboxDocument {
  _id: string;
  notification: Notification;
}

export interface AckDocument {
  _id: string;
  by: string;
  at: Date;
}

/** Flaws one operator is told of, at most (a bound on the listing, not on protection). */
export const MAX_NOTIFIED_FLAWS = 100_000;

export class NotificationStore {
  readonly locks = new DocumentLocks();
  private publisher: OutboxPublisher = SWEEP_ONLY;
  private readonly notified: SequencedSet;

  private constructor(readonly revisions: Collection<NotificationDocument>, notified: Collection<SequencedMemberDocument>, readonly acks: Collection<AckDocument>) {
    this.notified = new SequencedSet(notified, MAX_NOTIFIED_FLAWS);
  }

  static async open(db: Db): Promise<NotificationStore> {
    const revisions = db.collection<NotificationDocument>('clearinghouse_notifications');
    await ensureIndexes(revisions, [OUTBOX_PENDING_INDEX]);
    return new NotificationStore(revisions, db.collection<SequencedMemberDocument>('clearinghouse_operator_notifications'), db.collection<AckDocument>('clearinghouse_notification_acks'));
  }

  publishWith(publisher: OutboxPublisher): void {
    this.publisher = publisher;
  }

  /** The latest revision for (operator, vulnerability): `_id` reads up the revisions until the first gap. */
  async latest(operatorId: string, vulnerabilityId: string): Promise<Notification | undefined> {
    let found: Notification | undefined;
    for (let n = 1; ; n++) {
      const doc = await this.revisions.findOne({ _id: notificationId({ operatorId, vulnerabilityId, revision: n }) }, { projection: { outbox: 0 } });
      if (!doc) return found;
      found = doc.notification;
    }
  }

  /** Writes a new revision with its event; false when that revision exists already (recompute and retry). */
  async write(n: Notification, events: OutboxEntry[]): Promise<boolean> {
    await this.notified.add(n.operatorId, n.vulnerabilityId);
    const id = notificationId(n);
    try {
      await this.revisions.insertOne({ _id: id, revision: n.revision, notification: n, ...initialOutbox(events) });
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
    this.publisher.written(id, events, { created: true });
    return true;
  }

  notifiedOf(operatorId: string): Promise<string[]> {
    return this.notified.members(operatorId);
  }

  async acknowledged(n: Pick<Notification, 'operatorId' | 'vulnerabilityId' | 'revision'>): Promise<boolean> {
    return (await this.acks.findOne({ _id: notificationId(n) })) !== null;
  }

  /** Records the acknowledgement (once; a repeat is not an error). */
  async acknowledge(n: Pick<Notification, 'operatorId' | 'vulnerabilityId' | 'revision'>, by: string, at: Date): Promise<void> {
    try {
      await this.acks.insertOne({ _id: notificationId(n), by, at });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
}
