/**
 * Embargoes and exploitation reports as the service runs them: the domain rules
 * (domain/coordination) applied to what the stores hold, each change written with its event.
 * Every path that ends an embargo comes through `change`: an analyst's lift, the durable timer at
 * the end date (embargo-timers.ts), an import showing the flaw public (`endOnDisclosure`, called
 * by the import), and exploitation reported.
 */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Caller } from '@rampart/auth';
import { AlreadyExistsError, ConflictError, FailedPreconditionError, NotFoundError, ValidationError } from '@rampart/errors';
import {
  endOnDisclosure as endedByDisclosure, endOnExploitation, exploitationPriorityInput, formatZonedTime, isEmbargoActive, settleEmbargo, startEmbargo, validateExploitationReport,
  type Disclosure, type Embargo, type EmbargoOptions, type ExploitationReport, type ExploitationReportInput,
} from '../domain/coordination';
import type { VulnerabilityReport } from '../domain/report';
import { validateReportId } from '../domain/validation';
import { embargoEvent, exploitationEvent, type EmbargoVerb } from '../events/embargo-events';
import { EXPLOITATION_REPORTS_PER_FLAW, type EmbargoStore, type StoredEmbargo } from './embargo-store';
import type { FlawDirectory, FlawSubject } from './flaws';
import { MAX_REPORTS_READ } from './vulnerability-flaws';

/**
 * Raises a flaw's priority for exploitation in the wild (scoring's rescoreReport, wired in
 * wiring.ts): `exploitation` from every report of the flaw, `actor` who reported the latest.
 */
export type RaisePriority = (flawId: string, exploitation: { reports: number; aiEnabledTooling: boolean }, actor: string, now: Date) => Promise<void>;

export interface EmbargoDeps {
  embargoes: EmbargoStore;
  flaws: FlawDirectory;
  now?: () => Date;
  /** EMBARGO_MINIMUM_NOTICE_MS: an hour in production. */
  options?: EmbargoOptions;
  raisePriority?: RaisePriority;
  /** The Vulnerability a report joined, if any (src/flaws' alias index, one `_id` read). */
  joinedVulnerability?: (reportId: string) => Promise<string | undefined>;
}

/** Writers racing on one embargo: each retry reads again and decides again. */
const ATTEMPTS = 5;

export const flawNotFound = (id: string) => `flaw ${id} not found`;
export const noEmbargo = (id: string) => `no embargo on flaw ${id}`;

export class Embargoes {
  readonly now: () => Date;

  constructor(readonly deps: EmbargoDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * The flaw `id` names: a flaw's own id (a report's, a Vulnerability's), or, failing that, an id an
   * embargoed flaw is known by (its CVE id) when it names exactly one.
   */
  async findFlaw(id: string): Promise<FlawSubject | undefined> {
    const direct = await this.deps.flaws.find(id);
    if (direct) return direct;
    const named = await this.deps.embargoes.flawsNamedBy([id]);
    return named.length === 1 ? this.deps.flaws.find(named[0]!) : undefined;
  }

  async requireFlaw(id: string): Promise<FlawSubject> {
    const flaw = await this.findFlaw(id);
    if (!flaw) throw new NotFoundError(flawNotFound(id));
    return flaw;
  }

  /** An embargo on a validated flaw; its end as given, else the end its reporter asked for. */
  async start(flawId: string, input: { endsAt: string; vendors: string[]; operators: string[] }, actor: Caller): Promise<{ embargo: StoredEmbargo; flaw: FlawSubject }> {
    const flaw = await this.requireFlaw(flawId);
    if (!flaw.embargoable) throw new FailedPreconditionError(`flaw ${flaw.id} cannot be embargoed: ${flaw.notEmbargoableBecause ?? 'it is not validated'}`);
    const requested = flaw.requestedEmbargo ? formatZonedTime({ at: flaw.requestedEmbargo.endAt, zone: flaw.requestedEmbargo.timeZone }) : undefined;
    const endsAt = input.endsAt.trim() !== '' ? input.endsAt : requested;
    if (endsAt === undefined) throw new ValidationError([{ field: 'ends_at', description: 'is required: the reporter asked for no embargo end (a date and time with its time zone)' }]);
    const now = this.now();
    const embargo = startEmbargo(flaw.id, flaw.reporterOrganizations, { endsAt, vendors: input.vendors, operators: input.operators }, actor, now, this.deps.options);
    const existing = await this.embargoFor(flaw);
    if (existing) throw existing.ended ? new FailedPreconditionError(`the embargo on ${existing.flawId} has ended and never restarts`) : new AlreadyExistsError(`flaw ${flaw.id} is embargoed already (the embargo on ${existing.flawId}): extend it instead`);
    if (!(await this.deps.embargoes.start(embargo, flaw.ids, [embargoEvent('started', embargo, 1, flaw, now)]))) {
      throw new AlreadyExistsError(`flaw ${flaw.id} is embargoed already: extend it instead`);
    }
    return { embargo: { ...embargo, revision: 1, flawIds: flaw.ids }, flaw };
  }

  /**
   * Applies `decide` to the flaw's embargo as stored and writes what it returns with its event
   * (`extended` when the end moved later, `ended` when it ended); undefined from `decide`: no
   * change. Retries when another writer changed the embargo first.
   */
  async change(flawId: string, decide: (e: StoredEmbargo, now: Date) => Embargo | undefined): Promise<{ before: StoredEmbargo; after: StoredEmbargo; flaw: FlawSubject; changed: boolean }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const before = await this.deps.embargoes.get(flawId);
      if (!before) throw new NotFoundError(noEmbargo(flawId));
      const flaw = await this.requireFlaw(flawId);
      const now = this.now();
      const next = decide(before, now);
      if (!next) return { before, after: before, flaw, changed: false };
      const verb: EmbargoVerb = next.ended && !before.ended ? 'ended' : 'extended';
      const revision = before.revision + 1;
      if (await this.deps.embargoes.change(next, before.revision, [embargoEvent(verb, next, revision, flaw, now)])) {
        return { before, after: { ...next, revision, flawIds: before.flawIds }, flaw, changed: true };
      }
    }
    throw new ConflictError(`the embargo on ${flawId} keeps changing: read it again and retry`);
  }

  /**
   * The hook an import calls with every id of each record it stores (its own id and its aliases):
   * a public record naming an embargoed flaw ends that embargo. Unlabelled feeds (OSV, CVE) are
   * public; a labelled one (CSAF's distribution TLP) only at CLEAR. Returns the flaws whose embargo it ended.
   */
  async endOnDisclosure(disclosure: Disclosure): Promise<string[]> {
    const ended: string[] = [];
    for (const flawId of await this.deps.embargoes.flawsNamedBy(disclosure.ids)) {
      const { changed } = await this.change(flawId, (e, now) => endedByDisclosure(e, e.flawIds, disclosure, now));
      if (changed) ended.push(flawId);
    }
    return ended;
  }

  /** The timer's check at the end date: ends the embargo once its end passed (`at`: when the timer was due). */
  settle(flawId: string, at: Date): Promise<{ after: StoredEmbargo; changed: boolean }> {
    return this.change(flawId, (e, now) => settleEmbargo(e, new Date(Math.max(now.getTime(), at.getTime()))));
  }

  /** The embargo that holds a report back: its own (the report as the flaw), or the Vulnerability's it joined; an active one first. */
  async embargoOfReport(report: Pick<VulnerabilityReport, 'id'>): Promise<StoredEmbargo | undefined> {
    const joined = await this.deps.joinedVulnerability?.(report.id);
    return this.embargoOfAny([report.id, ...(joined ? [joined] : [])]);
  }

  /**
   * The embargo that holds `flaw` back: its own, or, for a Vulnerability, one of its reports' (an
   * embargo on a report follows it into the flaw it joins); an active one first.
   */
  embargoFor(flaw: Pick<FlawSubject, 'id' | 'ids'>): Promise<StoredEmbargo | undefined> {
    const reports = flaw.ids.filter((id) => id !== flaw.id && validateReportId(id).length === 0).slice(0, MAX_REPORTS_READ);
    return this.embargoOfAny([flaw.id, ...reports]);
  }

  /**
   * The flaw `id` names and the embargo holding it back. No flaw and no embargo answer the same
   * NOT_FOUND, in the same words: whether a flaw exists does not leak to whoever asks about embargoes.
   */
  async requireEmbargo(id: string): Promise<{ flaw: FlawSubject; embargo: StoredEmbargo }> {
    const flaw = await this.findFlaw(id);
    const embargo = flaw && (await this.embargoFor(flaw));
    if (!flaw || !embargo) throw new NotFoundError(noEmbargo(id));
    return { flaw, embargo };
  }

  /** The first active embargo of `flawIds` (`_id` reads in parallel), else the first ended one. */
  async embargoOfAny(flawIds: readonly string[]): Promise<StoredEmbargo | undefined> {
    const found = (await Promise.all([...new Set(flawIds)].map((id) => this.deps.embargoes.get(id)))).filter((e): e is StoredEmbargo => e !== undefined);
    return found.find((e) => isEmbargoActive(e, this.now())) ?? found[0];
  }

  /**
   * Records exploitation of a flaw in the wild: stored with its event, then the flaw's embargo
   * ends and its priority is raised. A retry with the same key (within the caller's organisation)
   * finds its report and only completes what a failure between the steps left undone.
   */
  async reportExploitation(input: ExploitationReportInput, idempotencyKey: string, caller: Caller): Promise<{ report: ExploitationReport; flaw: FlawSubject; embargo?: StoredEmbargo }> {
    const now = this.now();
    const id = idempotencyKey === '' ? uuidv7() : keyedId(caller.organization, idempotencyKey);
    const checked = validateExploitationReport(input, id, caller, now);
    const named = await this.requireFlaw(checked.flawId);
    // A retry goes to the flaw its first request went to, whatever the id resolves to now.
    const reservedFor = idempotencyKey === '' ? named.id : await this.deps.embargoes.reserveExploitation(id, named.id, now);
    const flaw = reservedFor === named.id ? named : await this.requireFlaw(reservedFor);
    let report = checked;
    for (let attempt = 0; ; attempt++) {
      if (attempt === ATTEMPTS) throw new ConflictError(`the exploitation reports of ${flaw.id} keep changing: retry`);
      const { revision, reports } = await this.deps.embargoes.exploitationOf(flaw.id);
      const earlier = reports.find((r) => r.id === id);
      if (earlier) {
        report = earlier; // a retry: stored already
        break;
      }
      if (reports.length >= EXPLOITATION_REPORTS_PER_FLAW) throw new FailedPreconditionError(`flaw ${flaw.id} has ${EXPLOITATION_REPORTS_PER_FLAW} exploitation reports already: it is known to be exploited`);
      const embargo = await this.embargoFor(flaw);
      const ended = embargo ? endOnExploitation(embargo, report, now) : undefined;
      const event = exploitationEvent(report, flaw, revision + 1, ended ?? embargo, ended !== undefined && ended.ended?.cause === 'exploited', now);
      if (await this.deps.embargoes.addExploitation(flaw.id, revision, reports, report, [event])) break;
    }
    const held = await this.embargoFor(flaw);
    const embargo = held && (await this.change(held.flawId, (e, at) => endOnExploitation(e, report, at))).after;
    const { reports } = await this.deps.embargoes.exploitationOf(flaw.id);
    const priority = exploitationPriorityInput(reports);
    if (priority) await this.deps.raisePriority?.(flaw.id, { reports: reports.length, aiEnabledTooling: priority.aiEnabledTooling }, caller.subject, this.now());
    return { report, flaw, ...(embargo ? { embargo } : {}) };
  }
}

/** A report id made from the caller's organisation and key: the same retry, the same id. */
function keyedId(organization: string, key: string): string {
  const h = createHash('sha256').update(`exploitation\u0000${organization}\u0000${key}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
