/**
 * Evidence and its chain of custody (NIST SP 800-86 s.3.1.1, SP 800-61). An `EvidenceItem` is held
 * elsewhere and named by reference with its SHA-256, size and type. Every custody action (collected,
 * transferred, examined, returned, destroyed: handler, time with zone, location, purpose) is a
 * `CustodyEntry` appended to the item's chain: entry n holds entry n-1's hash, and its own hash is
 * the SHA-256 of the RFC 8785 canonical JSON of (item, sequence, previous hash, action, who recorded
 * it and when). Editing, deleting, inserting or reordering any entry breaks the chain at that entry,
 * and `verifyChain` names it.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import canonicalize from 'canonicalize';
import { parseZonedTime, textField, type FieldViolation, type ZonedTime } from '@rampart/errors';
import { LIMITS, SHA256 } from './validation';

export const CUSTODY_ACTIONS = ['collected', 'transferred', 'examined', 'returned', 'destroyed'] as const;
export type CustodyActionKind = (typeof CUSTODY_ACTIONS)[number];

export interface EvidenceItem {
  id: string;
  referralId: string;
  reference: string;
  sha256: string;
  sizeBytes: number;
  mediaType: string;
  description: string;
  addedBy: string;
  addedAt: Date;
}

export interface CustodyAction {
  kind: CustodyActionKind;
  handler: string;
  /** When, as the handler gave it: ISO 8601 with its offset, and the zone. */
  at: ZonedTime;
  location: string;
  purpose: string;
}

export interface CustodyEntry {
  evidenceId: string;
  sequence: number;
  action: CustodyAction;
  recordedBy: string;
  recordedAt: Date;
  previousHash: string;
  hash: string;
}

export const GENESIS = '0'.repeat(64);

/** What an entry's hash covers, as plain JSON (times as ISO text, so the hash never depends on a driver's Date). */
function hashed(e: Omit<CustodyEntry, 'hash'>): unknown {
  const { kind, handler, at, location, purpose } = e.action;
  return {
    evidenceId: e.evidenceId, sequence: e.sequence, previousHash: e.previousHash, recordedBy: e.recordedBy, recordedAt: e.recordedAt.toISOString(),
    action: { kind, handler, at: at.at.toISOString(), zone: at.zone, location, purpose },
  };
}

export function entryHash(e: Omit<CustodyEntry, 'hash'>): string {
  const text = canonicalize(hashed(e));
  if (text === undefined) throw new TypeError('custody entry has no JSON form');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The entry that follows `head` (none: the item's first). */
export function nextEntry(evidenceId: string, head: Pick<CustodyEntry, 'sequence' | 'hash'> | undefined, action: CustodyAction, recordedBy: string, recordedAt: Date): CustodyEntry {
  const base = { evidenceId, sequence: (head?.sequence ?? 0) + 1, previousHash: head?.hash ?? GENESIS, action, recordedBy, recordedAt };
  return { ...base, hash: entryHash(base) };
}

/**
 * A checkpoint: the service's MAC (HMAC-SHA256 under CUSTODY_CHECKPOINT_KEY) over an item's entry n
 * and its hash, written every CUSTODY_CHECKPOINT_EVERY entries. Verifying from the last one reads only
 * what came after it, and whoever rewrites the entries up to it (and their hashes) cannot write a
 * matching checkpoint without the key. A full audit verifies from the first entry.
 */
export interface Checkpoint {
  evidenceId: string;
  sequence: number;
  hash: string;
  mac: string;
}

export function checkpointMac(key: Buffer, evidenceId: string, sequence: number, hash: string): string {
  return createHmac('sha256', key).update(canonicalize({ evidenceId, sequence, hash }) ?? '', 'utf8').digest('hex');
}

export function checkpointValid(key: Buffer, c: Checkpoint): boolean {
  const expected = Buffer.from(checkpointMac(key, c.evidenceId, c.sequence, c.hash), 'hex');
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(c.mac) ? c.mac : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface ChainVerdict {
  intact: boolean;
  /** The chain's length as read (entries before the checkpoint counted, not read). */
  entries: number;
  /** The first entry read and checked: 1, or a checkpoint's. */
  verifiedFrom: number;
  /** The first broken link's sequence, and why; absent when intact. */
  firstBroken?: { sequence: number; reason: string };
  headHash: string;
}

/**
 * Checks entries as stored, in the order read (by sequence 1, 2, ...). A gap (a deleted entry), an
 * entry out of place, a hash that does not cover its content, or a previous hash that is not the
 * previous entry's: the first such entry is the broken link. A destroyed item takes no later action.
 */
export function verifyChain(evidenceId: string, stored: readonly CustodyEntry[], from?: { checkpoint: Checkpoint; key: Buffer }): ChainVerdict {
  const start = from?.checkpoint.sequence ?? 1;
  if (from && (from.checkpoint.evidenceId !== evidenceId || !checkpointValid(from.key, from.checkpoint))) {
    return { intact: false, entries: 0, verifiedFrom: start, firstBroken: { sequence: start, reason: `the checkpoint at entry ${start} does not bear the service's signature` }, headHash: GENESIS };
  }
  // Every item's chain starts when it is added: an empty chain lost its first entry.
  if (stored.length === 0) return { intact: false, entries: 0, verifiedFrom: start, firstBroken: { sequence: start, reason: from ? `entry ${start}, the checkpoint's, is missing` : 'the chain has no entries: its first (the collection) is missing' }, headHash: GENESIS };
  // From a checkpoint: its entry must be the one it signed, and what follows links to it.
  let previous = from ? stored[0]!.previousHash : GENESIS;
  if (from && stored[0]!.hash !== from.checkpoint.hash) return { intact: false, entries: start - 1 + stored.length, verifiedFrom: start, firstBroken: { sequence: start, reason: `entry ${start} is not the one its checkpoint signed` }, headHash: previous };
  let destroyed = false;
  for (let i = 0; i < stored.length; i++) {
    const e = stored[i]!;
    const expected = start + i;
    const broken = (reason: string): ChainVerdict => ({ intact: false, entries: start - 1 + stored.length, verifiedFrom: start, firstBroken: { sequence: expected, reason }, headHash: previous });
    if (e.evidenceId !== evidenceId) return broken(`entry ${expected} belongs to another item`);
    if (e.sequence !== expected) return broken(`entry ${expected} is missing or out of place (found sequence ${e.sequence})`);
    if (e.previousHash !== previous) return broken(`entry ${expected} does not follow entry ${expected - 1} (its previous hash differs)`);
    if (entryHash(e) !== e.hash) return broken(`entry ${expected} was altered (its hash does not match its content)`);
    if (destroyed) return broken(`entry ${expected} records an action after the item was destroyed`);
    destroyed = e.action.kind === 'destroyed';
    previous = e.hash;
  }
  return { intact: true, entries: start - 1 + stored.length, verifiedFrom: start, headHash: previous };
}

export interface CustodyActionInput {
  kind?: string;
  handler?: string;
  at?: string;
  location?: string;
  purpose?: string;
}

export function validateCustodyAction(input: CustodyActionInput | undefined, prefix: string, now: Date): { action?: CustodyAction; violations: FieldViolation[] } {
  if (!input) return { violations: [{ field: prefix, description: 'is required' }] };
  const out: FieldViolation[] = [];
  const kind = input.kind ?? '';
  if (!(CUSTODY_ACTIONS as readonly string[]).includes(kind)) out.push({ field: `${prefix}.kind`, description: `must be one of ${CUSTODY_ACTIONS.join(', ')}` });
  const handler = textField(out, `${prefix}.handler`, input.handler, LIMITS.handler);
  const at = parseZonedTime(out, `${prefix}.at`, input.at);
  if (at && at.at.getTime() > now.getTime() + 5 * 60_000) out.push({ field: `${prefix}.at`, description: `must not be in the future (now is ${now.toISOString()})` });
  const location = textField(out, `${prefix}.location`, input.location, LIMITS.location);
  const purpose = textField(out, `${prefix}.purpose`, input.purpose, LIMITS.purpose);
  if (out.length > 0 || !at) return { violations: out };
  return { violations: [], action: { kind: kind as CustodyActionKind, handler, at, location, purpose } };
}

export interface EvidenceInput {
  reference?: string;
  sha256?: string;
  sizeBytes?: number;
  mediaType?: string;
  description?: string;
}

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i;

export function validateEvidence(input: EvidenceInput): { violations: FieldViolation[]; value?: Omit<EvidenceItem, 'id' | 'referralId' | 'addedBy' | 'addedAt'> } {
  const out: FieldViolation[] = [];
  const reference = textField(out, 'reference', input.reference, LIMITS.reference);
  const sha256 = (input.sha256 ?? '').toLowerCase();
  if (!SHA256.test(sha256)) out.push({ field: 'sha256', description: 'must be the SHA-256 of the item, 64 hex digits' });
  const size = input.sizeBytes ?? -1;
  if (!Number.isSafeInteger(size) || size < 0 || size > LIMITS.sizeBytes) out.push({ field: 'size_bytes', description: `must be the size in bytes, 0 to ${LIMITS.sizeBytes}` });
  const mediaType = (input.mediaType ?? '').trim();
  if (mediaType.length > LIMITS.mediaType || !MEDIA_TYPE.test(mediaType)) out.push({ field: 'media_type', description: 'must be a media type, e.g. application/vnd.tcpdump.pcap' });
  const description = textField(out, 'description', input.description, LIMITS.description, false);
  if (out.length > 0) return { violations: out };
  return { violations: [], value: { reference, sha256, sizeBytes: size, mediaType, description } };
}
