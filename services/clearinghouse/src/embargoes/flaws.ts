/**
 * The flaw an embargo holds back, as embargoes and redaction see it, whatever holds it: today a
 * validated report (its id is the flaw's id); once the Vulnerability store exists, a
 * Vulnerability too (plug it in as a FlawDirectory: `find` by its id). One flat record per flaw,
 * its keys the names `redacted_fields` lists, so redaction (domain/coordination/redaction.ts)
 * works on it as it is: anything not in the summary allow-list is a detail.
 */
import type { TlpSource } from '../domain/coordination';
import { fingerprintKeys } from '../domain/flaws';
import type { Marking } from '@rampart/auth';
import type { AffectedProduct, VulnerabilityReport } from '../domain/report';
import { validateReportId } from '../domain/validation';
import type { ClearinghouseStore } from '../store';

/** A flaw's record for redaction: the summary fields (id, status, tlp, priorityLevel) and its details. */
export interface FlawRecordView {
  id: string;
  status: string;
  tlp: string;
  priorityLevel?: string;
  title: string;
  description: string;
  proof?: string;
  affectedProducts: AffectedProduct[];
  cweIds: string[];
  aliases: string[];
  fingerprints: string[];
  cvssVectors: string[];
  reporterOrganizations: string[];
}

export interface FlawSubject {
  id: string;
  record: FlawRecordView;
  /** Each input's organisation and TLP label. */
  sources: TlpSource[];
  /**
   * The details' clearance marking as a flaw: UNCLASSIFIED. A report is CUI (vulnerability
   * information), and CUI goes to whom its dissemination controls name: here, the embargo's
   * parties and whom the TLP label allows, who are vendors, operators and reporters without any
   * government clearance. Those two rules control it; a clearance rule on top would keep the
   * details from every vendor the embargo names.
   */
  marking: Marking;
  /** The organisations that reported it: the embargo's reporter parties. */
  reporterOrganizations: string[];
  /** Every id it is known by (its own first): an import naming one makes it public. */
  ids: string[];
  /** Validated (valid, accepted or deferred; not closed): only such a flaw may be embargoed. */
  embargoable: boolean;
  /** Why not, in words, when it is not. */
  notEmbargoableBecause?: string;
  /** The end the reporters asked for, if any: the embargo's default end. */
  requestedEmbargo?: { endAt: Date; timeZone: string };
}

/** Where flaws are found by id. */
export interface FlawDirectory {
  find(id: string): Promise<FlawSubject | undefined>;
}

/** The coarse priority level scoring wrote on the report, if any (the summary shows the level alone). */
function priorityLevelOf(report: VulnerabilityReport): string | undefined {
  return report.scoring?.priority.level;
}

/** A report as a flaw: the flaw its reporter described, its own id the flaw's. */
export function reportFlaw(report: VulnerabilityReport): FlawSubject {
  const d = report.details;
  const aliases = d.cve?.cveId ? [d.cve.cveId] : [];
  const fingerprints = fingerprintKeys({
    source: report.source, id: report.id, aliases, withdrawn: false, cwes: d.cweIds,
    affected: d.affectedProducts.map((p) => ({ purl: p.purl, ranges: p.ranges, versions: p.versions })),
  });
  const priorityLevel = priorityLevelOf(report);
  const record: FlawRecordView = {
    id: report.id, status: report.status, tlp: d.tlp, ...(priorityLevel ? { priorityLevel } : {}),
    title: d.title, description: d.description, ...(d.proof !== undefined ? { proof: d.proof } : {}),
    affectedProducts: d.affectedProducts, cweIds: d.cweIds, aliases, fingerprints, cvssVectors: d.cvssVectors,
    reporterOrganizations: [report.organization],
  };
  const validated = report.status === 'valid' || report.status === 'accepted' || report.status === 'deferred';
  return {
    id: report.id, record, sources: [{ organization: report.organization, tlp: d.tlp }], marking: 'UNCLASSIFIED',
    reporterOrganizations: [report.organization], ids: [report.id, ...aliases], embargoable: validated,
    ...(validated ? {} : { notEmbargoableBecause: report.status === 'closed' ? `report ${report.id} is closed` : `report ${report.id} is ${report.status}: an analyst validates it first` }),
    ...(d.requestedEmbargo ? { requestedEmbargo: d.requestedEmbargo } : {}),
  };
}

/** Reports by id (a report id is a UUID; anything else is no report's). */
export function reportDirectory(store: ClearinghouseStore): FlawDirectory {
  return {
    async find(id) {
      if (validateReportId(id).length > 0) return undefined;
      const report = await store.get(id);
      return report && reportFlaw(report);
    },
  };
}

/** The first directory that knows `id`, in order (Vulnerabilities before reports, when both exist). */
export function firstOf(...directories: FlawDirectory[]): FlawDirectory {
  return {
    async find(id) {
      for (const d of directories) {
        const found = await d.find(id);
        if (found) return found;
      }
      return undefined;
    },
  };
}
