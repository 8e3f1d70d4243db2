/**
 * Failed authentications into the audit trail, at a bounded rate. Every refused token is an event
 * worth recording (AU-2), but refusing costs an attacker nothing, so a flood of forged tokens must not
 * become a flood of records that buries the real ones or fills the trail's queue: in each one-second
 * window the first `perSecond` refusals of each reason are recorded in full, the rest only counted,
 * and one summary record per window says how many were suppressed, by reason and by RPC. A budget per
 * reason keeps a flood of forged signatures from crowding out the refusals genuine clients meet
 * (an expired token, a wrong audience: reasons only a token the issuer really signed can reach).
 *
 * A refusal record is UNCLASSIFIED whatever the token claimed (the caller chose the claims, and with
 * them would choose which auditors see its attempts); the claimed subject, an identity that may be
 * classified at the claimed clearance, is kept only when that clearance is UNCLASSIFIED or absent.
 */
import { claimedIdentity, refusalReasonOf, type ClaimedIdentity, type RefusalReason } from '@rampart/auth';
import type { AuditSink, RecordedClaim, RefusalSummaryRecord } from './audit';

export const DEFAULT_REFUSALS_PER_SECOND = 10;
const WINDOW_MS = 1_000;
/** What the caller was told, as kept in the record: our own text, bounded, printable only. */
const MAX_DETAIL = 200;

export interface Refusal {
  /** `/package.Service/Method` */
  path: string;
  /** The bearer token presented, if any: read for its claims, never kept. */
  token: string | undefined;
  error: unknown;
  peer: string;
  startedAtIso: string;
  traceId?: string;
}

interface Window {
  startedAt: number;
  /** Refusals recorded one by one in this window, by reason. */
  recorded: Map<RefusalReason, number>;
  suppressed?: Omit<RefusalSummaryRecord, 'to'> & { timer: NodeJS.Timeout };
}

function split(path: string): { service: string; rpc: string } {
  const slash = path.lastIndexOf('/');
  return { service: path.slice(1, slash), rpc: path.slice(slash + 1) };
}

/**
 * What of a claimed identity an UNCLASSIFIED record may carry: the subject only when the token says
 * its holder is UNCLASSIFIED. A missing or malformed clearance claim may still belong to a cleared
 * person (a really-signed token with a bad claim), so it withholds the subject too.
 */
export function unclassifiedClaim(claimed: ClaimedIdentity): RecordedClaim {
  if (claimed.subject === undefined || claimed.clearance === 'UNCLASSIFIED') return claimed;
  const { subject: _withheld, ...rest } = claimed;
  return { ...rest, subjectWithheld: true };
}

function detailOf(error: unknown): string {
  const text = error instanceof Error ? error.message : 'refused';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  return text.replace(/[\u0000-\u001F\u007F]/g, ' ').slice(0, MAX_DETAIL);
}

export class RefusalAudit {
  /** One window per service: a flood against one service does not silence another's records. */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly sink: AuditSink,
    private readonly perSecond = DEFAULT_REFUSALS_PER_SECOND,
  ) {}

  /** Records one refused authentication, or counts it; never throws. */
  refused(refusal: Refusal): void {
    const { service, rpc } = split(refusal.path);
    const reason = refusalReasonOf(refusal.error);
    const now = Date.now();
    let window = this.windows.get(service);
    if (!window || now - window.startedAt >= WINDOW_MS) {
      if (window) this.summarise(service, window);
      window = { startedAt: now, recorded: new Map() };
      this.windows.set(service, window);
    }
    const recorded = window.recorded.get(reason) ?? 0;
    if (recorded < this.perSecond) {
      window.recorded.set(reason, recorded + 1);
      this.sink.record({
        kind: 'authentication-refused',
        marking: 'UNCLASSIFIED',
        service,
        rpc,
        claimed: unclassifiedClaim(claimedIdentity(refusal.token)),
        reason,
        detail: detailOf(refusal.error),
        peer: refusal.peer.slice(0, 100),
        startedAt: refusal.startedAtIso,
        ...(refusal.traceId ? { traceId: refusal.traceId } : {}),
      });
      return;
    }
    this.count(service, window, rpc, reason, now);
  }

  /** Records the summaries still open (at shutdown, before the trail's last flush). */
  flush(): void {
    for (const [service, window] of this.windows) this.summarise(service, window);
    this.windows.clear();
  }

  private count(service: string, window: Window, rpc: string, reason: RefusalReason, now: number): void {
    if (!window.suppressed) {
      // The summary goes out when the window ends, whether or not another refusal comes.
      const timer = setTimeout(() => {
        if (this.windows.get(service) === window) this.windows.delete(service);
        this.summarise(service, window);
      }, window.startedAt + WINDOW_MS - now);
      timer.unref();
      window.suppressed = { kind: 'authentication-refused-suppressed', marking: 'UNCLASSIFIED', service, suppressed: 0, byReason: {}, byRpc: {}, from: new Date(now).toISOString(), timer };
    }
    const s = window.suppressed;
    s.suppressed++;
    s.byReason[reason] = (s.byReason[reason] ?? 0) + 1;
    // Only registered methods reach a handler, so the keys are bounded by the service's RPCs.
    s.byRpc[rpc] = (s.byRpc[rpc] ?? 0) + 1;
  }

  private summarise(service: string, window: Window): void {
    const s = window.suppressed;
    if (!s) return;
    window.suppressed = undefined;
    clearTimeout(s.timer);
    const { timer: _timer, ...summary } = s;
    this.sink.record({ ...summary, service, to: new Date(window.startedAt + WINDOW_MS).toISOString() });
  }
}
