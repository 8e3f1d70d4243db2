/**
 * The access log: the gateway reports each use (appended to the program's hash chain, with the
 * insider-risk signals it raises); the developer, the access officer and the auditor read records,
 * signals and signed checkpoints, and verify the chain.
 */
import { randomUUID } from 'node:crypto';
import { authorize, inScope } from '@rampart/auth';
import { AlreadyExistsError, NotFoundError, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { encodePageToken, pageRequest } from '@rampart/store';
import { ChainVerifier, type AccessUse, type BrokenLink, type TrustedCheckpoint } from '../domain/access-log';
import { AUTHORIZATION } from '../domain/authorization';
import { idField, organizationField } from '../domain/ids';
import { evaluateUse } from '../domain/signals';
import { signalEvent } from '../events/access-events';
import { GENERATED, type StoredCheckpoint } from '../access-log/log-store';
import { ReportReads } from '../access-log/report-reads';
import { loadProgram, programPage, programId, programNotFound, type AccessDeps } from './context';
import { checkpointToWire, recordToWire, signalToWire } from './mapping';

type LogRpcs = Pick<v1.EarlyAccessServiceServer, 'reportAccess' | 'listAccessRecords' | 'verifyAccessLog' | 'listCheckpoints' | 'listSignals'>;

const LIMITS = { principal: 256, operation: 200 } as const;
/** A use reported from the future is a clock fault or a lie: refuse it beyond this. */
const FUTURE_TOLERANCE_MS = 60_000;
const VERIFY_BATCH = 100;
/** The gateway's report ids: what `_id`s may hold. */
const REPORT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A retry reports the same use (its times may differ: the gateway may leave them to the service). */
function sameUse(stored: AccessUse, retried: AccessUse): boolean {
  return stored.credentialId === retried.credentialId && stored.principal === retried.principal && stored.principalOrganization === retried.principalOrganization
    && stored.operation === retried.operation && stored.volume === retried.volume;
}

export function accessLogHandlers(kit: HandlerKit, deps: AccessDeps): LogRpcs {
  const { store, log, signer, baselines } = deps;
  const reads = deps.reads ?? new ReportReads(store, 0);
  const now = deps.now ?? (() => new Date());

  /** Signed checkpoints whose signature verifies; the others are links broken at their sequence. */
  async function trustedCheckpoints(all: StoredCheckpoint[], programId: string): Promise<{ trusted: TrustedCheckpoint[]; forged?: BrokenLink }> {
    const trusted: TrustedCheckpoint[] = [];
    let forged: BrokenLink | undefined;
    for (const c of all) {
      const statement = await signer.verifyCheckpoint(c.jws);
      if (statement && statement.programId === programId && statement.sequence === c.sequence && statement.hash === c.hash) trusted.push(statement);
      else if (!forged || c.sequence < forged.sequence) forged = { sequence: c.sequence, reason: `the checkpoint at record ${c.sequence} does not carry a valid signature` };
    }
    return { trusted, ...(forged ? { forged } : {}) };
  }

  return {
    reportAccess: unary(kit, async (request: v1.ReportAccessRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'reportAccess', caller);
      const out: FieldViolation[] = [];
      idField(out, 'credential_id', request.credentialId, 'a credential id');
      const principal = textField(out, 'principal', request.principal, LIMITS.principal);
      organizationField(out, 'principal_organization', request.principalOrganization);
      const operation = textField(out, 'operation', request.operation, LIMITS.operation);
      if (!Number.isSafeInteger(request.volume) || request.volume < 0) out.push({ field: 'volume', description: 'must be a whole number from 0 to 2^53-1' });
      if (request.reportId && !REPORT_ID.test(request.reportId)) out.push({ field: 'report_id', description: 'must be 1 to 128 of letters, digits and . _ : -' });
      const at = now();
      const occurredAt = request.occurTime ?? at;
      if (occurredAt.getTime() > at.getTime() + FUTURE_TOLERANCE_MS) out.push({ field: 'occur_time', description: 'must not be in the future' });
      ValidationError.throwIfAny(out);

      // `_id` reads, cached per process (report-reads.ts says how stale each may be).
      const [p, credential] = await Promise.all([reads.program(programId(request.programId)), reads.credential(request.credentialId)]);
      const program = inScope(access, p, programNotFound(request.programId));
      if (!credential || credential.programId !== program.id) throw new NotFoundError(`credential ${request.credentialId} not found`);
      const principalOrganization = request.principalOrganization;
      const [grant, missing, baseline] = await Promise.all([
        reads.grant(credential.grantId),
        reads.missingAgreements(program, principalOrganization, principal),
        baselines.uses(program.id, principalOrganization, principal),
      ]);
      if (!grant) throw new NotFoundError(`credential ${request.credentialId} not found`);
      // Only partner grants depend on the partner's selection.
      const partnerSelected = grant.principalKind === 'partner' && (await reads.partnerSelected(program.id, principalOrganization, grant));
      signal.throwIfAborted();
      const use: AccessUse = {
        principal, principalOrganization, credentialId: credential.id, grantId: grant.id, operation, volume: request.volume,
        occurredAt: occurredAt.toISOString(), recordedAt: at.toISOString(), reportedBy: caller.subject,
      };
      const { record, replayed } = await log.append(program.id, {
        use,
        reportId: request.reportId || `${GENERATED}${randomUUID()}`,
        evaluate: (r) => {
          const signals = evaluateUse({
            sequence: r.sequence, principal, principalOrganization, occurredAt, volume: request.volume, program, grant, credential,
            missingAgreements: missing.map((m) => m.reason), partnerSelected, baseline, policy: deps.volumePolicy,
          }, at);
          return { signals, events: signals.map((s) => signalEvent(s, program.organization, at)) };
        },
      });
      // The use reached the principal's baseline with its record (the log store's `appended`).
      if (replayed && !sameUse(record.use, use)) throw new AlreadyExistsError(`report_id ${request.reportId} was already reported for a different use (record ${record.sequence})`);
      return { record: recordToWire(record) };
    }),

    listAccessRecords: unary(kit, async (request: v1.ListAccessRecordsRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'listAccessRecords', caller);
      const p = await loadProgram(store, access, request.programId);
      const { size, after } = pageRequest(request, 100, 500);
      const from = Number(after ?? 0) + 1;
      const last = await log.lastSequence(p.id);
      signal.throwIfAborted();
      // By `_id`, record by record: a missing record leaves a gap (VerifyAccessLog names it).
      const records = (await log.records(p.id, from, Math.min(last, from + size - 1))).filter((r) => r !== undefined);
      const to = from + size - 1;
      return { records: records.map(recordToWire), nextPageToken: last > to ? encodePageToken(String(to)) : '' };
    }),

    verifyAccessLog: unary(kit, async (request: v1.VerifyAccessLogRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'verifyAccessLog', caller);
      const p = await loadProgram(store, access, request.programId);
      const all = await log.allCheckpoints(p.id);
      const { trusted, forged } = await trustedCheckpoints(all, p.id);
      // Up to the furthest anything says the log reached: the head hint, a signed checkpoint, the records themselves.
      const end = await log.lastSequence(p.id, Math.max(0, ...trusted.map((c) => c.sequence)));
      const verifier = new ChainVerifier(p.id, trusted);
      for (let from = 1; from <= end && !verifier.firstBroken; from += VERIFY_BATCH) {
        signal.throwIfAborted();
        const batch = await log.records(p.id, from, Math.min(end, from + VERIFY_BATCH - 1));
        batch.forEach((r, i) => verifier.next(from + i, r));
      }
      const chainBroken = verifier.finish();
      const firstBroken = forged && (!chainBroken || forged.sequence < chainBroken.sequence) ? forged : chainBroken;
      const latest = all.filter((c) => trusted.some((t) => t.sequence === c.sequence)).at(-1);
      return v1.VerifyAccessLogResponse.fromPartial({
        intact: !firstBroken,
        recordsChecked: firstBroken ? firstBroken.sequence - 1 : end,
        firstBroken,
        headSequence: verifier.head.sequence,
        headHash: verifier.head.hash,
        latestCheckpoint: latest ? checkpointToWire(latest) : undefined,
      });
    }),

    listCheckpoints: unary(kit, async (request: v1.ListCheckpointsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listCheckpoints', caller);
      const { items, nextPageToken } = await programPage(store, access, request, { default: 50, max: 200 }, (id, after, limit) => log.listCheckpoints(id, after, limit), (c) => c.key);
      return { checkpoints: items.map(checkpointToWire), nextPageToken };
    }),

    listSignals: unary(kit, async (request: v1.ListSignalsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listSignals', caller);
      // Paged by record: a record's signals (at most one per rule) come together.
      const { items, nextPageToken } = await programPage(store, access, request, { default: 50, max: 200 }, (id, after, limit) => log.listSignals(id, after, limit), (d) => d.key);
      return { signals: items.flatMap((d) => d.signals).map(signalToWire), nextPageToken };
    }),
  };
}

