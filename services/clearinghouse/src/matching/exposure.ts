/**
 * What one operator is exposed to by one flaw, computed from the stored state alone (so a
 * redelivered event or a second replica computes the same): the flaw's affected packages by match
 * key, the operator's components under those keys, each judged by the ecosystem's own version order;
 * the priority and KEV status from scoring; the most restrictive TLP label of the flaw's reports.
 */
import { EarlyEventError } from '@rampart/events';
import { mostRestrictiveTlp, type TlpLabel } from '../domain/coordination';
import type { AffectedPackage } from '../domain/formats/advisory-record';
import { purlVersion } from '../domain/formats/purl';
import { affects, affectsByCpe, matchKey } from '../domain/matching';
import type { AffectedComponent, Exposure } from '../domain/notifications';
import { PRIORITY_LEVELS, type PriorityLevel } from '../domain/scoring/priority';
import { validateReportId } from '../domain/validation';
import { FlawReads } from '../flaws/flaw-reads';
import type { Flaws } from '../flaws/wiring';
import type { VulnerabilityDocument } from '../flaws/vulnerability-store';
import type { KevStore } from '../scoring/kev-store';
import type { ClearinghouseStore } from '../store';
import type { MatchIndex } from './match-index';

/** Records of one flaw read for its packages (a flaw's group is capped far below this by the flaw rules). */
const MAX_RECORDS = 64;

/** The flaw's affected packages by match key, from its records (reports and imports alike). */
export async function packagesOf(flaws: Flaws, v: VulnerabilityDocument): Promise<Map<string, AffectedPackage[]>> {
  const reads = new FlawReads(flaws);
  const byKey = new Map<string, AffectedPackage[]>();
  for (const member of v.members.slice(0, MAX_RECORDS)) {
    const loaded = await reads.record(member);
    // A regroup announces the vulnerability before it writes its records' index entries: come back shortly.
    if (!loaded) throw new EarlyEventError(`record ${member} of ${v._id} is not readable yet`);
    for (const pkg of loaded.record.affected) {
      const add = (key: string, entry: AffectedPackage) => byKey.set(key, [...(byKey.get(key) ?? []), entry]);
      const key = pkg.purl ? matchKey(pkg.purl) : undefined;
      const pinned = key ? purlVersion(pkg.purl!) : undefined;
      const versions = [...pkg.versions, ...(pinned ? [pinned] : [])];
      const rest = { ranges: [...pkg.ranges], versions, ...(pkg.excluded ? { excluded: [...pkg.excluded] } : {}) };
      if (key) add(key, { purl: key, ...rest });
      // Components known by a CPE alone are indexed under CPE keys: the flaw is too.
      for (const cpe of pkg.cpes ?? []) add(cpe, { cpes: [cpe], ...rest });
    }
  }
  return byKey;
}

export interface ExposureDeps {
  index: MatchIndex;
  reports: ClearinghouseStore;
  kev: KevStore;
}

/** The operator's exposure to `v` (no affected components: none). */
export async function exposureOf(deps: ExposureDeps, operatorId: string, v: VulnerabilityDocument, packages: ReadonlyMap<string, AffectedPackage[]>): Promise<Exposure> {
  const affected = new Map<string, AffectedComponent>();
  for (const [key, pkgs] of packages) {
    const doc = await deps.index.key(key);
    const byCpe = key.startsWith('cpe:');
    for (const c of doc.components) {
      if (c.operatorId !== operatorId || (!byCpe && !c.purl)) continue;
      for (const pkg of pkgs) {
        const verdict = byCpe ? affectsByCpe(pkg, key, c.version) : affects(pkg, c.purl!);
        if (verdict.verdict !== 'affected') continue;
        const id = `${c.assetId}\u0000${byCpe ? `${key}@${c.version ?? ''}` : c.purl}`;
        const fixed = [...new Set([...(affected.get(id)?.fixedVersions ?? []), ...verdict.fixedVersions])];
        affected.set(id, { assetId: c.assetId, purl: byCpe ? '' : c.purl!, ...(byCpe ? { cpe: key } : {}), version: c.version ?? '', ...(c.bomRef ? { bomRef: c.bomRef } : {}), fixedVersions: fixed });
      }
    }
  }
  const { priority, reasons, tlp } = await scoringOf(deps, v);
  const kevListed = v.cves.length > 0 && (await deps.kev.entries(v.cves)).length > 0;
  return {
    affected: [...affected.values()],
    fix: { patches: [], workarounds: [] },
    priority: kevListed ? 'immediate' : priority,
    priorityReasons: reasons,
    kevListed,
    tlp,
  };
}

/** The highest priority among the flaw's reports, with its reasons, and their most restrictive TLP label (imports alone: CLEAR). */
async function scoringOf(deps: ExposureDeps, v: VulnerabilityDocument): Promise<{ priority: PriorityLevel; reasons: string[]; tlp: TlpLabel }> {
  let priority: PriorityLevel = 'routine';
  let reasons: string[] = [];
  const labels: TlpLabel[] = [];
  for (const id of v.members.filter((m) => validateReportId(m).length === 0).slice(0, MAX_RECORDS)) {
    const report = await deps.reports.get(id);
    if (!report) continue;
    labels.push(report.details.tlp);
    const p = report.scoring?.priority;
    if (p && PRIORITY_LEVELS.indexOf(p.level) >= PRIORITY_LEVELS.indexOf(priority)) {
      priority = p.level;
      reasons = [...p.reasons];
    }
  }
  return { priority, reasons, tlp: labels.length ? mostRestrictiveTlp(...labels) : 'CLEAR' };
}
