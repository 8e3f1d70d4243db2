/**
 * Embargoes end when an import shows the flaw public: the clearinghouse's own
 * `rampart.clearinghouse.record.imported` events (one per stored record, from the import's outbox,
 * so none is lost between the import's write and this) are consumed by the durable
 * `clearinghouse-embargo-disclosures`, and each accepted record's ids (its own and its aliases) go
 * to `Embargoes.endOnDisclosure`, which finds the embargoed flaws they name by `_id` reads of the
 * alias index. OSV and CVE records are public; a CSAF document is public unless its
 * `document.distribution.tlp.label` says otherwise (read from its bytes as received, by digest).
 * Redelivery is harmless: an ended embargo is not ended again.
 */
import { PoisonMessageError, type ConsumerSpec, type EventHandler } from '@rampart/events';
import { parseTlpLabel, type Disclosure, type TlpLabel } from '../domain/coordination';
import { EVENTS_STREAM } from '../events/report-events';
import type { Embargoes } from './embargoes';

export const EMBARGO_DISCLOSURES: ConsumerSpec = {
  stream: EVENTS_STREAM,
  durable: 'clearinghouse-embargo-disclosures',
  filterSubjects: ['rampart.clearinghouse.record.imported'],
  maxDeliver: 20,
};

/** How many ids of one record are looked up: its own and its aliases (feeds list a handful). */
const MAX_IDS = 64;

/** A CSAF document's TLP label, when it carries one (TLP 1.0 WHITE reads as CLEAR); undefined when unlabelled or unreadable. */
export function csafLabel(bytes: Uint8Array | undefined): TlpLabel | undefined {
  if (!bytes) return undefined;
  try {
    const label = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { document?: { distribution?: { tlp?: { label?: unknown } } } }).document?.distribution?.tlp?.label;
    if (typeof label !== 'string') return undefined;
    const out: { field: string; description: string }[] = [];
    const parsed = parseTlpLabel(out, 'label', label, 'RED');
    // A label nobody knows is not CLEAR: held back, as RED.
    return out.length ? 'RED' : parsed;
  } catch {
    return undefined;
  }
}

export function disclosureHandler(embargoes: Embargoes, contentOf: (sha256: string) => Promise<Uint8Array | undefined>): EventHandler {
  return async (event) => {
    const data = (event.data ?? {}) as Record<string, unknown>;
    const { advisoryId, recordId, aliases, state, source, sha256 } = data;
    if (typeof advisoryId !== 'string' || typeof recordId !== 'string' || !Array.isArray(aliases)) throw new PoisonMessageError(`event ${event.id} names no record`);
    // An invalid record is stored for the importer to see, not published by anyone.
    if (state !== 'accepted') return;
    const ids = [recordId, ...aliases.filter((a): a is string => typeof a === 'string')].slice(0, MAX_IDS);
    const tlp = source === 'csaf' && typeof sha256 === 'string' ? csafLabel(await contentOf(sha256)) : undefined;
    const disclosure: Disclosure = { source: advisoryId, ids, ...(tlp ? { tlp } : {}) };
    await embargoes.endOnDisclosure(disclosure);
  };
}
