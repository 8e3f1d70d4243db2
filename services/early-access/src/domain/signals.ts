/**
 * Insider-risk signals: rules over each reported use. A signal names its rule and the access-log
 * records behind it. Signals are leads, not accusations: enforcement treats each as a candidate for
 * a person to review.
 *
 * 1. outside_window: the use falls outside where its principal may use access (the government
 *    window and partner phase, or the partner phase only) or before its grant starts.
 * 2. after_revocation_or_expiry: the use comes at or after its credential's or grant's revocation,
 *    its credential's expiry, its grant's end, or the program's closing.
 * 3. no_current_agreement: the principal has not accepted the current version of every agreement
 *    the program requires.
 * 4. not_selected_partner: a partner principal whose organisation is not (or no longer) a selected
 *    partner; or a use by someone other than the credential's holder.
 * 5. volume_above_baseline: the volume exceeds a configured factor times the median of the
 *    principal's own trailing uses (once it has enough of them).
 */
import type { Grant } from './grants';
import type { AccessProgram } from './program';
import { phaseAt } from './window';

export const SIGNAL_RULES = ['outside_window', 'after_revocation_or_expiry', 'no_current_agreement', 'not_selected_partner', 'volume_above_baseline'] as const;
export type SignalRule = (typeof SIGNAL_RULES)[number];

export interface InsiderRiskSignal {
  /** `<programId>:<sequence>:<rule>`: one per rule per record. */
  id: string;
  programId: string;
  rule: SignalRule;
  description: string;
  recordSequences: number[];
  principal: string;
  principalOrganization: string;
  raisedAt: Date;
}

/** The credential as issued (the service's record of it). */
export interface IssuedCredential {
  id: string;
  grantId: string;
  programId: string;
  principal: string;
  principalOrganization: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** A principal's earlier uses, latest last. */
export interface BaselineUse {
  sequence: number;
  volume: number;
}

export interface VolumePolicy {
  factor: number;
  minUses: number;
}

export interface UseFacts {
  sequence: number;
  principal: string;
  principalOrganization: string;
  occurredAt: Date;
  volume: number;
  program: AccessProgram;
  grant: Grant;
  credential: IssuedCredential;
  /** Required agreements whose current version the principal has not accepted. */
  missingAgreements: string[];
  /** For partner grants: is the principal's organisation a selected partner now. */
  partnerSelected: boolean;
  baseline: BaselineUse[];
  policy: VolumePolicy;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function evaluateUse(f: UseFacts, now: Date): InsiderRiskSignal[] {
  const out: InsiderRiskSignal[] = [];
  const raise = (rule: SignalRule, description: string, recordSequences = [f.sequence]) =>
    out.push({ id: `${f.program.id}:${f.sequence}:${rule}`, programId: f.program.id, rule, description, recordSequences, principal: f.principal, principalOrganization: f.principalOrganization, raisedAt: now });
  const t = f.occurredAt.getTime();
  const at = f.occurredAt.toISOString();
  const { grant, credential, program } = f;

  if (t < grant.notBefore.getTime()) raise('outside_window', `used at ${at}, before its grant starts (${grant.notBefore.toISOString()})`);
  else if (!phaseAt(program.window, grant.principalKind, f.occurredAt) && t < program.window.publicReleaseAt.getTime()) {
    raise('outside_window', `used at ${at}, outside the ${grant.principalKind === 'government' ? 'government window and partner phase' : 'partner phase'}`);
  }

  const ends: [string, Date | undefined][] = [
    ['its credential was revoked', grant.revokedCredentials.find((c) => c.id === credential.id)?.at],
    [`its grant was ${grant.status}`, grant.status !== 'active' ? grant.endedAt : undefined],
    ['its credential expired', credential.expiresAt],
    ['its grant ended', grant.notAfter],
    [`the program closed${program.closeReason ? ` (${program.closeReason.replace('_', ' ')})` : ''}`, program.closedAt],
    ['the public release ended early access', program.window.publicReleaseAt],
  ];
  const passed = ends.filter((e): e is [string, Date] => !!e[1] && t >= e[1].getTime()).sort((a, b) => a[1].getTime() - b[1].getTime());
  if (passed.length > 0) raise('after_revocation_or_expiry', `used at ${at}, after ${passed.map(([what, when]) => `${what} at ${when.toISOString()}`).join('; ')}`);

  if (f.missingAgreements.length > 0) raise('no_current_agreement', `used by ${f.principal} without a current agreement: ${f.missingAgreements.join('; ')}`);

  if (f.principal !== credential.principal || f.principalOrganization !== credential.principalOrganization) {
    raise('not_selected_partner', `used by ${f.principal} of ${f.principalOrganization}, not the credential's holder (${credential.principal} of ${credential.principalOrganization})`);
  } else if (grant.principalKind === 'partner' && !f.partnerSelected) {
    raise('not_selected_partner', `used by ${f.principal} of ${f.principalOrganization}, which is not a selected trusted partner of the program`);
  }

  if (f.baseline.length >= f.policy.minUses) {
    const m = median(f.baseline.map((b) => b.volume));
    if (f.volume > f.policy.factor * m) {
      raise('volume_above_baseline', `volume ${f.volume} is more than ${f.policy.factor} times ${f.principal}'s median of ${m} over its last ${f.baseline.length} uses`, [...f.baseline.map((b) => b.sequence), f.sequence]);
    }
  }
  return out;
}
