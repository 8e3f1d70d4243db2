/**
 * Candidates from other services' events: the clearinghouse's `exploitation.reported` (a flaw seen
 * exploited, with its AI-enabled tooling indicators and the flaw's priority) and early access's
 * `signal.raised` (an insider-risk lead naming its access-log records). A candidate is a Referral in
 * status `candidate`, owned by no referrer, until an enforcement analyst accepts or dismisses it.
 * Its id is derived from the event's id (a UUID v5), so an event redelivered any number of times
 * makes at most one candidate: the insert of that `_id` is the compare-and-set.
 */
import { v5 as uuidv5 } from 'uuid';
import { NO_REFERRER, type LinkedRecord, type Referral, type ReferralDetails } from './referral';
import { scoreReferral, type PriorityPolicy } from './priority';

/** The namespace of candidate ids (a fixed random UUID: ids are `uuidv5(event id, this)`). */
const CANDIDATE_NAMESPACE = '3f0f6f1e-9b5e-4f5e-8d3c-6a1f2b7c9e40';

export function candidateId(eventId: string): string {
  return uuidv5(eventId, CANDIDATE_NAMESPACE);
}

/** Why an event cannot become a candidate (a poison message), or undefined. */
export class CandidateDataError extends Error {}

type Data = Record<string, unknown>;
const str = (d: Data, k: string): string => {
  const v = d[k];
  if (typeof v !== 'string' || v === '' || v.length > 2_048) throw new CandidateDataError(`event data has no ${k}`);
  return v;
};
const opt = (d: Data, k: string): string | undefined => {
  const v = d[k];
  return typeof v === 'string' && v.length <= 2_048 ? v : undefined;
};
const rec = (v: unknown): Data => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});

/** An empty victim: an analyst fills in who was harmed on accepting the candidate. */
const UNKNOWN_VICTIM = { name: 'unknown (to be established)', contact: '', sector: 'other', size: 'individual' } as const;

function candidate(id: string, source: Referral['source'], details: ReferralDetails, links: LinkedRecord[], filedBy: string, at: Date, policy: PriorityPolicy, now: Date): Referral {
  return {
    id, organization: NO_REFERRER, source, status: 'candidate', revision: 1, details, links, filedBy, receivedAt: at, statusSince: at,
    priority: scoreReferral({ details, receivedAt: at }, policy, now),
  };
}

const AI_INDICATOR = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** From `rampart.clearinghouse.exploitation.reported`. */
export function exploitationCandidate(eventId: string, data: Data, policy: PriorityPolicy, now: Date): Referral {
  const exploitationId = str(data, 'exploitationId');
  const flawId = str(data, 'flawId');
  const observed = new Date(str(data, 'observedTime'));
  if (!Number.isFinite(observed.getTime())) throw new CandidateDataError('event data has no valid observedTime');
  const indicators = (Array.isArray(data.indicators) ? data.indicators : []).filter((i): i is string => typeof i === 'string' && i.length <= 100 && AI_INDICATOR.test(i)).slice(0, 20);
  const flaw = rec(data.flaw);
  const priority = typeof flaw.priority === 'string' ? flaw.priority : typeof rec(flaw.priority).level === 'string' ? (rec(flaw.priority).level as string) : undefined;
  const kev = flaw.kevListed === true || priority === 'immediate';
  const zone = opt(data, 'observedAt')?.match(/\[([^\]]+)\]$/)?.[1] ?? '';
  const details: ReferralDetails = {
    victim: { ...UNKNOWN_VICTIM },
    lossUsdCents: 0,
    occurredFrom: { at: observed, zone: zone || 'Z' },
    timeZone: zone,
    indicators: [],
    narrative: `Exploitation of ${flawId} observed ${opt(data, 'observedAt') ?? observed.toISOString()}, reported to the clearinghouse by ${opt(data, 'reportedByOrganization') ?? 'a reporter'}${priority ? ` (flaw priority ${priority})` : ''}.${typeof data.otherIndicators === 'string' && data.otherIndicators ? ` Other indicators: ${data.otherIndicators.slice(0, 2_000)}` : ''}`,
    suspectedStatutes: ['18 U.S.C. 1030'],
    aiEnabledIndicators: indicators,
    exploitsKnownExploitedFlaw: kev,
  };
  const links: LinkedRecord[] = [{ kind: 'clearinghouse.exploitation', id: exploitationId }, { kind: 'clearinghouse.flaw', id: flawId }];
  return candidate(candidateId(eventId), 'exploitation', details, links, `clearinghouse:${opt(data, 'reportedBy') ?? 'unknown'}`, now, policy, now);
}

/** From `rampart.access.signal.raised`. */
export function signalCandidate(eventId: string, data: Data, policy: PriorityPolicy, now: Date): Referral {
  const signalId = str(data, 'id');
  const programId = str(data, 'programId');
  const rule = str(data, 'rule');
  const raised = new Date(str(data, 'raisedAt'));
  if (!Number.isFinite(raised.getTime())) throw new CandidateDataError('event data has no valid raisedAt');
  const sequences = (Array.isArray(data.recordSequences) ? data.recordSequences : []).filter((n): n is number => Number.isSafeInteger(n) && (n as number) > 0).slice(0, 100);
  const details: ReferralDetails = {
    victim: { name: opt(data, 'organization') ?? 'the developer', contact: '', sector: 'information-technology', size: 'large' },
    lossUsdCents: 0,
    occurredFrom: { at: raised, zone: 'Z' },
    timeZone: '',
    indicators: [],
    narrative: `Insider-risk signal ${rule} on early-access program ${programId}: ${(opt(data, 'description') ?? '').slice(0, 2_000)} (principal ${opt(data, 'principal') ?? 'unknown'} of ${opt(data, 'principalOrganization') ?? 'unknown'}).`,
    suspectedStatutes: ['18 U.S.C. 1030'],
    aiEnabledIndicators: ['model-access-misuse'],
    exploitsKnownExploitedFlaw: false,
  };
  const links: LinkedRecord[] = [
    { kind: 'access.signal', id: signalId },
    { kind: 'access.program', id: programId },
    ...sequences.map((n): LinkedRecord => ({ kind: 'access.record', id: `${programId}:${n}` })),
  ];
  return candidate(candidateId(eventId), 'insider-risk', details, links, 'early-access', now, policy, now);
}
