/**
 * Whether an operator must hear again about a flaw. An operator acts on what to patch and how: it is
 * told when it becomes affected, when a component of its becomes affected or stops being so, when a
 * fixed version or a patch appears, when a workaround is added, when urgency rises or the flaw joins KEV;
 * it is told it is no longer affected (a retraction). A change that leaves its remediation as it was
 * (the same facts in another order, a priority reason reworded, a lower priority) sends nothing.
 */
import { PRIORITY_LEVELS } from '../scoring/priority';
import type { AffectedComponent, Exposure, Notification } from './notification';

export type NotificationDecision =
  | { action: 'none' }
  | { action: 'issue' | 'revise' | 'retract'; kind: Notification['kind']; changes: string[] };

const componentKey = (c: AffectedComponent): string => `${c.assetId}\u0000${c.purl || `${c.cpe ?? ''}@${c.version}`}`;

const added = <T>(now: Iterable<T>, before: ReadonlySet<T>): T[] => [...now].filter((x) => !before.has(x));

/** The operator's affected components, fixes and patches compared with what it was last told. */
export function decideNotification(previous: Notification | undefined, current: Exposure): NotificationDecision {
  const affectedNow = current.affected.length > 0;
  if (previous === undefined || previous.kind === 'retracted') {
    return affectedNow ? { action: previous ? 'revise' : 'issue', kind: previous ? 'revised' : 'issued', changes: previous ? ['affected again'] : [] } : { action: 'none' };
  }
  if (!affectedNow) return { action: 'retract', kind: 'retracted', changes: ['no longer affected'] };

  const changes: string[] = [];
  const before = new Map(previous.affected.map((c) => [componentKey(c), c]));
  const now = new Map(current.affected.map((c) => [componentKey(c), c]));
  for (const key of added(now.keys(), new Set(before.keys()))) changes.push(`newly affected: ${describe(now.get(key)!)}`);
  for (const key of added(before.keys(), new Set(now.keys()))) changes.push(`no longer affected: ${describe(before.get(key)!)}`);
  for (const [key, c] of now) {
    const was = before.get(key);
    if (!was) continue;
    const fixed = added(c.fixedVersions, new Set(was.fixedVersions));
    if (fixed.length > 0) changes.push(`fixed version for ${describe(c)}: ${fixed.join(', ')}`);
  }
  const patches = added(current.fix.patches.map((p) => `${p.url} sha256:${p.sha256}`), new Set(previous.fix.patches.map((p) => `${p.url} sha256:${p.sha256}`)));
  for (const p of patches) changes.push(`new patch: ${p}`);
  for (const w of added(current.fix.workarounds, new Set(previous.fix.workarounds))) changes.push(`new workaround: ${w}`);
  if (current.kevListed && !previous.kevListed) changes.push('now in CISA KEV: exploited in the wild');
  if (PRIORITY_LEVELS.indexOf(current.priority) > PRIORITY_LEVELS.indexOf(previous.priority)) changes.push(`priority raised to ${current.priority}`);
  return changes.length === 0 ? { action: 'none' } : { action: 'revise', kind: 'revised', changes };
}

function describe(c: AffectedComponent): string {
  return `${c.purl || `${c.cpe ?? 'a component'} ${c.version}`} in asset ${c.assetId}`;
}

/** The next revision to send, from the decision (undefined when there is nothing to send). */
export function nextNotification(previous: Notification | undefined, current: Exposure, ids: { operatorId: string; vulnerabilityId: string }, now: Date): Notification | undefined {
  const decision = decideNotification(previous, current);
  if (decision.action === 'none') return undefined;
  return {
    ...ids,
    revision: (previous?.revision ?? 0) + 1,
    kind: decision.kind,
    affected: decision.action === 'retract' ? [] : sortedComponents(current.affected),
    fix: current.fix,
    priority: current.priority,
    priorityReasons: current.priorityReasons,
    kevListed: current.kevListed,
    tlp: current.tlp,
    changes: decision.changes,
    issuedAt: now.toISOString(),
  };
}

/** Components in one order, so the same exposure always serialises to the same bytes. */
export function sortedComponents(components: readonly AffectedComponent[]): AffectedComponent[] {
  return [...components]
    .map((c) => ({ ...c, fixedVersions: [...new Set(c.fixedVersions)] }))
    .sort((a, b) => (componentKey(a) < componentKey(b) ? -1 : componentKey(a) > componentKey(b) ? 1 : 0));
}
