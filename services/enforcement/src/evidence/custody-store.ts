/**
 * Evidence items and their custody chains, `_id` reads and writes only (docs/engine-costs.md):
 * - `enforcement_evidence`: one document per item, `_id` its id, with its `evidence.added` event;
 * - `enforcement_referral_evidence`: a referral's items in the order added (`<referral>#<n>`, libs/store SequencedSet);
 * - `enforcement_custody`: one document per entry, `_id` `<item>:<sequence>` (zero-padded). Appending
 *   entry n is the insert of that `_id`: of two writers (any replicas, any engine) that read the
 *   same head, one inserts n and the other collides, re-reads the head and links to the winner, so
 *   a chain never forks. Each entry carries its `custody.recorded` event.
 * - `enforcement_evidence_files` (GridFS: `.files` and `.chunks`): items small enough to upload, streamed
 *   in and referred to as `gridfs:enforcement_evidence_files/<file id>`;
 * - `enforcement_custody_checkpoints`: every `checkpointEvery`-th entry signed (domain/custody.ts),
 *   `_id` `<item>#<k>` for the k-th, written by whoever appended that entry (an insert: once).
 */
import { GridFSBucket, type Collection, type Db, type ObjectId } from 'mongodb';
import { ConflictError } from '@rampart/errors';
import { DocumentLocks, initialOutbox, OUTBOX_PENDING_INDEX, SWEEP_ONLY, type OutboxDocument, type OutboxEntry, type OutboxPublisher } from '@rampart/events';
import { ensureIndexes, isDuplicateKeyError, latestOfSequence, SequencedSet, type SequencedMemberDocument } from '@rampart/store';
import { checkpointMac, nextEntry, type Checkpoint, type CustodyAction, type CustodyEntry, type EvidenceItem } from '../domain';
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
const WINDOW = 64;
/** Appends retried after collisions before the caller is told to retry (ABORTED). */
const APPEND_ATTEMPTS = 50;

export const custodyId = (evidenceId: string, sequence: number) => `${evidenceId}:${String(sequence).padStart(8, '0')}`;

interface CheckpointDocument extends Checkpoint {
  _id: string;
}

export interface CheckpointSigning {
  key: Buffer;
  every: number;
}

export class CustodyStore {
  readonly locks = new DocumentLocks();
  private publishers: { evidence: OutboxPublisher; custody: OutboxPublisher } = { evidence: SWEEP_ONLY, custody: SWEEP_ONLY };
  private readonly byReferral: SequencedSet;

  private constructor(
    readonly evidence: Collection<EvidenceDocument>,
    readonly custody: Collection<CustodyDocument>,
    referralItems: Collection<SequencedMemberDocument>,
    private readonly checkpoints: Collection<CheckpointDocument>,
    readonly signing: CheckpointSigning,
    /** Where uploaded items are kept (GridFS). */
    readonly files: GridFSBucket,
  ) {
    this.byReferral = new SequencedSet(referralItems, MAX_ITEMS_PER_REFERRAL);
  }

  static async open(db: Db, signing: CheckpointSigning): Promise<CustodyStore> {
    const evidence = db.collection<EvidenceDocument>('enforcement_evidence');
    const custody = db.collection<CustodyDocument>('enforcement_custody');
    await ensureIndexes(evidence, [OUTBOX_PENDING_INDEX]);
    await ensureIndexes(custody, [OUTBOX_PENDING_INDEX]);
    return new CustodyStore(evidence, custody, db.collection<SequencedMemberDocument>('enforcement_referral_evidence'), db.collection<CheckpointDocument>('enforcement_custody_checkpoints'), signing, new GridFSBucket(db, { bucketName: 'enforcement_evidence_files' }));
  }

  static fileReference(id: ObjectId): string {
    return `gridfs:enforcement_evidence_files/${id.toHexString()}`;
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

  /** The chain's last entry, searched from entry `from` on (by `_id` reads: about 2 log2(n - from) of them). */
  async head(evidenceId: string, from = 1): Promise<CustodyEntry | undefined> {
    const latest = await latestOfSequence((n) => this.custody.findOne({ _id: custodyId(evidenceId, from + n) }));
    return latest ? toEntry(latest.doc) : undefined;
  }

  /** Appends `action` after the head (`known`: as the caller just read it), re-reading it after each collision. */
  async append(evidenceId: string, action: CustodyAction, recordedBy: string, now: () => Date, known?: { head: CustodyEntry | undefined }): Promise<CustodyEntry> {
    let head = known ? known.head : await this.head(evidenceId);
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const at = now();
      const entry = nextEntry(evidenceId, head, action, recordedBy, at);
      const events = [custodyEvent(entry, at)];
      const id = custodyId(evidenceId, entry.sequence);
      try {
        await this.custody.insertOne({ _id: id, ...entry, revision: 1, ...initialOutbox(events) });
        this.publishers.custody.written(id, events, { created: true });
        if (entry.sequence % this.signing.every === 0) await this.signCheckpoint(entry);
        return entry;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // Another writer appended entry n first: ours follows it.
        head = (await this.custody.findOne({ _id: id }).then((d) => (d ? toEntry(d) : undefined))) ?? (await this.head(evidenceId));
      }
    }
    throw new ConflictError(`custody chain of ${evidenceId} kept growing while appending: retry`);
  }

  private async signCheckpoint(entry: CustodyEntry): Promise<void> {
    const { evidenceId, sequence, hash } = entry;
    const k = sequence / this.signing.every - 1;
    try {
      await this.checkpoints.insertOne({ _id: `${evidenceId}#${k}`, evidenceId, sequence, hash, mac: checkpointMac(this.signing.key, evidenceId, sequence, hash) });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  /** The item's last checkpoint (by `_id` reads), if any. */
  async lastCheckpoint(evidenceId: string): Promise<Checkpoint | undefined> {
    const latest = await latestOfSequence((k) => this.checkpoints.findOne({ _id: `${evidenceId}#${k}` }));
    if (!latest) return undefined;
    const { evidenceId: e, sequence, hash, mac } = latest.doc;
    return { evidenceId: e, sequence, hash, mac };
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
   * Every entry as stored, for verification, from entry `from`: in sequence while present, and past
   * the first missing one whatever is found beyond it, so a deleted entry shows as a gap rather than
   * an early end. Beyond means: the head a search finds, any of the WINDOW entries after the gap, or
   * `atLeast` (the last signed checkpoint's entry, which must exist).
   */
  async wholeChain(evidenceId: string, cap: number, from = 1, atLeast = 0): Promise<CustodyEntry[]> {
    const read = (seq: number) => this.custody.findOne({ _id: custodyId(evidenceId, seq) });
    const [present, head] = await Promise.all([this.entries(evidenceId, from, cap), this.head(evidenceId, from)]);
    const gap = from + present.length; // the first sequence not found in order
    const probed = (await Promise.all(Array.from({ length: WINDOW }, (_, i) => read(gap + 1 + i)))).filter((d) => d !== null);
    const beyond = Math.max(head?.sequence ?? 0, ...probed.map((d) => d.sequence), atLeast);
    if (beyond <= gap) return present;
    // A gap: read on past it to the end (what remains after a deletion is still examined).
    const rest: CustodyEntry[] = [];
    for (let seq = gap + 1; seq < from + cap; seq += WINDOW) {
      const docs = await Promise.all(Array.from({ length: WINDOW }, (_, i) => read(seq + i)));
      for (const d of docs) if (d) rest.push(toEntry(d));
      if (seq + WINDOW > beyond && docs.every((d) => d === null)) break;
    }
    return [...present, ...rest];
  }
}

function toEntry(doc: CustodyDocument): CustodyEntry {
  const { evidenceId, sequence, action, recordedBy, recordedAt, previousHash, hash } = doc;
  return { evidenceId, sequence, action: { ...action, at: { at: action.at.at, zone: action.at.zone } }, recordedBy, recordedAt, previousHash, hash };
}

export type { OutboxEntry };
