/**
 * Operators' events:
 * - `rampart.clearinghouse.inventory.changed` (CLEARINGHOUSE_EVENTS): an asset's components were
 *   replaced; data names the asset and its revision only (the components stay in the store, read by
 *   the matching consumer), so an operator's estate never travels on a shared stream.
 * - `rampart.operator.<operator-id>.clearinghouse.notification.{issued,revised,retracted}` on
 *   CLEARINGHOUSE_RELEASABLE: one operator's notification, on its own subject (nats-server
 *   permissions give each operator its own token); data is the Notification, which names only that
 *   operator's assets.
 */
import { operatorSubject } from '@rampart/auth';
import { createEvent, eventStream, natsSubject, outboxEntry, type EventName, type OutboxEntry, type StreamSpec } from '@rampart/events';
import type { Notification } from '../domain/notifications';
import { AREA } from './report-events';

export const RELEASABLE_STREAM = 'CLEARINGHOUSE_RELEASABLE';

export function releasableStream(replicas: number): StreamSpec {
  return { ...eventStream(AREA, RELEASABLE_STREAM, [], replicas), subjects: ['rampart.operator.*.clearinghouse.>'] };
}

export const INVENTORY_CHANGED: EventName = { area: AREA, thing: 'inventory', verb: 'changed' };

export interface InventoryChangedData {
  operatorId: string;
  assetId: string;
  revision: number;
}

export function inventoryChangedEvent(data: InventoryChangedData, now: Date): OutboxEntry {
  return outboxEntry(natsSubject(INVENTORY_CHANGED), createEvent(INVENTORY_CHANGED, `${data.operatorId}:${data.assetId}`, data, now), now);
}

/** The notification's id: the same on every retry of its delivery (webhook-id), unique per revision. */
export const notificationId = (n: Pick<Notification, 'operatorId' | 'vulnerabilityId' | 'revision'>) => `${n.operatorId}|${n.vulnerabilityId}#${n.revision}`;

export function notificationEvent(n: Notification, now: Date): OutboxEntry {
  const name: EventName = { area: AREA, thing: 'notification', verb: n.kind };
  const event = { ...createEvent(name, n.vulnerabilityId, { ...n }, now), id: notificationId(n) };
  return outboxEntry(operatorSubject(n.operatorId, `${AREA}.notification.${n.kind}`), event, now);
}
