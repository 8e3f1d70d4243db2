/**
 * Notifications to exactly the affected operators, and what follows them. Pure: no network, no DNS,
 * no clock (every function that needs the time takes it).
 * - notification.ts: `Notification` (one per operator and flaw, revised when its remediation changes), `Exposure`.
 * - remediation-diff.ts: `decideNotification(previous, exposure)` -> issue | revise | retract | none;
 *   `nextNotification(previous, exposure, ids, now)` builds the revision to send.
 * - webhook-signature.ts: Standard Webhooks `signWebhook` / `verifyWebhook(secret, headers, body, now)`, `newWebhookSecret`.
 * - endpoint-guard.ts: `endpointProblem(url, policy)` at registration; `isPublicAddress(ip)` after DNS at send time.
 * - retry.ts: `retryDelayMs(attempt, policy, jitter)` (capped, never gives up), `isTransientStatus`.
 * - escalation.ts: `escalationFor(notification, acknowledged, contacts, policy)` for unacknowledged KEV flaws.
 * - remediation.ts: per-asset `remediationOf` (VEX justification for not_affected), `exposureBySectorAndSize`.
 * - operator.ts: `operatorProfile(out, input, endpointPolicy)`: sector, size, contacts, webhook endpoints.
 */
export * from './notification';
export * from './remediation-diff';
export * from './webhook-signature';
export * from './endpoint-guard';
export * from './retry';
export * from './escalation';
export * from './remediation';
export * from './operator';
