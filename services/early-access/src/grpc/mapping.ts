/** Between the wire (rampart.access.v1) and the domain. */
import { enumTable } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import type { AccessRecord } from '../domain/access-log';
import type { AgreementAcceptance, AgreementKind, AgreementTemplate } from '../domain/agreements';
import type { Grant, GrantStatus } from '../domain/grants';
import type { NominationStatus, PartnerNomination, Side } from '../domain/partners';
import type { AccessProgram, CloseReason } from '../domain/program';
import type { InsiderRiskSignal, SignalRule } from '../domain/signals';
import type { PrincipalKind } from '../domain/window';
import type { StoredCheckpoint } from '../access-log/log-store';

const K = v1.AgreementKind;
export const agreementKinds = enumTable<AgreementKind, v1.AgreementKind>([
  ['confidentiality', K.AGREEMENT_KIND_CONFIDENTIALITY],
  ['cybersecurity', K.AGREEMENT_KIND_CYBERSECURITY],
  ['insider_risk', K.AGREEMENT_KIND_INSIDER_RISK],
  ['ip_protection_and_use', K.AGREEMENT_KIND_IP_PROTECTION_AND_USE],
  ['non_disclosure', K.AGREEMENT_KIND_NON_DISCLOSURE],
]);
const P = v1.PrincipalKind;
export const principalKinds = enumTable<PrincipalKind, v1.PrincipalKind>([['government', P.PRINCIPAL_KIND_GOVERNMENT], ['partner', P.PRINCIPAL_KIND_PARTNER]]);
const S = v1.Side;
const sides = enumTable<Side, v1.Side>([['developer', S.SIDE_DEVELOPER], ['government', S.SIDE_GOVERNMENT]]);
const N = v1.NominationStatus;
const nominationStatuses = enumTable<NominationStatus, v1.NominationStatus>([['nominated', N.NOMINATION_STATUS_NOMINATED], ['selected', N.NOMINATION_STATUS_SELECTED], ['vetoed', N.NOMINATION_STATUS_VETOED], ['removed', N.NOMINATION_STATUS_REMOVED]]);
const G = v1.GrantStatus;
const grantStatuses = enumTable<GrantStatus, v1.GrantStatus>([['active', G.GRANT_STATUS_ACTIVE], ['revoked', G.GRANT_STATUS_REVOKED], ['expired', G.GRANT_STATUS_EXPIRED]]);
const R = v1.SignalRule;
export const signalRules = enumTable<SignalRule, v1.SignalRule>([
  ['outside_window', R.SIGNAL_RULE_OUTSIDE_WINDOW],
  ['after_revocation_or_expiry', R.SIGNAL_RULE_AFTER_REVOCATION_OR_EXPIRY],
  ['no_current_agreement', R.SIGNAL_RULE_NO_CURRENT_AGREEMENT],
  ['not_selected_partner', R.SIGNAL_RULE_NOT_SELECTED_PARTNER],
  ['volume_above_baseline', R.SIGNAL_RULE_VOLUME_ABOVE_BASELINE],
]);
const C = v1.CloseReason;
const closeReasons = enumTable<CloseReason, v1.CloseReason>([['withdrawn', C.CLOSE_REASON_WITHDRAWN], ['public_release', C.CLOSE_REASON_PUBLIC_RELEASE]]);

export function programToWire(p: AccessProgram): v1.AccessProgram {
  return v1.AccessProgram.fromPartial({
    id: p.id,
    organization: p.organization,
    modelName: p.modelName,
    modelVersion: p.modelVersion,
    status: p.status === 'open' ? v1.ProgramStatus.PROGRAM_STATUS_OPEN : v1.ProgramStatus.PROGRAM_STATUS_CLOSED,
    closeReason: p.closeReason ? closeReasons.toWire(p.closeReason) : 0,
    window: {
      governmentStartTime: p.window.governmentStartAt,
      governmentEndTime: p.window.governmentEndAt,
      partnerReleaseTime: p.window.partnerReleaseAt,
      publicReleaseTime: p.window.publicReleaseAt,
      publicReleaseRecorded: p.window.publicReleaseRecorded,
    },
    requiredAgreements: p.requiredAgreements.map(agreementKinds.toWire),
    openedBy: p.openedBy,
    openTime: p.openedAt,
    closeTime: p.closedAt,
    revision: p.revision,
    updateTime: p.updatedAt,
    submissionRevision: p.submissionRevision,
  });
}

export function agreementToWire(a: AgreementTemplate): v1.Agreement {
  return { kind: agreementKinds.toWire(a.kind), version: a.version, title: a.title, text: a.text, contentHash: a.contentHash, publishedBy: a.publishedBy, publishTime: a.publishedAt };
}

export function acceptanceToWire(a: AgreementAcceptance): v1.AgreementAcceptance {
  return { programId: a.programId, principal: a.principal, principalOrganization: a.principalOrganization, kind: agreementKinds.toWire(a.kind), version: a.version, contentHash: a.contentHash, acceptTime: a.acceptedAt };
}

export function nominationToWire(n: PartnerNomination): v1.PartnerNomination {
  const approval = (side: Side) => {
    const a = n.approvals[side];
    return a ? { approvedBy: a.by, approveTime: a.at } : undefined;
  };
  return v1.PartnerNomination.fromPartial({
    programId: n.programId,
    partnerOrganization: n.partnerOrganization,
    status: nominationStatuses.toWire(n.status),
    nominatedBySide: sides.toWire(n.nominatedBy.side),
    nominatedBy: n.nominatedBy.by,
    developerApproval: approval('developer'),
    governmentApproval: approval('government'),
    closedBySide: n.closedBy ? sides.toWire(n.closedBy.side) : 0,
    closedBy: n.closedBy?.by ?? '',
    reason: n.reason,
    revision: n.revision,
    updateTime: n.updatedAt,
  });
}

/** A grant as of `now`: an active grant past its time box reads as expired before its timer fires. */
export function grantToWire(g: Grant, status: GrantStatus): v1.Grant {
  return v1.Grant.fromPartial({
    id: g.id,
    programId: g.programId,
    organization: g.organization,
    principal: g.principal,
    principalOrganization: g.principalOrganization,
    principalKind: principalKinds.toWire(g.principalKind),
    scopes: g.scopes,
    purpose: g.purpose,
    notBeforeTime: g.notBefore,
    notAfterTime: g.notAfter,
    status: grantStatuses.toWire(status),
    issuedBy: g.issuedBy,
    issueTime: g.issuedAt,
    endedBy: g.endedBy ?? '',
    endTime: g.endedAt,
    reason: g.reason ?? '',
    revision: g.revision,
  });
}

export function recordToWire(r: AccessRecord): v1.AccessRecord {
  const u = r.use;
  return {
    programId: r.programId,
    sequence: r.sequence,
    principal: u.principal,
    principalOrganization: u.principalOrganization,
    credentialId: u.credentialId,
    grantId: u.grantId,
    operation: u.operation,
    volume: u.volume,
    occurTime: new Date(u.occurredAt),
    recordTime: new Date(u.recordedAt),
    reportedBy: u.reportedBy,
    previousHash: r.previousHash,
    hash: r.hash,
  };
}

export function checkpointToWire(c: StoredCheckpoint): v1.Checkpoint {
  return { programId: c.programId, sequence: c.sequence, hash: c.hash, signTime: new Date(c.signedAt), jws: c.jws };
}

export function signalToWire(s: InsiderRiskSignal): v1.InsiderRiskSignal {
  return { id: s.id, programId: s.programId, rule: signalRules.toWire(s.rule), description: s.description, recordSequences: s.recordSequences, principal: s.principal, principalOrganization: s.principalOrganization, raiseTime: s.raisedAt };
}
