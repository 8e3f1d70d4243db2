/**
 * Early access's events. Government-side ones (`rampart.access.{program,window,nomination,grant,signal}.*`,
 * CUI: a developer's plans) go to ACCESS_EVENTS; credential revocations go on the developer's own
 * subject, `rampart.developer.<org>.access.credential.revoked`, into ACCESS_RELEASABLE, for its
 * gateways' offline verifiers (ids and times only: no reason, no principal).
 */
import { developerSubject } from '@rampart/auth';
import { createEvent, eventStream, natsSubject, outboxEntry, type EventName, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { RevocationData, RevocationScope } from '@rampart/access-verifier';
import type { Grant } from '../domain/grants';
import type { NominationStep, PartnerNomination } from '../domain/partners';
import type { AccessProgram } from '../domain/program';
import type { InsiderRiskSignal } from '../domain/signals';

export const AREA = 'access';

export function accessStreams(replicas: number): StreamSpec[] {
  return [
    eventStream(AREA, 'ACCESS_EVENTS', ['program', 'window', 'nomination', 'grant', 'signal'], replicas),
    { ...eventStream(AREA, 'ACCESS_RELEASABLE', [], replicas), subjects: ['rampart.developer.*.access.>'] },
  ];
}

function entry<T extends { revision: number }>(name: EventName, entityId: string, data: T, now: Date): OutboxEntry {
  return outboxEntry(natsSubject(name), createEvent(name, entityId, data, now), now);
}

const iso = (d: Date | undefined) => d?.toISOString();

function programData(p: AccessProgram) {
  return {
    programId: p.id,
    revision: p.revision,
    organization: p.organization,
    modelName: p.modelName,
    modelVersion: p.modelVersion,
    status: p.status,
    ...(p.closeReason ? { closeReason: p.closeReason, closedAt: iso(p.closedAt) } : {}),
    window: {
      governmentStartAt: iso(p.window.governmentStartAt),
      governmentEndAt: iso(p.window.governmentEndAt),
      partnerReleaseAt: iso(p.window.partnerReleaseAt),
      publicReleaseAt: iso(p.window.publicReleaseAt),
      publicReleaseRecorded: p.window.publicReleaseRecorded,
    },
    requiredAgreements: p.requiredAgreements,
  };
}

/** What a write that ended other entities' grants says about them: their ids, revoked in that same write. */
export interface RevokedGrants {
  revokedGrantIds?: string[];
}

/**
 * `access.program.opened` / `.closed` and `access.window.changed`: the program at its new revision
 * (a window change names the grants it cut, revoked in the same write).
 */
export function programEvent(p: AccessProgram, [thing, verb]: ['program', 'opened' | 'closed'] | ['window', 'changed'], now: Date, revoked: RevokedGrants = {}): OutboxEntry {
  return entry({ area: AREA, thing, verb }, p.id, { ...programData(p), ...revoked }, now);
}

/** A step of a nomination (a removal names the partner's grants, revoked in the same write). */
export function nominationEvent(n: PartnerNomination, step: NominationStep, now: Date, revoked: RevokedGrants = {}): OutboxEntry {
  const data = {
    programId: n.programId,
    partnerOrganization: n.partnerOrganization,
    revision: n.revision,
    status: n.status,
    nominatedBy: { side: n.nominatedBy.side, by: n.nominatedBy.by },
    approvals: Object.fromEntries(Object.entries(n.approvals).map(([side, a]) => [side, { by: a.by, at: iso(a.at) }])),
    ...(n.closedBy ? { closedBy: { side: n.closedBy.side, by: n.closedBy.by }, reason: n.reason } : {}),
    ...revoked,
  };
  return entry({ area: AREA, thing: 'nomination', verb: step }, `${n.programId}:${n.partnerOrganization}`, data, now);
}

export function grantEvent(g: Grant, verb: 'issued' | 'revoked' | 'expired', now: Date): OutboxEntry {
  const data = {
    grantId: g.id,
    revision: g.revision,
    programId: g.programId,
    organization: g.organization,
    principal: g.principal,
    principalOrganization: g.principalOrganization,
    principalKind: g.principalKind,
    scopes: g.scopes,
    purpose: g.purpose,
    notBefore: iso(g.notBefore),
    notAfter: iso(g.notAfter),
    status: g.status,
    ...(g.endedAt ? { endedAt: iso(g.endedAt), endedBy: g.endedBy, reason: g.reason } : {}),
  };
  return entry({ area: AREA, thing: 'grant', verb }, g.id, data, now);
}

/** `access.signal.raised`, for enforcement: a lead for a person to review, naming its rule and records. */
export function signalEvent(s: InsiderRiskSignal, organization: string, now: Date): OutboxEntry {
  const data = { ...s, organization, raisedAt: s.raisedAt.toISOString(), revision: 1 };
  return entry({ area: AREA, thing: 'signal', verb: 'raised' }, s.id, data, now);
}

/** A revocation on the developer's own subject, for its gateways. */
export function revocationEvent(args: { organization: string; scope: RevocationScope; programId: string; grantId?: string; credentialId?: string; revision: number; now: Date }): OutboxEntry {
  const { organization, scope, programId, grantId, credentialId, revision, now } = args;
  const data: RevocationData = { organization, scope, programId, ...(grantId ? { grantId } : {}), ...(credentialId ? { credentialId } : {}), revokedAt: now.toISOString(), revision };
  const name = { area: AREA, thing: 'credential', verb: 'revoked' };
  const subjectId = credentialId ?? grantId ?? programId;
  return outboxEntry(developerSubject(organization, 'access.credential.revoked'), createEvent(name, subjectId, data, now), now);
}
