/**
 * Embargoes and exploitation reports: EmbargoFlaw, ExtendEmbargo, LiftEmbargo (analysts),
 * GetEmbargo (every role with business with a flaw; the details to parties only) and
 * ReportExploitation. Every flaw and embargo in an answer goes through reader-views.ts.
 */
import { authorize } from '@rampart/auth';
import { textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import type { clearinghouseV1 as v1 } from '@rampart/proto';
import { extendEmbargo, formatZonedTime, liftEmbargo, type ExploitationReport } from '../domain/coordination';
import { AUTHORIZATION } from '../domain/authorization';
import type { Embargoes } from '../embargoes/embargoes';
import { embargoToWire, flawForReader } from '../embargoes/reader-views';

type Handlers = Pick<v1.ClearinghouseServiceServer, 'embargoFlaw' | 'extendEmbargo' | 'liftEmbargo' | 'getEmbargo' | 'reportExploitation'>;

/** A flaw id as clients write it: a report or vulnerability id, or an alias (CVE-..., GHSA-...). */
const FLAW_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const MAX_ORGANIZATIONS = 100;

function flawIdField(out: FieldViolation[], value: string): string {
  if (value === '') out.push({ field: 'flaw_id', description: 'is required' });
  else if (!FLAW_ID.test(value)) out.push({ field: 'flaw_id', description: 'must be a flaw id or an id it is known by (1 to 128 letters, digits and . _ : -)' });
  return value;
}

function organizationsField(out: FieldViolation[], field: string, values: readonly string[]): string[] {
  if (values.length > MAX_ORGANIZATIONS) out.push({ field, description: `must have at most ${MAX_ORGANIZATIONS} entries` });
  return values.slice(0, MAX_ORGANIZATIONS);
}

function exploitationToWire(r: ExploitationReport, resolvedFlawId: string): v1.ExploitationReport {
  return {
    id: r.id, flawId: r.flawId, observedAt: formatZonedTime(r.observedAt), observedTime: r.observedAt.at, indicators: [...r.indicators],
    otherIndicators: r.otherIndicators, source: { kind: r.source.kind, name: r.source.name, reference: r.source.reference ?? '' }, tlp: r.tlp,
    reportedBy: r.reportedBy, reportedByOrganization: r.reportedByOrganization, reportTime: r.reportedAt, aiEnabledTooling: r.indicators.length > 0,
    resolvedFlawId,
  };
}

export function embargoHandlers(kit: HandlerKit, embargoes: Embargoes): Handlers {
  return {
    embargoFlaw: unary(kit, async (request: v1.EmbargoFlawRequest, { caller, signal }): Promise<v1.EmbargoFlawResponse> => {
      authorize(AUTHORIZATION, 'embargoFlaw', caller);
      const out: FieldViolation[] = [];
      const flawId = flawIdField(out, request.flawId);
      const vendors = organizationsField(out, 'vendors', request.vendors);
      const operators = organizationsField(out, 'operators', request.operators);
      ValidationError.throwIfAny(out);
      signal.throwIfAborted();
      const { embargo, flaw } = await embargoes.start(flawId, { endsAt: request.endsAt, vendors, operators }, caller);
      const now = embargoes.now();
      const view = flawForReader(flaw, embargo, caller, now);
      return { embargo: embargoToWire(embargo, view.details, now), flaw: view.flaw };
    }),

    extendEmbargo: unary(kit, async (request: v1.ExtendEmbargoRequest, { caller }): Promise<v1.ExtendEmbargoResponse> => {
      authorize(AUTHORIZATION, 'extendEmbargo', caller);
      const out: FieldViolation[] = [];
      const flawId = flawIdField(out, request.flawId);
      ValidationError.throwIfAny(out);
      const held = (await embargoes.requireEmbargo(flawId)).embargo;
      const { after } = await embargoes.change(held.flawId, (e, now) => extendEmbargo(e, { endsAt: request.endsAt, reason: request.reason }, caller, now, embargoes.deps.options));
      return { embargo: embargoToWire(after, true, embargoes.now()) };
    }),

    liftEmbargo: unary(kit, async (request: v1.LiftEmbargoRequest, { caller }): Promise<v1.LiftEmbargoResponse> => {
      authorize(AUTHORIZATION, 'liftEmbargo', caller);
      const out: FieldViolation[] = [];
      const flawId = flawIdField(out, request.flawId);
      textField(out, 'reason', request.reason, 2_000);
      ValidationError.throwIfAny(out);
      const held = (await embargoes.requireEmbargo(flawId)).embargo;
      const { after } = await embargoes.change(held.flawId, (e, now) => liftEmbargo(e, { reason: request.reason }, caller, now));
      return { embargo: embargoToWire(after, true, embargoes.now()) };
    }),

    getEmbargo: unary(kit, async (request: v1.GetEmbargoRequest, { caller }): Promise<v1.GetEmbargoResponse> => {
      authorize(AUTHORIZATION, 'getEmbargo', caller);
      const out: FieldViolation[] = [];
      const flawId = flawIdField(out, request.flawId);
      ValidationError.throwIfAny(out);
      // No embargo, nothing to read here: a flaw is read through its own RPCs, as their rules say.
      const { flaw, embargo } = await embargoes.requireEmbargo(flawId);
      const now = embargoes.now();
      const view = flawForReader(flaw, embargo, caller, now);
      return { embargo: embargoToWire(embargo, view.details, now), flaw: view.flaw };
    }),

    reportExploitation: unary(kit, async (request: v1.ReportExploitationRequest, { caller, signal }): Promise<v1.ReportExploitationResponse> => {
      authorize(AUTHORIZATION, 'reportExploitation', caller);
      const out: FieldViolation[] = [];
      if (request.idempotencyKey !== '' && !/^[A-Za-z0-9._:-]{1,128}$/.test(request.idempotencyKey)) {
        out.push({ field: 'idempotency_key', description: 'must be 1 to 128 letters, digits and . _ : -' });
      }
      if (request.indicators.length > 50) out.push({ field: 'indicators', description: 'must have at most 50 entries' });
      ValidationError.throwIfAny(out);
      signal.throwIfAborted();
      const input = {
        flawId: request.flawId, observedAt: request.observedAt, indicators: request.indicators, otherIndicators: request.otherIndicators,
        ...(request.source ? { source: { kind: request.source.kind, name: request.source.name, reference: request.source.reference } } : {}),
        tlp: request.tlp,
      };
      const { report, flaw, embargo } = await embargoes.reportExploitation(input, request.idempotencyKey, caller);
      const now = embargoes.now();
      const view = embargo ? flawForReader(flaw, embargo, caller, now) : undefined;
      return { report: exploitationToWire(report, flaw.id), embargo: embargo && view ? embargoToWire(embargo, view.details, now) : undefined };
    }),
  };
}
