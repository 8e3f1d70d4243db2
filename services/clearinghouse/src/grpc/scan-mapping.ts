/** Coordinated scanning between the wire (scanning.proto) and the domain. */
import { enumTable } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { formatZonedTime, type ScanJob, type ScanKind, type ScanRequestInput, type ScanTarget, type ScanTargetKind, type ScanWindow } from '../domain/coordination';
import type { ScanFinding, ScanUnit, StoredScanRequest } from '../scanning/scan-store';

const { ScanKind: K, ScanTargetKind: T, ScanRequestStatus: S } = v1;

export const scanKinds = enumTable<ScanKind, v1.ScanKind>([
  ['passive', K.SCAN_KIND_PASSIVE],
  ['discovery', K.SCAN_KIND_DISCOVERY],
  ['vulnerability', K.SCAN_KIND_VULNERABILITY],
  ['authenticated', K.SCAN_KIND_AUTHENTICATED],
  ['source-code', K.SCAN_KIND_SOURCE_CODE],
]);
const targetKinds = enumTable<ScanTargetKind, v1.ScanTargetKind>([
  ['host', T.SCAN_TARGET_KIND_HOST],
  ['cidr', T.SCAN_TARGET_KIND_CIDR],
  ['domain', T.SCAN_TARGET_KIND_DOMAIN],
  ['repository', T.SCAN_TARGET_KIND_REPOSITORY],
]);

/** The request as filed; an unknown enum number becomes a value the domain refuses by name. */
export function scanRequestInputFromWire(r: v1.FileScanRequestRequest): ScanRequestInput {
  return {
    targets: r.targets.map((t) => ({ kind: targetKinds.fromWire(t.kind) ?? '', value: t.value, includeSubdomains: t.includeSubdomains })),
    scope: r.scope.map((k) => scanKinds.fromWire(k) ?? ''),
    window: { start: r.window?.start ?? '', end: r.window?.end ?? '' },
  };
}

export function targetToWire(t: ScanTarget): v1.ScanTarget {
  switch (t.kind) {
    case 'host': return { kind: T.SCAN_TARGET_KIND_HOST, value: t.host, includeSubdomains: false };
    case 'cidr': return { kind: T.SCAN_TARGET_KIND_CIDR, value: t.cidr, includeSubdomains: false };
    case 'domain': return { kind: T.SCAN_TARGET_KIND_DOMAIN, value: t.domain, includeSubdomains: true };
    case 'repository': return { kind: T.SCAN_TARGET_KIND_REPOSITORY, value: t.url, includeSubdomains: false };
  }
}

const windowToWire = (w: ScanWindow): v1.ScanWindow => ({ start: formatZonedTime(w.start), end: formatZonedTime(w.end) });

function statusToWire(r: StoredScanRequest, now: Date): v1.ScanRequestStatus {
  if (r.status === 'cancelled') return S.SCAN_REQUEST_STATUS_CANCELLED;
  return r.window.end.at.getTime() <= now.getTime() ? S.SCAN_REQUEST_STATUS_ENDED : S.SCAN_REQUEST_STATUS_OPEN;
}

/** An operator's (or an analyst's) view: the claimed jobs serving it, never who claimed them. */
export function scanRequestToWire(r: StoredScanRequest, units: readonly ScanUnit[], now: Date): v1.ScanRequest {
  return {
    id: r.id,
    operator: r.operator,
    requestedBy: r.requestedBy,
    targets: r.targets.map(targetToWire),
    scope: r.scope.map((k) => scanKinds.toWire(k)),
    window: windowToWire(r.window),
    fileTime: r.filedAt,
    status: statusToWire(r, now),
    serving: units.map((u) => ({ kind: scanKinds.toWire(u.kind), jobId: u.jobId, claimTime: u.claimedAt })),
    cancelTime: r.cancellation?.cancelledAt,
    cancelReason: r.cancellation?.reason ?? '',
  };
}

/** A scanner's view of a job: what, where and when, never whom it serves. */
export function scanJobToWire(job: ScanJob, claimedAt?: Date): v1.ScanJob {
  return { id: job.id, kind: scanKinds.toWire(job.kind), targets: job.targets.map(targetToWire), window: windowToWire(job.window), claimTime: claimedAt };
}

export function scanFindingToWire(f: ScanFinding): v1.ScanFinding {
  return {
    reportId: f.reportId, jobId: f.jobId, toolName: f.toolName, toolVersion: f.toolVersion ?? '', ruleId: f.ruleId, level: f.level, message: f.message,
    locationUri: f.locationUri ?? '', startLine: f.startLine ?? 0, fingerprint: f.fingerprint, cweIds: [...f.cweIds], receiveTime: f.receivedAt,
  };
}
