/** Between the wire (rampart.enforcement.v1) and the domain. */
import { formatZonedTime } from '@rampart/errors';
import { enumTable } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import {
  isOverdue, stepDeadline, type CustodyActionInput, type CustodyActionKind, type CustodyEntry, type EvidenceItem, type IndicatorType, type PriorityPolicy,
  type ReferralDetails, type ReferralDetailsInput, type ReferralStatus, type Statute, type StepDeadlines, type ViewedReferral,
} from '../domain';

const S = v1.ReferralStatus;
export const statuses = enumTable<ReferralStatus, v1.ReferralStatus>([
  ['candidate', S.REFERRAL_STATUS_CANDIDATE], ['dismissed', S.REFERRAL_STATUS_DISMISSED], ['received', S.REFERRAL_STATUS_RECEIVED], ['under_review', S.REFERRAL_STATUS_UNDER_REVIEW],
  ['accepted', S.REFERRAL_STATUS_ACCEPTED], ['declined', S.REFERRAL_STATUS_DECLINED], ['closed', S.REFERRAL_STATUS_CLOSED],
]);
const statutes = enumTable<Statute, v1.Statute>([['18 U.S.C. 1028', v1.Statute.STATUTE_18_USC_1028], ['18 U.S.C. 1030', v1.Statute.STATUTE_18_USC_1030], ['18 U.S.C. 1343', v1.Statute.STATUTE_18_USC_1343]]);
const I = v1.IndicatorType;
const indicatorTypes = enumTable<IndicatorType, v1.IndicatorType>([
  ['ipv4', I.INDICATOR_TYPE_IPV4], ['ipv6', I.INDICATOR_TYPE_IPV6], ['domain', I.INDICATOR_TYPE_DOMAIN], ['url', I.INDICATOR_TYPE_URL], ['email', I.INDICATOR_TYPE_EMAIL],
  ['file-sha256', I.INDICATOR_TYPE_FILE_SHA256], ['crypto-wallet', I.INDICATOR_TYPE_CRYPTO_WALLET], ['other', I.INDICATOR_TYPE_OTHER],
]);
const K = v1.CustodyActionKind;
const actions = enumTable<CustodyActionKind, v1.CustodyActionKind>([
  ['collected', K.CUSTODY_ACTION_KIND_COLLECTED], ['transferred', K.CUSTODY_ACTION_KIND_TRANSFERRED], ['examined', K.CUSTODY_ACTION_KIND_EXAMINED],
  ['returned', K.CUSTODY_ACTION_KIND_RETURNED], ['destroyed', K.CUSTODY_ACTION_KIND_DESTROYED],
]);

export function detailsFromWire(d: v1.ReferralDetails | undefined): ReferralDetailsInput | undefined {
  if (!d) return undefined;
  return {
    ...(d.victim ? { victim: { name: d.victim.name, contact: d.victim.contact, sector: d.victim.sector, size: d.victim.size } } : {}),
    lossUsdCents: d.lossUsdCents,
    occurredFrom: d.occurredFrom,
    occurredUntil: d.occurredUntil,
    timeZone: d.timeZone,
    indicators: d.indicators.map((i) => ({ type: indicatorTypes.fromWire(i.type) ?? `unknown (${i.type})`, value: i.value })),
    narrative: d.narrative,
    suspectedStatutes: d.suspectedStatutes.map((s) => statutes.fromWire(s) ?? `unknown (${s})`),
    aiEnabledIndicators: d.aiEnabledIndicators,
    exploitsKnownExploitedFlaw: d.exploitsKnownExploitedFlaw,
  };
}

function detailsToWire(d: ReferralDetails): v1.ReferralDetails {
  return {
    victim: { ...d.victim },
    lossUsdCents: d.lossUsdCents,
    occurredFrom: d.occurredFrom ? formatZonedTime(d.occurredFrom) : '',
    occurredUntil: d.occurredUntil ? formatZonedTime(d.occurredUntil) : '',
    timeZone: d.timeZone,
    indicators: d.indicators.map((i) => ({ type: indicatorTypes.toWire(i.type), value: i.value })),
    narrative: d.narrative,
    suspectedStatutes: d.suspectedStatutes.map((s) => statutes.toWire(s)),
    aiEnabledIndicators: [...d.aiEnabledIndicators],
    exploitsKnownExploitedFlaw: d.exploitsKnownExploitedFlaw,
  };
}

export function referralToWire(deadlines: StepDeadlines, { referral: r, view, redactedFields }: ViewedReferral, now: Date): v1.Referral {
  const deadline = stepDeadline(r, deadlines);
  const status = view === 'status';
  return {
    referralId: r.id,
    status: statuses.toWire(r.status),
    revision: r.revision,
    source: r.source,
    organization: r.organization,
    details: detailsToWire(r.details),
    priority: status ? undefined : { score: r.priority.score, factors: r.priority.factors.map((f) => ({ ...f })), policyVersion: r.priority.policyVersion },
    links: r.links.map((l) => ({ ...l })),
    assignee: r.assignee ?? '',
    routedTo: r.routedTo ?? '',
    reason: r.reason ?? '',
    outcome: r.outcome ?? '',
    receivedAt: r.receivedAt,
    statusSince: r.statusSince,
    stepDeadline: status ? undefined : deadline,
    overdue: !status && isOverdue(r, now, deadlines),
    redactedFields,
  };
}

export function policyToWire(p: PriorityPolicy): v1.PriorityPolicy {
  return { version: p.version, weights: { ...p.weights }, recencyHalfLifeDays: p.recencyHalfLifeDays, setBy: p.setBy, setAt: p.setAt };
}

export function actionFromWire(a: v1.CustodyAction | undefined): CustodyActionInput | undefined {
  if (!a) return undefined;
  return { kind: actions.fromWire(a.kind) ?? `unknown (${a.kind})`, handler: a.handler, at: a.at, location: a.location, purpose: a.purpose };
}

export function entryToWire(e: CustodyEntry): v1.CustodyEntry {
  return {
    evidenceId: e.evidenceId, sequence: e.sequence, recordedBy: e.recordedBy, recordedAt: e.recordedAt, previousHash: e.previousHash, hash: e.hash,
    action: { kind: actions.toWire(e.action.kind), handler: e.action.handler, at: formatZonedTime(e.action.at), timeZone: e.action.at.zone, location: e.action.location, purpose: e.action.purpose },
  };
}

export function evidenceToWire(e: EvidenceItem): v1.EvidenceItem {
  return { evidenceId: e.id, referralId: e.referralId, reference: e.reference, sha256: e.sha256, sizeBytes: e.sizeBytes, mediaType: e.mediaType, description: e.description, addedAt: e.addedAt, addedBy: e.addedBy };
}
