/**
 * What each reader sees of a referral. Analysts: all of it. Auditors: all but the victim's personal
 * data (name and contact), replaced by a marker and named in `redactedFields`. A referrer: its own
 * referral's status only (where it stands, since when, where it was routed), never the analysts'
 * reasons, the priority, links to other services' records or other parties.
 */
import type { Referral } from './referral';

export const REDACTED = '[redacted: personal data]';

export type ReferralView = 'full' | 'redacted' | 'status';

export interface ViewedReferral {
  referral: Referral;
  view: ReferralView;
  redactedFields: string[];
}

export function viewOf(referral: Referral, view: ReferralView): ViewedReferral {
  if (view === 'full') return { referral, view, redactedFields: [] };
  if (view === 'redacted') {
    const victim = { ...referral.details.victim, name: REDACTED, contact: referral.details.victim.contact ? REDACTED : '' };
    return { referral: { ...referral, details: { ...referral.details, victim } }, view, redactedFields: ['details.victim.name', 'details.victim.contact'] };
  }
  const { id, organization, source, status, revision, receivedAt, statusSince, routedTo, details } = referral;
  return {
    referral: {
      id, organization, source, status, revision, receivedAt, statusSince, ...(routedTo ? { routedTo } : {}),
      // The referrer's own filing, as it filed it: nothing the analysts added.
      details: { ...details, indicators: [...details.indicators] },
      priority: { score: 0, factors: [], policyVersion: 0 },
      links: [],
      filedBy: referral.filedBy,
    },
    view,
    redactedFields: ['priority', 'links', 'assignee', 'reason', 'outcome'],
  };
}
