/**
 * Operators: RegisterOperator, GetOperator, UploadAssetSbom, EnterProducts (the operator, for its
 * own organisation), ListNotifications and AcknowledgeNotification. An asset's components are
 * replaced whole, with an `inventory.changed` event: the matching consumer re-evaluates the asset
 * against every open flaw.
 */
import { createHash } from 'node:crypto';
import { authorize, type Caller } from '@rampart/auth';
import { AlreadyExistsError, FailedPreconditionError, NotFoundError, ValidationError, textField, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { AUTHORIZATION } from '../domain/authorization';
import { enteredProducts, type Inventory } from '../domain/inventory';
import { exposureBySectorAndSize, newWebhookSecret, operatorProfile, remediationOf, type AssetExposure, type Notification, type RemediationState } from '../domain/notifications';
import { inventoryChangedEvent } from '../events/operator-events';
import { readSbom, type SbomFormat } from '../inventory/sbom-validation';
import type { NotificationStore } from '../matching/notification-store';
import { RemediationStore } from '../operators/remediation-store';
import { MAX_ASSETS_PER_OPERATOR, type AssetDocument, type OperatorDocument, type OperatorStore } from '../operators/operator-store';

type Handlers = Pick<v1.ClearinghouseServiceServer, 'registerOperator' | 'getOperator' | 'uploadAssetSbom' | 'enterProducts' | 'listNotifications' | 'acknowledgeNotification' | 'recordRemediation' | 'getExposure'>;

export interface OperatorDeps {
  operators: OperatorStore;
  notifications: NotificationStore;
  remediations: RemediationStore;
  /** The operators whose components sit under a flaw's keys (the match index). */
  operatorsExposedTo: (vulnerabilityId: string) => Promise<string[]>;
  /** Webhook endpoints on private addresses over http (tests only). */
  allowPrivateEndpoints: boolean;
  now?: () => Date;
}

const ASSET_ID = /^[A-Za-z0-9_-]{1,64}$/;
const REMEDIATION_STATES = new Map<v1.RemediationState, RemediationState>([
  [v1.RemediationState.REMEDIATION_STATE_AFFECTED, 'affected'],
  [v1.RemediationState.REMEDIATION_STATE_PATCHED, 'patched'],
  [v1.RemediationState.REMEDIATION_STATE_MITIGATED, 'mitigated'],
  [v1.RemediationState.REMEDIATION_STATE_NOT_AFFECTED, 'not_affected'],
]);
const notFound = (id: string) => `operator ${id} not found`;
/** Tries of one asset's write against concurrent uploads before the caller is told to retry. */
const ATTEMPTS = 5;

function operatorToWire(doc: OperatorDocument): v1.Operator {
  return { id: doc._id, name: doc.name, sector: doc.sector, size: doc.size, contacts: doc.contacts, webhooks: doc.webhooks, revision: doc.revision, createTime: doc.createdAt };
}

function assetToWire(doc: AssetDocument): v1.Asset {
  return {
    operatorId: doc.operatorId, assetId: doc.assetId, name: doc.name, revision: doc.revision, unmatchedComponents: doc.inventory.unmatched, sbomSha256: doc.sbomSha256, updateTime: doc.updatedAt,
    components: doc.inventory.entries.map((e) => ({ key: e.key, purl: e.purl ?? '', version: e.version ?? '', name: e.name, bomRef: e.bomRef ?? '' })),
  };
}

export function notificationToWire(n: Notification, acknowledged: boolean): v1.Notification {
  return {
    operatorId: n.operatorId, vulnerabilityId: n.vulnerabilityId, revision: n.revision, kind: n.kind, priority: n.priority, priorityReasons: n.priorityReasons, kevListed: n.kevListed, tlp: n.tlp,
    changes: n.changes, issueTime: new Date(n.issuedAt), acknowledged,
    affected: n.affected.map((c) => ({ assetId: c.assetId, purl: c.purl, cpe: c.cpe ?? '', version: c.version, bomRef: c.bomRef ?? '', fixedVersions: c.fixedVersions })),
  };
}

/** The caller's own operator (registered), or NOT_FOUND. */
async function ownOperator(deps: OperatorDeps, caller: Caller): Promise<OperatorDocument> {
  const doc = await deps.operators.operator(caller.organization);
  if (!doc) throw new FailedPreconditionError(`organisation ${caller.organization} is not registered as an operator: RegisterOperator first`);
  return doc;
}

function assetFields(out: FieldViolation[], assetId: string, name: string): void {
  if (!ASSET_ID.test(assetId)) out.push({ field: 'asset_id', description: 'must be 1 to 64 letters, digits, _ or -' });
  textField(out, 'name', name, 200, false);
}

export function operatorHandlers(kit: HandlerKit, deps: OperatorDeps): Handlers {
  const now = deps.now ?? (() => new Date());
  const endpoints = { allowHttp: deps.allowPrivateEndpoints, allowPrivate: deps.allowPrivateEndpoints };

  /** Replaces the asset's inventory (a retry with the same content is a new revision that changes nothing downstream). */
  async function saveInventory(caller: Caller, assetId: string, name: string, inventory: Inventory, sbomSha256: string): Promise<AssetDocument> {
    const operator = await ownOperator(deps, caller);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const previous = await deps.operators.asset(operator._id, assetId);
      if (!previous && (await deps.operators.assetIds(operator._id)).length >= MAX_ASSETS_PER_OPERATOR) throw new FailedPreconditionError(`an operator registers at most ${MAX_ASSETS_PER_OPERATOR} assets`);
      const at = now();
      const state = { operatorId: operator._id, assetId, name: name || previous?.name || assetId, inventory, sbomSha256, updatedAt: at };
      if (await deps.operators.saveAsset(previous, state, (revision) => [inventoryChangedEvent({ operatorId: operator._id, assetId, revision }, at)])) {
        return { ...state, _id: `${operator._id}:${assetId}`, revision: (previous?.revision ?? 0) + 1, outbox: [] };
      }
    }
    throw new FailedPreconditionError(`asset ${assetId} kept changing: try again`);
  }

  return {
    registerOperator: unary(kit, async (request: v1.RegisterOperatorRequest, { caller }): Promise<v1.RegisterOperatorResponse> => {
      authorize(AUTHORIZATION, 'registerOperator', caller);
      const out: FieldViolation[] = [];
      const profile = operatorProfile(out, request, endpoints);
      ValidationError.throwIfAny(out);
      const secrets = Object.fromEntries(profile.webhooks.map((w) => [w.id, newWebhookSecret()]));
      const doc: OperatorDocument = { _id: caller.organization, ...profile, revision: 1, createdAt: now(), webhookSecrets: secrets };
      if (!(await deps.operators.register(doc))) throw new AlreadyExistsError(`organisation ${caller.organization} is registered as an operator already`);
      return { operator: operatorToWire(doc), webhookSecrets: Object.entries(secrets).map(([endpointId, secret]) => ({ endpointId, secret })) };
    }),

    getOperator: unary(kit, async (request: v1.GetOperatorRequest, { caller }): Promise<v1.GetOperatorResponse> => {
      const access = authorize(AUTHORIZATION, 'getOperator', caller);
      const id = request.operatorId || caller.organization;
      // Another organisation's operator is reported as absent, in the same words.
      if (access.organization !== undefined && id !== access.organization) throw new NotFoundError(notFound(id));
      const doc = await deps.operators.operator(id);
      if (!doc) throw new NotFoundError(notFound(id));
      return { operator: operatorToWire(doc) };
    }),

    uploadAssetSbom: unary(kit, async (request: v1.UploadAssetSbomRequest, { caller, signal }): Promise<v1.UploadAssetSbomResponse> => {
      authorize(AUTHORIZATION, 'uploadAssetSbom', caller);
      const out: FieldViolation[] = [];
      assetFields(out, request.assetId, request.name);
      const format: SbomFormat | undefined = request.format === v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_JSON ? 'json' : request.format === v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_XML ? 'xml' : undefined;
      if (!format) out.push({ field: 'format', description: 'must be CYCLONEDX_JSON or CYCLONEDX_XML' });
      ValidationError.throwIfAny(out);
      const bytes = Buffer.from(request.sbom);
      const reading = await readSbom(bytes, format!);
      if (!reading.ok) throw new ValidationError(reading.errors.map((e) => ({ field: `sbom${e.pointer}`, description: e.message })));
      ValidationError.throwIfAny(reading.violations.map((v) => ({ ...v, field: `sbom.${v.field}` })));
      signal.throwIfAborted();
      const asset = await saveInventory(caller, request.assetId, request.name, reading.inventory, createHash('sha256').update(bytes).digest('hex'));
      return { asset: assetToWire(asset) };
    }),

    enterProducts: unary(kit, async (request: v1.EnterProductsRequest, { caller }): Promise<v1.EnterProductsResponse> => {
      authorize(AUTHORIZATION, 'enterProducts', caller);
      const out: FieldViolation[] = [];
      assetFields(out, request.assetId, request.name);
      const inventory = enteredProducts(out, request.products.map((p) => ({ ...(p.purl ? { purl: p.purl } : {}), ...(p.cpe ? { cpe: p.cpe } : {}), name: p.name })));
      ValidationError.throwIfAny(out);
      return { asset: assetToWire(await saveInventory(caller, request.assetId, request.name, inventory, '')) };
    }),

    listNotifications: unary(kit, async (request: v1.ListNotificationsRequest, { caller }): Promise<v1.ListNotificationsResponse> => {
      const access = authorize(AUTHORIZATION, 'listNotifications', caller);
      const id = request.operatorId || caller.organization;
      if (access.organization !== undefined && id !== access.organization) throw new NotFoundError(notFound(id));
      const flaws = await deps.notifications.notifiedOf(id);
      const latest = (await Promise.all(flaws.map((f) => deps.notifications.latest(id, f)))).filter((n): n is Notification => n !== undefined);
      const acked = await Promise.all(latest.map((n) => deps.notifications.acknowledged(n)));
      return { notifications: latest.map((n, i) => notificationToWire(n, acked[i]!)) };
    }),

    acknowledgeNotification: unary(kit, async (request: v1.AcknowledgeNotificationRequest, { caller }): Promise<v1.AcknowledgeNotificationResponse> => {
      authorize(AUTHORIZATION, 'acknowledgeNotification', caller);
      const out: FieldViolation[] = [];
      textField(out, 'vulnerability_id', request.vulnerabilityId, 128);
      if (request.revision < 1) out.push({ field: 'revision', description: 'must be the revision read (1 or more)' });
      ValidationError.throwIfAny(out);
      const latest = await deps.notifications.latest(caller.organization, request.vulnerabilityId);
      if (!latest) throw new NotFoundError(`no notification of ${request.vulnerabilityId} to ${caller.organization}`);
      if (latest.revision !== request.revision) throw new FailedPreconditionError(`revision ${latest.revision} is the latest: read it, then acknowledge it`);
      await deps.notifications.acknowledge(latest, caller.subject, now());
      return { notification: notificationToWire(latest, true) };
    }),

    recordRemediation: unary(kit, async (request: v1.RecordRemediationRequest, { caller }): Promise<v1.RecordRemediationResponse> => {
      authorize(AUTHORIZATION, 'recordRemediation', caller);
      const out: FieldViolation[] = [];
      textField(out, 'vulnerability_id', request.vulnerabilityId, 128);
      if (!ASSET_ID.test(request.assetId)) out.push({ field: 'asset_id', description: 'must be 1 to 64 letters, digits, _ or -' });
      const remediation = remediationOf(out, { ...(REMEDIATION_STATES.get(request.state) ? { state: REMEDIATION_STATES.get(request.state) } : {}), justification: request.justification, note: request.note });
      ValidationError.throwIfAny(out);
      // Only for an asset the operator was told is affected: anything else is not its to report on here.
      const latest = await deps.notifications.latest(caller.organization, request.vulnerabilityId);
      if (!latest || !latest.affected.some((c) => c.assetId === request.assetId)) throw new NotFoundError(`no notification of ${request.vulnerabilityId} names asset ${request.assetId}`);
      const at = now();
      await deps.remediations.record(caller.organization, request.vulnerabilityId, request.assetId, remediation, caller.subject, at);
      return { state: request.state, recordTime: at };
    }),

    getExposure: unary(kit, async (request: v1.GetExposureRequest, { caller }): Promise<v1.GetExposureResponse> => {
      authorize(AUTHORIZATION, 'getExposure', caller);
      ValidationError.throwIfAny(request.vulnerabilityId === '' ? [{ field: 'vulnerability_id', description: 'is required' }] : []);
      const assets: AssetExposure[] = [];
      for (const operatorId of await deps.operatorsExposedTo(request.vulnerabilityId)) {
        const [operator, latest] = await Promise.all([deps.operators.operator(operatorId), deps.notifications.latest(operatorId, request.vulnerabilityId)]);
        if (!operator || !latest) continue;
        for (const assetId of [...new Set(latest.affected.map((c) => c.assetId))]) {
          const remediation = await deps.remediations.get(operatorId, request.vulnerabilityId, assetId);
          assets.push({ operatorId, sector: operator.sector, size: operator.size, assetId, ...(remediation ? { remediation } : {}) });
        }
      }
      const counts = exposureBySectorAndSize(assets).map((c) => ({
        sector: c.sector, size: c.size, operators: c.operators, exposedOperators: c.exposedOperators,
        assetsAffected: c.assets.affected, assetsPatched: c.assets.patched, assetsMitigated: c.assets.mitigated, assetsNotAffected: c.assets.not_affected,
      }));
      return { vulnerabilityId: request.vulnerabilityId, counts };
    }),
  };
}
