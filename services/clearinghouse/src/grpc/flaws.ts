/**
 * Imports and one record per flaw: ImportAdvisories, GetVulnerability, ListVulnerabilities,
 * MergeVulnerabilities, SplitVulnerability, UndoGroupingDecision. Merges and splits are recorded as
 * decisions with their events; the regroup consumer applies them (flaws/wiring.ts), so the
 * answer names the decision, and the vulnerabilities change once it is applied.
 */
import { v7 as uuidv7 } from 'uuid';
import { authorize, type Access, type Caller } from '@rampart/auth';
import { FailedPreconditionError, NotFoundError, ValidationError, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import { AUTHORIZATION } from '../domain/authorization';
import { normaliseId, type FlawDecision } from '../domain/flaws';
import { groupingEvent, type GroupingEventData } from '../events/flaw-events';
import { GROUPING_EVENT_SUMMARY, withheldDuringEmbargo } from '../events/embargo-events';
import { isEmbargoActive, type Embargo } from '../domain/coordination';
import type { OutboxEntry } from '@rampart/events';
import { importItem, IMPORT_LIMITS, type ImportResult } from '../flaws/imports';
import type { Flaws } from '../flaws/wiring';
import { undoId, type DecisionDocument, type UndoDocument, type VulnerabilityDocument } from '../flaws/vulnerability-store';
import { decisionToWire, importFormats, importResultToWire, vulnerabilityView } from './flaw-mapping';

type Handlers = Pick<v1.ClearinghouseServiceServer, 'importAdvisories' | 'getVulnerability' | 'listVulnerabilities' | 'mergeVulnerabilities' | 'splitVulnerability' | 'undoGroupingDecision'>;

const MAX_REASON_CHARS = 2_000;
const MAX_ID_CHARS = 256;
const MAX_SPLIT_RECORDS = 16;
const IMPORT_CONCURRENCY = 4;

const idViolations = (field: string, id: string): FieldViolation[] =>
  id.trim() === '' || id.length > MAX_ID_CHARS ? [{ field, description: `must be 1 to ${MAX_ID_CHARS} characters` }] : [];
const reasonViolations = (reason: string): FieldViolation[] =>
  reason.trim() === '' || reason.length > MAX_REASON_CHARS ? [{ field: 'reason', description: `must be 1 to ${MAX_REASON_CHARS} characters` }] : [];

/** `report` with the flaw it joined, when its reader sees its details: one `_id` read of the report's own index entry. */
export async function withFlawJoin(flaws: Flaws, report: v1.VulnerabilityReport): Promise<v1.VulnerabilityReport> {
  if (report.withheldBecause !== v1.DetailsWithheld.DETAILS_WITHHELD_UNSPECIFIED) return report;
  const entry = await flaws.index.entry(report.id);
  return entry?.vulnerabilityId ? { ...report, flaw: { vulnerabilityId: entry.vulnerabilityId, joinTime: entry.joinedAt } } : report;
}

export const vulnerabilityNotFound = (id: string) => `vulnerability ${id} not found`;

/**
 * The vulnerability `id` as `caller` may read it: analysts and auditors any; a reporter only one
 * holding a report of its own organisation (the id its report's `flaw` names), else NOT_FOUND in
 * the same words as a missing one.
 */
export async function readVulnerability(flaws: Flaws, access: Access, caller: Caller, id: string): Promise<v1.Vulnerability> {
  ValidationError.throwIfAny(idViolations('vulnerability_id', id));
  const doc = await flaws.vulnerabilities.get(normaliseId(id));
  const whole = access.organization === undefined;
  if (!doc || (!whole && !doc.credits.some((c) => c.organization === caller.organization && c.sources.includes('reporter')))) throw new NotFoundError(vulnerabilityNotFound(id));
  return vulnerabilityView(doc, caller, whole);
}

async function currentVulnerability(flaws: Flaws, field: string, id: string): Promise<VulnerabilityDocument> {
  const doc = await flaws.vulnerabilities.get(normaliseId(id));
  if (!doc) throw new NotFoundError(vulnerabilityNotFound(id));
  if (doc.state !== 'current') throw new FailedPreconditionError(`${field}: vulnerability ${id} is ${doc.state} (${doc.mergedInto ?? doc.splitInto?.join(', ') ?? ''}): decide on the current one`);
  return doc;
}

function groupingData(doc: DecisionDocument, undo?: UndoDocument): GroupingEventData {
  return {
    decisionId: doc._id, revision: undo ? 2 : 1, kind: doc.kind, vulnerabilityIds: doc.vulnerabilityIds, recordIds: doc.recordIds, by: doc.by, at: doc.at.toISOString(), reason: doc.reason,
    ...(undo ? { undone: { by: undo.by, at: undo.at.toISOString(), reason: undo.reason } } : {}),
  };
}

/** Vulnerabilities as their reader may see them: redacted by embargo and TLP (embargoes/vulnerability-views.ts). */
export type VulnerabilitiesForReader = (vs: v1.Vulnerability[], caller: Caller) => Promise<v1.Vulnerability[]>;

/** The embargo holding a flaw back (src/embargoes), if any. */
export type EmbargoOfFlaw = (flaw: { id: string; ids: string[] }) => Promise<Embargo | undefined>;

export function flawHandlers(kit: HandlerKit, flaws: Flaws, forReader: VulnerabilitiesForReader, embargoOf: EmbargoOfFlaw, now: () => Date = () => new Date()): Handlers {
  /** A decision on an embargoed flaw is announced as its summary: its records are the flaw's ids and credits. */
  async function announced(doc: DecisionDocument, event: OutboxEntry, at: Date): Promise<OutboxEntry[]> {
    const embargoes = await Promise.all(doc.vulnerabilityIds.map((id) => embargoOf({ id, ids: [id, ...doc.recordIds] })));
    const active = embargoes.find((e) => e !== undefined && isEmbargoActive(e, at));
    return withheldDuringEmbargo([event], active, at, GROUPING_EVENT_SUMMARY);
  }

  async function decide(kind: 'merge' | 'split', vulnerabilityIds: string[], pairs: [string, string][], by: string, reason: string): Promise<v1.GroupingDecision> {
    const at = now();
    const id = uuidv7();
    const decisions: FlawDecision[] = pairs.map((records, i) => ({ id: `${id}#${i}`, kind: kind === 'merge' ? 'join' : 'separate', records, by, at, reason }));
    const doc: DecisionDocument = { _id: id, revision: 1, kind, vulnerabilityIds, recordIds: [...new Set(pairs.flat())].sort(), decisions, by, at, reason, outbox: [] };
    await flaws.vulnerabilities.record(doc, await announced(doc, groupingEvent('decided', groupingData(doc), at), at));
    return decisionToWire(doc);
  }

  return {
    importAdvisories: unary(kit, async (request: v1.ImportAdvisoriesRequest, { caller, signal }): Promise<v1.ImportAdvisoriesResponse> => {
      authorize(AUTHORIZATION, 'importAdvisories', caller);
      const { items } = request;
      if (items.length === 0 || items.length > IMPORT_LIMITS.items) throw new ValidationError([{ field: 'items', description: `must hold 1 to ${IMPORT_LIMITS.items} items` }]);
      const results: v1.ImportResult[] = new Array<v1.ImportResult>(items.length);
      let next = 0;
      // A few items at once: their validation overlaps the others' round trips to the database.
      await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, items.length) }, async () => {
        for (let index = next++; index < items.length; index = next++) {
          signal.throwIfAborted(); // the caller is gone: what was imported stays, a retry finds it unchanged
          const item = items[index]!;
          const format = importFormats.fromWire(item.format);
          const result: ImportResult = format
            ? await importItem(flaws.advisories, format, item.document, { subject: caller.subject, organization: caller.organization }, now())
            : { outcome: 'invalid', advisoryIds: [], errors: [{ pointer: '', message: `items[${index}].format must be OSV, CSAF or CVE`, rule: 'format' }], errorCount: 1, warnings: [], warningCount: 0 };
          results[index] = importResultToWire(index, result);
        }
      }));
      return { results };
    }),

    getVulnerability: unary(kit, async (request: v1.GetVulnerabilityRequest, { caller }): Promise<v1.GetVulnerabilityResponse> => {
      const access = authorize(AUTHORIZATION, 'getVulnerability', caller);
      const [vulnerability] = await forReader([await readVulnerability(flaws, access, caller, request.vulnerabilityId)], caller);
      return { vulnerability };
    }),

    listVulnerabilities: unary(kit, async (request: v1.ListVulnerabilitiesRequest, { caller }): Promise<v1.ListVulnerabilitiesResponse> => {
      authorize(AUTHORIZATION, 'listVulnerabilities', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const fetched = await flaws.vulnerabilities.list(after, size + 1, request.flaggedOnly);
      const { items, nextPageToken } = page(fetched, size, (d) => d._id);
      return { vulnerabilities: await forReader(items.map((d) => vulnerabilityView(d, caller, true)), caller), nextPageToken };
    }),

    mergeVulnerabilities: unary(kit, async (request: v1.MergeVulnerabilitiesRequest, { caller }): Promise<v1.MergeVulnerabilitiesResponse> => {
      authorize(AUTHORIZATION, 'mergeVulnerabilities', caller);
      const ids = request.vulnerabilityIds;
      ValidationError.throwIfAny([
        ...(ids.length !== 2 || normaliseId(ids[0] ?? '') === normaliseId(ids[1] ?? '') ? [{ field: 'vulnerability_ids', description: 'must name two different vulnerabilities' }] : []),
        ...ids.slice(0, 2).flatMap((id, i) => idViolations(`vulnerability_ids[${i}]`, id)),
        ...reasonViolations(request.reason),
      ]);
      const [a, b] = await Promise.all(ids.map((id, i) => currentVulnerability(flaws, `vulnerability_ids[${i}]`, id)));
      for (const v of [a!, b!]) if (v.withdrawn) throw new FailedPreconditionError(`vulnerability ${v._id} is a withdrawn advisory: it never merges`);
      return { decision: await decide('merge', [a!._id, b!._id], [[a!.members[0]!, b!.members[0]!]], caller.subject, request.reason) };
    }),

    splitVulnerability: unary(kit, async (request: v1.SplitVulnerabilityRequest, { caller }): Promise<v1.SplitVulnerabilityResponse> => {
      authorize(AUTHORIZATION, 'splitVulnerability', caller);
      const moving = [...new Set(request.recordIds.map(normaliseId))];
      ValidationError.throwIfAny([
        ...idViolations('vulnerability_id', request.vulnerabilityId),
        ...(moving.length === 0 || moving.length > MAX_SPLIT_RECORDS ? [{ field: 'record_ids', description: `must name 1 to ${MAX_SPLIT_RECORDS} records` }] : []),
        ...moving.flatMap((id, i) => idViolations(`record_ids[${i}]`, id)),
        ...reasonViolations(request.reason),
      ]);
      const v = await currentVulnerability(flaws, 'vulnerability_id', request.vulnerabilityId);
      const outside = moving.filter((r) => !v.members.includes(r));
      if (outside.length) throw new ValidationError([{ field: 'record_ids', description: `${outside.join(', ')} not in vulnerability ${v._id}` }]);
      const staying = v.members.filter((m) => !moving.includes(m));
      if (staying.length === 0) throw new ValidationError([{ field: 'record_ids', description: 'must leave at least one record in the vulnerability' }]);
      // Each moving record kept apart from each staying one: no link between them merges them again.
      const pairs = moving.flatMap((m) => staying.map((s) => [m, s] as [string, string]));
      return { decision: await decide('split', [v._id], pairs, caller.subject, request.reason) };
    }),

    undoGroupingDecision: unary(kit, async (request: v1.UndoGroupingDecisionRequest, { caller }): Promise<v1.UndoGroupingDecisionResponse> => {
      authorize(AUTHORIZATION, 'undoGroupingDecision', caller);
      ValidationError.throwIfAny([...idViolations('decision_id', request.decisionId), ...reasonViolations(request.reason)]);
      const doc = await flaws.vulnerabilities.decision(request.decisionId);
      if (!doc) throw new NotFoundError(`decision ${request.decisionId} not found`);
      const at = now();
      const undo: UndoDocument = { _id: undoId(doc._id), revision: 1, decisionId: doc._id, by: caller.subject, at, reason: request.reason, outbox: [] };
      if (!(await flaws.vulnerabilities.record(undo, await announced(doc, groupingEvent('undone', groupingData(doc, undo), at), at)))) {
        const earlier = await flaws.vulnerabilities.undoOf(doc._id);
        throw new FailedPreconditionError(`decision ${doc._id} was undone already${earlier ? ` by ${earlier.by}` : ''}`);
      }
      return { decision: decisionToWire(doc, undo) };
    }),
  };
}
