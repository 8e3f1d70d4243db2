/**
 * An operator's request to have its own targets scanned: what (scan-targets.ts), which kinds of
 * test, and when. Rampart coordinates scans, it does not run them.
 *
 * Kinds of test (a job is one kind; nothing intrusive is on offer):
 * - `passive`: nothing sent beyond what any visitor sends (DNS, certificates, banners, public sources).
 * - `discovery`: host and port discovery (ping, TCP and UDP port scans).
 * - `vulnerability`: unauthenticated, non-destructive checks of the services found.
 * - `authenticated`: checks with credentials the operator gives the scanner out of band.
 * - `source-code`: static analysis of repositories (code, dependencies, secrets).
 * Not offered: exploitation, denial of service, social engineering. `source-code` applies to
 * repositories only, and every other kind to hosts, networks and domains only; every target must
 * fit some requested kind, and every kind some target.
 *
 * The window is [start, end), both with an explicit zone: at least 15 minutes, at most 30 days,
 * ending at least 15 minutes from now and starting within a year. A start in the past means "from
 * now". At most 100 targets and 262,144 IPv4 addresses (four /16s) per request.
 */
import { ValidationError, type FieldViolation } from '@rampart/errors';
import type { Caller } from '@rampart/auth';
import { ipv4AddressCount, parseScanTarget, unionTargets, type ScanTarget, type ScanTargetInput } from './scan-targets';
import { parseZonedTime, type ZonedTime } from './zoned-time';

export const SCAN_KINDS = ['passive', 'discovery', 'vulnerability', 'authenticated', 'source-code'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const SCAN_LIMITS = {
  targets: 100,
  ipv4Addresses: 4n * 65_536n,
  /** Shortest window, and the shortest stretch a job is planned for. */
  minWindowMs: 15 * MINUTE_MS,
  maxWindowMs: 30 * DAY_MS,
  maxStartAheadMs: 365 * DAY_MS,
} as const;

export interface ScanWindow {
  /** Inclusive. */
  start: ZonedTime;
  /** Exclusive. */
  end: ZonedTime;
}

export interface ScanRequest {
  id: string;
  /** The operator organisation that owns the targets. */
  operator: string;
  requestedBy: string;
  /** Canonical and deduplicated (unionTargets). */
  targets: ScanTarget[];
  /** Each kind once, in SCAN_KINDS order. */
  scope: ScanKind[];
  window: ScanWindow;
  filedAt: Date;
}

export interface ScanRequestInput {
  targets?: (ScanTargetInput | undefined)[];
  scope?: (string | undefined)[];
  window?: { start?: string; end?: string };
}

/** Does a test of `kind` apply to `target`? */
export function kindApplies(kind: ScanKind, target: ScanTarget): boolean {
  return (kind === 'source-code') === (target.kind === 'repository');
}

/**
 * Checks a filed request; throws a ValidationError naming every violation (`targets[i].kind`,
 * `targets[i].value`, `scope[i]`, `window.start`, `window.end`, ...). `id` is the new request's id.
 */
export function validateScanRequest(input: ScanRequestInput, id: string, operator: Pick<Caller, 'organization' | 'subject'>, now: Date): ScanRequest {
  const out: FieldViolation[] = [];
  const inputs = input.targets ?? [];
  if (inputs.length === 0) out.push({ field: 'targets', description: 'must name at least one target' });
  if (inputs.length > SCAN_LIMITS.targets) out.push({ field: 'targets', description: `must have at most ${SCAN_LIMITS.targets} targets (got ${inputs.length})` });
  const parsed = inputs.slice(0, SCAN_LIMITS.targets).map((t, i) => ({ i, target: parseScanTarget(out, `targets[${i}]`, t) }));

  const kinds = input.scope ?? [];
  if (kinds.length === 0) out.push({ field: 'scope', description: `must name at least one kind of test: ${SCAN_KINDS.join(', ')}` });
  kinds.slice(0, 20).forEach((k, i) => {
    if (!(SCAN_KINDS as readonly (string | undefined)[]).includes(k)) out.push({ field: `scope[${i}]`, description: `must be one of ${SCAN_KINDS.join(', ')}` });
  });
  if (kinds.length > 20) out.push({ field: 'scope', description: 'must have at most 20 entries' });
  const scope = SCAN_KINDS.filter((k) => kinds.includes(k));

  for (const { i, target } of parsed) {
    if (target && scope.length > 0 && !scope.some((k) => kindApplies(k, target))) {
      out.push({ field: `targets[${i}]`, description: target.kind === 'repository' ? 'is a repository, which only a source-code test applies to: add source-code to the scope' : 'is scanned by network tests only (passive, discovery, vulnerability, authenticated): add one to the scope' });
    }
  }
  const targets = parsed.flatMap((p) => (p.target ? [p.target] : []));
  if (targets.length === parsed.length && parsed.length > 0) {
    for (const k of scope) {
      if (!targets.some((t) => kindApplies(k, t))) {
        out.push({ field: 'scope', description: k === 'source-code' ? 'has source-code but no repository target' : `has ${k} but no host, network or domain target` });
      }
    }
    const addresses = ipv4AddressCount(targets);
    if (addresses > SCAN_LIMITS.ipv4Addresses) out.push({ field: 'targets', description: `name ${addresses} IPv4 addresses: at most ${SCAN_LIMITS.ipv4Addresses} per request` });
  }

  const start = parseZonedTime(out, 'window.start', input.window?.start);
  const end = parseZonedTime(out, 'window.end', input.window?.end);
  if (start && end) {
    const length = end.at.getTime() - start.at.getTime();
    if (length < SCAN_LIMITS.minWindowMs) out.push({ field: 'window.end', description: 'must be at least 15 minutes after the start' });
    else if (length > SCAN_LIMITS.maxWindowMs) out.push({ field: 'window.end', description: 'must be at most 30 days after the start' });
    else if (end.at.getTime() < now.getTime() + SCAN_LIMITS.minWindowMs) out.push({ field: 'window.end', description: `must be at least 15 minutes after now (${now.toISOString()})` });
    if (start.at.getTime() > now.getTime() + SCAN_LIMITS.maxStartAheadMs) out.push({ field: 'window.start', description: 'must be within a year from now' });
  }
  ValidationError.throwIfAny(out);
  return { id, operator: operator.organization, requestedBy: operator.subject, targets: unionTargets(targets), scope, window: { start: start!, end: end! }, filedAt: now };
}
