/**
 * A `Referral` of AI-enabled cybercrime to the Department of Justice (EO 14409 s.4). It is filed by a
 * referrer, or starts as a candidate made from another service's event (an exploitation report, an
 * insider-risk signal) that an enforcement analyst accepts or dismisses: a person decides before
 * anything goes further. Law-enforcement sensitive (a CUI category): marked CUI as a whole; the
 * victim's name and contact are personal data, withheld from auditors.
 */
import type { ZonedTime } from '@rampart/errors';

export const REFERRAL_MARKING = 'CUI' as const;

export const REFERRAL_STATUSES = ['candidate', 'dismissed', 'received', 'under_review', 'accepted', 'declined', 'closed'] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

export const STATUTES = ['18 U.S.C. 1028', '18 U.S.C. 1030', '18 U.S.C. 1343'] as const;
export type Statute = (typeof STATUTES)[number];

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'file-sha256', 'crypto-wallet', 'other'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];

/** Critical-infrastructure sectors (PPD-21 / NSM-22), as the clearinghouse's operator profiles name them. */
export const SECTORS = [
  'chemical', 'commercial-facilities', 'communications', 'critical-manufacturing', 'dams', 'defense-industrial-base',
  'emergency-services', 'energy', 'financial-services', 'food-and-agriculture', 'government-facilities',
  'healthcare-and-public-health', 'information-technology', 'nuclear', 'transportation-systems', 'water-and-wastewater',
] as const;
export type Sector = (typeof SECTORS)[number] | 'other';

export const VICTIM_SIZES = ['individual', 'small', 'medium', 'large'] as const;
export type VictimSize = (typeof VICTIM_SIZES)[number];

export type ReferralSource = 'filed' | 'exploitation' | 'insider-risk';

export interface Indicator {
  type: IndicatorType;
  value: string;
}

export interface Victim {
  /** Personal data: withheld from auditors. */
  name: string;
  /** Personal data: withheld from auditors. */
  contact: string;
  sector: Sector;
  size: VictimSize;
}

/** The fields an IC3 complaint carries. */
export interface ReferralDetails {
  victim: Victim;
  lossUsdCents: number;
  occurredFrom?: ZonedTime;
  occurredUntil?: ZonedTime;
  /** The IANA zone the times were observed in, when given apart from them. */
  timeZone: string;
  indicators: Indicator[];
  narrative: string;
  suspectedStatutes: Statute[];
  aiEnabledIndicators: string[];
  exploitsKnownExploitedFlaw: boolean;
}

export interface LinkedRecord {
  kind: 'clearinghouse.exploitation' | 'clearinghouse.flaw' | 'access.signal' | 'access.record' | 'access.program';
  id: string;
}

export interface PriorityFactor {
  factor: string;
  weight: number;
  value: number;
  contribution: number;
  reason: string;
}

export interface Priority {
  score: number;
  factors: PriorityFactor[];
  policyVersion: number;
}

export interface Referral {
  id: string;
  /** The referrer's organisation; NO_REFERRER for candidates made from events. */
  organization: string;
  source: ReferralSource;
  status: ReferralStatus;
  revision: number;
  details: ReferralDetails;
  priority: Priority;
  links: LinkedRecord[];
  filedBy: string;
  receivedAt: Date;
  statusSince: Date;
  assignee?: string;
  routedTo?: string;
  /** Why it was dismissed or declined. */
  reason?: string;
  outcome?: string;
  /** The step (its `statusSince`) whose deadline alert was raised: one alert per step. */
  overdueAlerted?: string;
}

/** No organisation is named so: a candidate's status is no referrer's to read. */
export const NO_REFERRER = '';

export const TERMINAL: ReadonlySet<ReferralStatus> = new Set(['dismissed', 'declined', 'closed']);
