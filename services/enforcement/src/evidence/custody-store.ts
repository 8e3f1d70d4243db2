/**
 * Evidence items and their custody chains, `_id` reads and writes only (docs/engine-costs.md):
 * - `enforcement_evidence`: one document per item, `_id` its id, with its `evidence.added` event;
 * - `enforcement_referral_evidence`: a referral's items in the order added (`<referral>#<n>`, libs/store SequencedSet);
 * - `enforcement_custody`: one document per entry, `_id` `<item>:<sequence>` (zero-padded). Appending
 *   entry n is the insert of that `_id`: of two writers (any replicas, any engine) that read the
 *   same head, one inserts n and the other collides, re-reads the head and links to the winner, so
 *   a chain never forks. Each entry carries its `custody.recorded` event.
 */
import type { Collection, Db } from 'mongodb';
import { DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, latestOfSequence, SequencedSet, type SequencedMemberDocument } from '@rampart/store';
import { nextEntry, type CustodyAction, type CustodyEntry, type EvidenceItem } from '../domain';
import { custodyEvent, evidenceEvent } from '../events/referral-events';

interface EvidenceDocument extends OutboxDocument, Omit<EvidenceItem, 'id'> {
  _id: string;
  revision: number;
}

interface CustodyDocument extends OutboxDocument, CustodyEntry {
  _id: string;
  revision: number;
}

/** A referral holds at most this many items (an evidence locker's index, not a bulk store). */
export const MAX_ITEMS_PER_REFERRAL = 1_000;
/** Entries read at once while walking a chain. */
const WINDOW = 32;
/** Appends retried after collisions before the caller is told to retry. */
const APPEND_ATTEMPTS = 20;

export const custodyId = (evidenceId: string, sequence: number) => `${evidenceId}:${String(sequence).padStart(8, '0')}`;

export class CustodyStore {
  readonly locks = new DocumentLocks();
  private publishers: { evidence: OutboxPublisher; custody: OutboxPublisher } = { evidence: SWEEP_ONLY, custody: SWEEP_ONLY };
  private readonly byReferral: SequencedSet;

  private constructor(readonly evidence: Collection<EvidenceDocument>, readonly custody: Collection<CustodyDocument>, referralItems: Collection<SequencedMemberDocument>) {
    this.byReferral = new SequencedSet(referralItems, MAX_ITEMS_PER_REFERRAL);
  }

  static async open(db: Db): Promise<CustodyStore> {
    const evidence = db.collection<EvidenceDocument>('enforcement_evidence');
    const custody = db.collection<CustodyDocument>('enforcement_custody');
    await ensureIndexes(evidence, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(custody, [OUTBOX_PENDING_INDEX]);
    return new CustodyStore(evidence, custody, db.collection<SequencedMemberDocument>('enforcement_referral_evidence'));
  }

  publishWith(publishers: { evidence: OutboxPublisher; custody: OutboxPublisher }): void {
    this.publishers = publishers;
  }

  /** Stores the item and the referral's link to it; false when the referral holds the most items allowed. */
  async addItem(item: EvidenceItem, now: Date): Promise<boolean> {
    const { id, ...fields } = item;
    if (!(await this.byReferral.add(item.referralId, id))) return false;
    const events = [evidenceEvent(item, now)];
    await this.evidence.insertOne({ _id: id, ...fields, revision: 1, ...initialOutbox(events) });
    this.publishers.evidence.written(id, events, { created: true });
    return true;
  }

  async item(id: string): Promise<EvidenceItem | undefined> {
    const doc = await this.evidence.findOne({ _id: id }, { projection: { outbox: 0, outboxSince: 0 } });
    if (!doc) return undefined;
    const { _id, revision: _r, outbox: _o, outboxSince: _s, ...rest } = doc;
    return { id: _id, ...rest };
  }

  async itemsOf(referralId: string): Promise<EvidenceItem[]> {
    const ids = await this.byReferral.members(referralId);
    const items = await Promise.all(ids.map((id) => this.item(id)));
    return items.filter((i): i is EvidenceItem => i !== undefined);
  }

  /** The chain's last entry (by `_id` reads: about 2 log2(n) of them). */
  async head(evidenceId: string): Promise<CustodyEntry | undefined> {
    const latest = await latestOfSequence((n) => this.custody.findOne({ _id: custodyId(evidenceId, n + 1) }));
    return latest ? toEntry(latest.doc) : undefined;
  }

  /** Appends `action` after the current head, re-reading it after each collision. */
  async append(evidenceId: string, action: CustodyAction, recordedBy: string, now: () => Date): Promise<CustodyEntry> {
    let head = await this.head(evidenceId);
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const at = now();
      const entry = nextEntry(evidenceId, head, action, recordedBy, at);
      const events = [custodyEvent(entry, at)];
      const id = custodyId(evidenceId, entry.sequence);
      try {
        await this.custody.insertOne({ _id: id, ...entry, revision: 1, ...initialOutbox(events) });
        this.publishers.custody.written(id, events, { created: true });
        return entry;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another writer appended entry n first: ours follows it.
        head = (await this.custody.findOne({ _id: id }).then((d) => (d ? toEntry(d) : undefined))) ?? (await this.head(evidenceId));
      }
    }
    throw new Error(`custody chain of ${evidenceId} kept growing while appending: retry`);
  }

  /** Entries `from` to `from + limit - 1`, as stored, stopping at the first missing sequence. */
  async entries(evidenceId: string, from: number, limit: number): Promise<CustodyEntry[]> {
    const out: CustodyEntry[] = [];
    for (let start = from; out.length < limit; start += WINDOW) {
      const n = Math.min(WINDOW, limit - out.length);
      const docs = await Promise.all(Array.from({ length: n }, (_, i) => this.custody.findOne({ _id: custodyId(evidenceId, start + i) })));
      for (const d of docs) {
        if (!d) return out;
        out.push(toEntry(d));
      }
    }
    return out;
  }

  /**
   * Every entry as stored, for verification: by sequence while present, and then up to the head a
   * binary search finds, so a deleted entry in the middle shows as a gap rather than an early end.
   */
  async wholeChain(evidenceId: string, cap: number): Promise<CustodyEntry[]> {
    const present = await this.entries(evidenceId, 1, cap);
    if (present.length === 0) {
      // Entry 1 gone (every item has one from AddEvidence): whatever survives after it is examined.
      const survivors = (await this.entries(evidenceId, 2, WINDOW)).length > 0 ? await this.entries(evidenceId, 2, cap) : [];
      return survivors;
    }
    const head = await this.head(evidenceId);
    if (!head || head.sequence <= present.length) return present;
    // A gap: read on past it to the head (what remains after a deletion is still examined).
    const rest: CustodyEntry[] = [];
    for (let seq = present.length + 2; seq <= Math.min(head.sequence, cap); seq += WINDOW) {
      const docs = await Promise.all(Array.from({ length: Math.min(WINDOW, head.sequence - seq + 1) }, (_, i) => this.custody.findOne({ _id: custodyId(evidenceId, seq + i) })));
      for (const d of docs) if (d) rest.push(toEntry(d));
    }
    return [...present, ...rest];
  }
}

function toEntry(doc: CustodyDocument): CustodyEntry {
  const { evidenceId, sequence, action, recordedBy, recordedAt, previousHash, hash } = doc;
  return { evidenceId, sequence, action: { ...action, at: { at: action.at.at, zone: action.at.zone } }, recordedBy, recordedAt, previousHash, hash };
}

export type { OutboxEntry };
