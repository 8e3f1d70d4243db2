/**
 * Trusted partners, selected jointly (EO 14409 s.3): either side nominates a partner organisation
 * (nominating is that side's approval); it is selected only once both sides approved; either side
 * may veto it before, or remove it after. A vetoed or removed partner may be nominated again, which
 * starts a new round with no approvals carried over.
 */
import { FailedPreconditionError, ValidationError } from '@rampart/errors';

export type Side = 'developer' | 'government';
export type NominationStatus = 'nominated' | 'selected' | 'vetoed' | 'removed';
export type NominationStep = 'nominated' | 'approved' | 'selected' | 'vetoed' | 'removed';

export interface Approval {
  by: string;
  at: Date;
}

export interface PartnerNomination {
  programId: string;
  partnerOrganization: string;
  status: NominationStatus;
  nominatedBy: { side: Side; by: string; at: Date };
  approvals: Partial<Record<Side, Approval>>;
  closedBy?: { side: Side; by: string; at: Date };
  reason: string;
  revision: number;
  updatedAt: Date;
}

export interface NominationChange {
  next: PartnerNomination;
  /** What happened, in order (an approval that completes the pair is `approved` then `selected`). */
  steps: NominationStep[];
}

const other = (side: Side): Side => (side === 'developer' ? 'government' : 'developer');

/**
 * `side` nominates a partner. `governmentOrganization`: the partner is one of the configured
 * government organisations, whose principals get government grants and could never hold a partner grant.
 */
export function nominate(current: PartnerNomination | undefined, args: { programId: string; developerOrganization: string; partnerOrganization: string; governmentOrganization: boolean; side: Side; actor: string; reason: string; now: Date }): NominationChange {
  if (args.partnerOrganization === args.developerOrganization) throw new FailedPreconditionError('the developer organisation cannot be its own trusted partner');
  if (args.governmentOrganization) {
    throw new ValidationError([{ field: 'partner_organization', description: `${args.partnerOrganization} is a government organisation: its principals get government grants, so it cannot be a trusted partner` }]);
  }
  if (current && (current.status === 'nominated' || current.status === 'selected')) {
    throw new FailedPreconditionError(`${args.partnerOrganization} is already ${current.status} for program ${args.programId}`);
  }
  const { now, side, actor } = args;
  return {
    next: {
      programId: args.programId,
      partnerOrganization: args.partnerOrganization,
      status: 'nominated',
      nominatedBy: { side, by: actor, at: now },
      approvals: { [side]: { by: actor, at: now } },
      reason: args.reason,
      revision: (current?.revision ?? 0) + 1,
      updatedAt: now,
    },
    steps: ['nominated'],
  };
}

/** `side` approves; selected once both sides have. Approving twice changes nothing (undefined). */
export function approve(current: PartnerNomination, side: Side, actor: string, now: Date): NominationChange | undefined {
  if (current.status !== 'nominated') throw new FailedPreconditionError(`${current.partnerOrganization} is ${current.status}, not awaiting approval`);
  if (current.approvals[side]) return undefined;
  const approvals = { ...current.approvals, [side]: { by: actor, at: now } };
  const selected = !!approvals[other(side)];
  return {
    next: { ...current, approvals, status: selected ? 'selected' : 'nominated', revision: current.revision + 1, updatedAt: now },
    steps: selected ? ['approved', 'selected'] : ['approved'],
  };
}

/** Either side refuses a nomination not yet selected. */
export function veto(current: PartnerNomination, side: Side, actor: string, reason: string, now: Date): NominationChange {
  if (current.status !== 'nominated') throw new FailedPreconditionError(`${current.partnerOrganization} is ${current.status}: only a nomination awaiting approval can be vetoed${current.status === 'selected' ? ' (remove a selected partner instead)' : ''}`);
  return { next: { ...current, status: 'vetoed', closedBy: { side, by: actor, at: now }, reason, revision: current.revision + 1, updatedAt: now }, steps: ['vetoed'] };
}

/** Either side removes a selected partner (its grants are then revoked). */
export function remove(current: PartnerNomination, side: Side, actor: string, reason: string, now: Date): NominationChange {
  if (current.status !== 'selected') throw new FailedPreconditionError(`${current.partnerOrganization} is ${current.status}: only a selected partner can be removed${current.status === 'nominated' ? ' (veto a nomination instead)' : ''}`);
  return { next: { ...current, status: 'removed', closedBy: { side, by: actor, at: now }, reason, revision: current.revision + 1, updatedAt: now }, steps: ['removed'] };
}

/**
 * The selection round a nomination is in while selected (undefined otherwise). A selected
 * nomination changes only by its removal, so the revision that selected it names the round: a
 * partner removed and selected again is in a new round, and grants of the old one stay ended.
 */
export function selectionOf(n: PartnerNomination | undefined): number | undefined {
  return n?.status === 'selected' ? n.revision : undefined;
}
