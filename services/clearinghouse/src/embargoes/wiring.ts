/**
 * Embargoes and exploitation wired into the service process: their store and relays, the end-date
 * timers and their scheduling consumer, and the consumer of imports that end embargoes. Flaws are
 * Vulnerabilities (src/flaws) first, then validated reports by their own ids.
 */
import type { ServiceRuntime } from '@rampart/grpc-kit';
import type { ClearinghouseConfig } from '../config';
import { validateReportId } from '../domain/validation';
import type { Flaws } from '../flaws/wiring';
import { KevStore } from '../scoring/kev-store';
import { rescoreReport } from '../scoring/report-scoring';
import type { ClearinghouseStore } from '../store';
import { disclosureHandler, EMBARGO_DISCLOSURES } from './disclosures';
import { EmbargoStore } from './embargo-store';
import { EMBARGO_END, EMBARGO_TIMER_SCHEDULING, embargoEndHandler, embargoTimers, embargoTimerSchedulingHandler, type EmbargoTimers } from './embargo-timers';
import { Embargoes, type RaisePriority } from './embargoes';
import { firstOf, reportDirectory } from './flaws';
import { MAX_REPORTS_READ, vulnerabilityDirectory } from './vulnerability-flaws';

/**
 * Exploitation is an input of each report's priority (scoring's rescoreReport, which writes
 * `report.scored` when the priority changes): the flaw's report, or every report of the Vulnerability.
 */
function rescoreReports(store: ClearinghouseStore, flaws: Pick<Flaws, 'vulnerabilities'>, embargoes: () => Embargoes): RaisePriority {
  const deps = { store, kev: KevStore.open(store.database), embargoOfReport: (report: { id: string }) => embargoes().embargoOfReport(report) };
  return async (flawId, exploitation, actor, now) => {
    const vulnerability = validateReportId(flawId).length === 0 ? undefined : await flaws.vulnerabilities.get(flawId);
    const reports = vulnerability ? vulnerability.members.filter((m) => validateReportId(m).length === 0).slice(0, MAX_REPORTS_READ) : [flawId];
    for (const reportId of reports) await rescoreReport(deps, reportId, { exploitation }, actor, now);
  };
}

export async function openEmbargoes(runtime: ServiceRuntime, store: ClearinghouseStore, flaws: Flaws, config: Pick<ClearinghouseConfig, 'EMBARGO_MINIMUM_NOTICE_MS'>): Promise<Embargoes> {
  const embargoStore = await EmbargoStore.open({ db: store.database });
  embargoStore.publishWith({ embargoes: runtime.relay(embargoStore.embargoes, embargoStore.locks), exploitation: runtime.relay(embargoStore.exploitation, embargoStore.locks) });
  const embargoes: Embargoes = new Embargoes({
    embargoes: embargoStore,
    flaws: firstOf(vulnerabilityDirectory(flaws, store), reportDirectory(store)),
    options: { minimumNoticeMs: config.EMBARGO_MINIMUM_NOTICE_MS },
    raisePriority: rescoreReports(store, flaws, () => embargoes),
    joinedVulnerability: async (reportId) => (await flaws.index.entry(reportId))?.vulnerabilityId,
  });
  // A regroup of an embargoed flaw announces the summary only (src/flaws cannot see embargoes: they open after it).
  flaws.regrouper.withholdWith((flaw) => embargoes.embargoFor(flaw));
  // End dates on durable timers (CLEARINGHOUSE_TIMERS), scheduled from the embargo's own events.
  const timers: EmbargoTimers = embargoTimers(runtime.timers({ [EMBARGO_END]: embargoEndHandler(embargoes, (e) => timers.endDate(e)) }));
  runtime.consume(EMBARGO_TIMER_SCHEDULING, embargoTimerSchedulingHandler(embargoes, timers), 'embargo-timers');
  // Imports that show a flaw public end its embargo (a CSAF document's label read from its bytes as received).
  runtime.consume(EMBARGO_DISCLOSURES, disclosureHandler(embargoes, (sha256) => flaws.advisories.content(sha256)), 'embargo-disclosures');
  return embargoes;
}
