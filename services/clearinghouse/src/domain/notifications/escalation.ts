/**
 * A notification about a flaw in CISA's KEV catalog (exploited in the wild) that nobody at the
 * operator acknowledged escalates after a delay: to the operator's other contacts and to an analyst.
 * Flaws not in KEV do not escalate: their priority already orders the operator's work.
 */
import type { Notification } from './notification';

export interface EscalationPolicy {
  /** How long after issue an unacknowledged KEV notification waits before it escalates. */
  afterMs: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = { afterMs: 24 * 60 * 60_000 };

export interface Contact {
  name: string;
  email: string;
  /** The primary contact receives every notification; the others are who escalation reaches. */
  primary: boolean;
}

export interface Escalation {
  /** When it is due. */
  at: Date;
  /** Contacts to reach now: every contact but the primary one(s). */
  contacts: Contact[];
  toAnalyst: true;
}

/** The escalation a notification calls for, or undefined (not KEV, retracted, or acknowledged). */
export function escalationFor(notification: Notification, acknowledged: boolean, contacts: readonly Contact[], policy: EscalationPolicy): Escalation | undefined {
  if (acknowledged || !notification.kevListed || notification.kind === 'retracted') return undefined;
  return { at: new Date(Date.parse(notification.issuedAt) + policy.afterMs), contacts: contacts.filter((c) => !c.primary), toAnalyst: true };
}

/** Whether an escalation scheduled for `escalation.at` is due at `now`. */
export function isEscalationDue(escalation: Escalation, now: Date): boolean {
  return now.getTime() >= escalation.at.getTime();
}
