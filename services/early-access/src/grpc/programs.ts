/** Programs: open (the developer, for its own covered model), read, list, and record the public release. */
import { authorize } from '@rampart/auth';
import { ConflictError, ValidationError } from '@rampart/errors';
import { unary, type HandlerKit } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { page, pageRequest } from '@rampart/store';
import type { AgreementKind } from '../domain/agreements';
import { AUTHORIZATION } from '../domain/authorization';
import { openProgram, recordPublicRelease } from '../domain/program';
import { programEvent } from '../events/access-events';
import { closingEvents, syncProgram } from '../events/program-sync';
import { loadProgram, programId, type AccessDeps } from './context';
import { agreementKinds, programToWire } from './mapping';

type ProgramRpcs = Pick<v1.EarlyAccessServiceServer, 'openProgram' | 'getProgram' | 'listPrograms' | 'recordPublicRelease'>;

export function programHandlers(kit: HandlerKit, deps: AccessDeps): ProgramRpcs {
  const { store } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    openProgram: unary(kit, async (request: v1.OpenProgramRequest, { caller, signal }) => {
      authorize(AUTHORIZATION, 'openProgram', caller);
      const id = programId(request.submissionId, 'submission_id');
      const kinds = request.requiredAgreements.map((k) => agreementKinds.fromWire(k));
      const unknown = kinds.findIndex((k) => !k);
      if (unknown >= 0) throw new ValidationError([{ field: `required_agreements[${unknown}]`, description: 'is not a known agreement kind' }]);
      const [submission, assessment] = await Promise.all([store.getSubmission(id), store.getAssessment(id)]);
      const at = now();
      const p = openProgram({
        organization: caller.organization, submission, assessment, submissionId: id, requestedStart: request.windowStartTime,
        requiredAgreements: kinds as AgreementKind[], actor: caller.subject, now: at,
      });
      // Its public-release timer follows from the opened event (timer-scheduling.ts), not from here.
      signal.throwIfAborted();
      await store.insertProgram(p, [programEvent(p, ['program', 'opened'], at)]);
      // A withdrawal or an amendment applied between the read above and the insert found no program
      // to change: apply the submission as it is now (idempotent; two _id reads when nothing moved).
      await syncProgram(store, id, now);
      return { program: programToWire((await store.getProgram(id)) ?? p) };
    }),

    getProgram: unary(kit, async (request: v1.GetProgramRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'getProgram', caller);
      return { program: programToWire(await loadProgram(store, access, request.programId)) };
    }),

    listPrograms: unary(kit, async (request: v1.ListProgramsRequest, { caller }) => {
      const access = authorize(AUTHORIZATION, 'listPrograms', caller);
      const { size, after } = pageRequest(request, 20, 100);
      const { items, nextPageToken } = page(await store.listPrograms(access.organization, after, size + 1), size, (p) => p.id);
      return { programs: items.map(programToWire), nextPageToken };
    }),

    recordPublicRelease: unary(kit, async (request: v1.RecordPublicReleaseRequest, { caller, signal }) => {
      const access = authorize(AUTHORIZATION, 'recordPublicRelease', caller);
      for (let attempt = 0; attempt < 5; attempt++) {
        const p = await loadProgram(store, access, request.programId);
        const at = now();
        const next = recordPublicRelease(p, request.releaseTime, at);
        signal.throwIfAborted();
        if (await store.saveProgram(next, p.revision, closingEvents(next, at))) return { program: programToWire(next) };
      }
      throw new ConflictError(`program ${request.programId} keeps changing; retry`);
    }),
  };
}
