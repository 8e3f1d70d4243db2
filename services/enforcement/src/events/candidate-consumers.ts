/**
 * Candidates from other services' events (DESIGN.md's flow table): the clearinghouse's
 * `exploitation.reported` and early access's `signal.raised`. Each event makes at most one
 * candidate however often it is delivered: the candidate's id derives from the event's id and its
 * insert is the compare-and-set (store.insert answers "already there" on a redelivery). The
 * handler runs inside the event's trace, so the report and the candidate are one trace in Jaeger.
 */
import { PoisonMessageError, type CloudEvent, type ConsumerSpec, type EventHandler } from '@rampart/events';
import { CandidateDataError, exploitationCandidate, signalCandidate, type PriorityPolicy, type Referral } from '../domain';
import type { EnforcementStore } from '../store';
import { referralEvent } from './referral-events';

export const EXPLOITATION_CONSUMER: ConsumerSpec = {
  stream: 'CLEARINGHOUSE_EVENTS',
  durable: 'enforcement-exploitation',
  filterSubjects: ['rampart.clearinghouse.exploitation.reported'],
  maxDeliver: 10,
};

export const SIGNAL_CONSUMER: ConsumerSpec = {
  stream: 'ACCESS_EVENTS',
  durable: 'enforcement-signals',
  filterSubjects: ['rampart.access.signal.raised'],
  maxDeliver: 10,
};

type Make = (eventId: string, data: Record<string, unknown>, policy: PriorityPolicy, now: Date) => Referral;

function candidateHandler(store: EnforcementStore, type: string, make: Make, now: () => Date): EventHandler {
  return async (event: CloudEvent<unknown>) => {
    if (event.type !== type) throw new PoisonMessageError(`unexpected event type ${event.type}`);
    const data = event.data !== null && typeof event.data === 'object' && !Array.isArray(event.data) ? (event.data as Record<string, unknown>) : {};
    let candidate: Referral;
    try {
      candidate = make(event.id, data, await store.currentPolicy(), now());
    } catch (error) {
      if (error instanceof CandidateDataError) throw new PoisonMessageError(`event ${event.id}: ${error.message}`, { cause: error });
      throw error;
    }
    await store.insert(candidate, [referralEvent(candidate, 'candidate', candidate.filedBy, now())]);
  };
}

export const exploitationHandler = (store: EnforcementStore, now: () => Date = () => new Date()) =>
  candidateHandler(store, 'rampart.clearinghouse.exploitation.reported.v1', exploitationCandidate, now);

export const signalHandler = (store: EnforcementStore, now: () => Date = () => new Date()) =>
  candidateHandler(store, 'rampart.access.signal.raised.v1', signalCandidate, now);
