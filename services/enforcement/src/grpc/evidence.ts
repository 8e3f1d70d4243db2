/** Evidence, custody and STIX export RPCs. */
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { authorize, inScope, type Access } from '@rampart/auth';
import { FailedPreconditionError, NotFoundError, ValidationError } from '@rampart/errors';
import { clientStreaming, unary, type HandlerKit } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { decodePageToken, encodePageToken } from '@rampart/store';
import { AUTHORIZATION, referralBundle, validateCustodyAction, validateEvidence, validateEvidenceId, validateReferralId, verifyChain, viewOf, type EvidenceItem, type Referral } from '../domain';
import { CustodyStore } from '../evidence/custody-store';
import type { EnforcementStore } from '../store';
import { actionFromWire, entryToWire, evidenceToWire } from './mapping';
import { viewFor } from './referrals';

export interface EvidenceDeps {
  store: EnforcementStore;
  custody: CustodyStore;
  now: () => Date;
  /** The largest item UploadEvidence stores (EVIDENCE_UPLOAD_MAX_BYTES). */
  maxUploadBytes: number;
}

/** The longest chain VerifyCustody walks (an item handled this often is an anomaly in itself). */
export const MAX_CHAIN = 100_000;

export function evidenceHandlers(kit: HandlerKit, deps: EvidenceDeps) {
  const { store, custody, now, maxUploadBytes } = deps;

  const referralOf = async (access: Access, id: string): Promise<Referral> => {
    ValidationError.throwIfAny(validateReferralId(id));
    return inScope(access, await store.get(id), `referral ${id} not found`);
  };
  const itemOf = async (access: Access, id: string): Promise<EvidenceItem> => {
    ValidationError.throwIfAny(validateEvidenceId(id));
    const item = await custody.item(id);
    if (!item) throw new NotFoundError(`evidence ${id} not found`);
    await referralOf(access, item.referralId); // the item is readable where its referral is
    return item;
  };

  return {
    addEvidence: unary(kit, async (request: v1.AddEvidenceRequest, { caller, signal }): Promise<v1.AddEvidenceResponse> => {
      const access = authorize(AUTHORIZATION, 'addEvidence', caller);
      const at = now();
      const evidence = validateEvidence(request);
      const first = validateCustodyAction(actionFromWire(request.collected), 'collected', at);
      ValidationError.throwIfAny([...validateReferralId(request.referralId), ...evidence.violations, ...first.violations]);
      const referral = await referralOf(access, request.referralId);
      if (referral.status === 'candidate' || referral.status === 'dismissed') throw new FailedPreconditionError(`referral ${referral.id} is a ${referral.status} candidate: accept it before adding evidence`);
      const item: EvidenceItem = { id: uuidv7(), referralId: referral.id, ...evidence.value!, addedBy: caller.subject, addedAt: at };
      signal.throwIfAborted();
      if (!(await custody.addItem(item, at))) throw new FailedPreconditionError(`referral ${referral.id} holds the most evidence items allowed`);
      const entry = await custody.append(item.id, first.action!, caller.subject, now, { head: undefined });
      return { evidence: evidenceToWire(item), firstEntry: entryToWire(entry) };
    }),

    uploadEvidence: clientStreaming(kit, async (requests: AsyncIterable<v1.UploadEvidenceRequest>, { caller, signal }): Promise<v1.UploadEvidenceResponse> => {
      const access = authorize(AUTHORIZATION, 'uploadEvidence', caller);
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      const header = !first.done && first.value.part?.$case === 'header' ? first.value.part.value : undefined;
      if (!header) throw new ValidationError([{ field: 'header', description: 'the first message must carry the header (referral_id, media_type, collected)' }]);
      const at = now();
      const declared = header.sha256.toLowerCase();
      const described = validateEvidence({ reference: 'gridfs:pending', sha256: declared || '0'.repeat(64), sizeBytes: 0, mediaType: header.mediaType, description: header.description });
      const collected = validateCustodyAction(actionFromWire(header.collected), 'header.collected', at);
      ValidationError.throwIfAny([...validateReferralId(header.referralId, 'header.referral_id'), ...described.violations.map((v) => ({ ...v, field: `header.${v.field}` })), ...collected.violations]);
      const referral = await referralOf(access, header.referralId);
      if (referral.status === 'candidate' || referral.status === 'dismissed') throw new FailedPreconditionError(`referral ${referral.id} is a ${referral.status} candidate: accept it before adding evidence`);

      // Streamed into GridFS as it arrives, hashed on the way; anything short of a whole, matching item is removed.
      const upload = custody.files.openUploadStream(`${referral.id}/${uuidv7()}`, { metadata: { referralId: referral.id, uploadedBy: caller.subject } });
      const hash = createHash('sha256');
      let size = 0;
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          if (next.value.part?.$case !== 'chunk') throw new ValidationError([{ field: 'header', description: 'only the first message may carry a header' }]);
          const chunk = next.value.part.value;
          size += chunk.length;
          if (size > maxUploadBytes) throw new ValidationError([{ field: 'chunk', description: `the item is larger than ${maxUploadBytes} bytes: hold it elsewhere and add it by reference (AddEvidence)` }]);
          hash.update(chunk);
          if (!upload.write(chunk)) await new Promise<void>((resolve) => upload.once('drain', () => resolve()));
        }
        if (size === 0) throw new ValidationError([{ field: 'chunk', description: 'the item is empty' }]);
        const sha256 = hash.digest('hex');
        if (declared && declared !== sha256) throw new ValidationError([{ field: 'header.sha256', description: `does not match the bytes received (their SHA-256 is ${sha256})` }]);
        signal.throwIfAborted();
        await new Promise<void>((resolve, reject) => upload.end((error?: Error | null) => (error ? reject(error) : resolve())));
        const item: EvidenceItem = { id: uuidv7(), referralId: referral.id, reference: CustodyStore.fileReference(upload.id), sha256, sizeBytes: size, mediaType: described.value!.mediaType, description: described.value!.description, addedBy: caller.subject, addedAt: at };
        if (!(await custody.addItem(item, at))) throw new FailedPreconditionError(`referral ${referral.id} holds the most evidence items allowed`);
        const entry = await custody.append(item.id, collected.action!, caller.subject, now, { head: undefined });
        return { evidence: evidenceToWire(item), firstEntry: entryToWire(entry) };
      } catch (error) {
        await upload.abort().catch(() => undefined);
        throw error;
      }
    }),

    listEvidence: unary(kit, async (request: v1.ListEvidenceRequest, { caller }): Promise<v1.ListEvidenceResponse> => {
      const access = authorize(AUTHORIZATION, 'listEvidence', caller);
      const referral = await referralOf(access, request.referralId);
      return { evidence: (await custody.itemsOf(referral.id)).map(evidenceToWire) };
    }),

    recordCustody: unary(kit, async (request: v1.RecordCustodyRequest, { caller, signal }): Promise<v1.RecordCustodyResponse> => {
      const access = authorize(AUTHORIZATION, 'recordCustody', caller);
      const action = validateCustodyAction(actionFromWire(request.action), 'action', now());
      ValidationError.throwIfAny([...validateEvidenceId(request.evidenceId), ...action.violations]);
      const item = await itemOf(access, request.evidenceId);
      const head = await custody.head(item.id);
      if (head?.action.kind === 'destroyed') throw new FailedPreconditionError(`evidence ${item.id} was destroyed (entry ${head.sequence}): nothing can follow`);
      signal.throwIfAborted();
      return { entry: entryToWire(await custody.append(item.id, action.action!, caller.subject, now, { head })) };
    }),

    listCustody: unary(kit, async (request: v1.ListCustodyRequest, { caller }): Promise<v1.ListCustodyResponse> => {
      const access = authorize(AUTHORIZATION, 'listCustody', caller);
      const size = request.pageSize === 0 ? 50 : request.pageSize;
      const violations = [...validateEvidenceId(request.evidenceId)];
      if (!Number.isInteger(request.pageSize) || request.pageSize < 0 || request.pageSize > 500) violations.push({ field: 'page_size', description: 'must be from 0 to 500 (0 means 50)' });
      const after = request.pageToken ? Number(decodePageToken(request.pageToken)) : 0;
      if (!Number.isSafeInteger(after) || after < 0) violations.push({ field: 'page_token', description: 'is not a token this service issued' });
      ValidationError.throwIfAny(violations);
      const item = await itemOf(access, request.evidenceId);
      const entries = await custody.entries(item.id, after + 1, size + 1);
      const shown = entries.slice(0, size);
      return { entries: shown.map(entryToWire), nextPageToken: entries.length > size ? encodePageToken(String(shown[shown.length - 1]!.sequence)) : '' };
    }),

    verifyCustody: unary(kit, async (request: v1.VerifyCustodyRequest, { caller }): Promise<v1.VerifyCustodyResponse> => {
      const access = authorize(AUTHORIZATION, 'verifyCustody', caller);
      const item = await itemOf(access, request.evidenceId);
      // From the last signed checkpoint unless an audit asks for the whole chain.
      const last = await custody.lastCheckpoint(item.id);
      const checkpoint = request.fromGenesis ? undefined : last;
      // The last checkpoint's entry must exist either way: a chain cut before it has a gap.
      const stored = await custody.wholeChain(item.id, MAX_CHAIN, checkpoint?.sequence ?? 1, last?.sequence ?? 0);
      const verdict = verifyChain(item.id, stored, checkpoint ? { checkpoint, key: custody.signing.key } : undefined);
      return {
        intact: verdict.intact, entries: verdict.entries, firstBrokenSequence: verdict.firstBroken?.sequence ?? 0, reason: verdict.firstBroken?.reason ?? '',
        headHash: verdict.headHash, verifiedFromSequence: verdict.verifiedFrom,
      };
    }),

    exportStix: unary(kit, async (request: v1.ExportStixRequest, { caller }): Promise<v1.ExportStixResponse> => {
      const access = authorize(AUTHORIZATION, 'exportStix', caller);
      const referral = viewOf(await referralOf(access, request.referralId), viewFor(access)).referral;
      const bundle = referralBundle(referral, await custody.itemsOf(referral.id));
      return { bundle: Buffer.from(JSON.stringify(bundle)) };
    }),
  };
}
