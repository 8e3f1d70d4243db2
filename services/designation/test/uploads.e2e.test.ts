/**
 * Uploads that do not complete leave nothing behind and cannot take the service down: a client
 * cancelling mid-stream, and a database error at any moment of the upload (while the service waits
 * for the client's next message, or while it writes the file's last part).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isServing, REPO_ROOT, waitFor } from '@rampart/testing';
import { status, type ClientWritableStream, type ServiceError } from '@grpc/grpc-js';
import { Binary, type ObjectId } from 'mongodb';
import { bearer } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { DesignationHarness } from './fixtures';

const h = new DesignationHarness();
const D = v1.CapabilityDomain;
const VALID_LOG = path.join(REPO_ROOT, '../shared/conformance/inspect/log_valid.txt');
const CHUNK = 4 * 1024;
// GridFS stores 255 KiB chunks: 64 messages of 4 KiB complete the first, 128 the second.
const FIRST_CHUNK_MESSAGES = 64;
const tokens: Record<string, string> = {};
let caseId: string;

const files = () => h.db.collection('designation_logs.files');
const chunks = () => h.db.collection<{ files_id: ObjectId; n: number }>('designation_logs.chunks');

beforeAll(async () => {
  await h.start();
  Object.assign(tokens, await h.cast());
  caseId = await h.submit(tokens.acme!);
  await h.waitForCase(caseId, tokens.auditor!);
}, 120_000);
afterAll(() => h.stop());

interface OpenUpload {
  call: ClientWritableStream<v1.UploadInspectLogRequest>;
  /** The call's outcome: its response, or the error it ended with. */
  outcome: Promise<v1.UploadInspectLogResponse | ServiceError>;
  send(messages: number): void;
  sendBytes(bytes: Buffer): void;
}

function openUpload(deadlineMs = 60_000): OpenUpload {
  let call!: ClientWritableStream<v1.UploadInspectLogRequest>;
  const outcome = new Promise<v1.UploadInspectLogResponse | ServiceError>((resolve) => {
    call = h.client.uploadInspectLog(bearer(tokens.evaluator!), { deadline: new Date(Date.now() + deadlineMs) }, (error, response) => resolve(error ?? response));
  });
  const header = v1.InspectLogHeader.fromPartial({ caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: ['accuracy'] });
  call.write(v1.UploadInspectLogRequest.fromPartial({ part: { $case: 'header', value: header } }));
  const sendBytes = (bytes: Buffer) => {
    for (let at = 0; at < bytes.length; at += CHUNK) call.write(v1.UploadInspectLogRequest.fromPartial({ part: { $case: 'chunk', value: bytes.subarray(at, at + CHUNK) } }));
  };
  return { call, outcome, send: (messages) => sendBytes(randomBytes(messages * CHUNK)), sendBytes };
}

/** The GridFS file id of the upload in progress: the one whose first chunk appears next. */
async function fileOfNextUpload(before: Set<string>): Promise<ObjectId> {
  let found: ObjectId | undefined;
  await waitFor("the upload's first chunk in the database", async () => {
    found = (await chunks().find({}, { projection: { files_id: 1 } }).toArray()).map((c) => c.files_id).find((id) => !before.has(id.toHexString()));
    return !!found;
  });
  return found!;
}

/** A valid JSON log padded with whitespace to three GridFS chunks: whole, were the stream ended. */
const paddedLog = () => Buffer.concat([readFileSync(VALID_LOG), Buffer.alloc(3 * FIRST_CHUNK_MESSAGES * CHUNK, 0x20)]);

const knownFiles = async () => new Set((await chunks().find({}, { projection: { files_id: 1 } }).toArray()).map((c) => c.files_id.toHexString()));
const leftovers = async (id: ObjectId) => (await files().countDocuments({ _id: id })) + (await chunks().countDocuments({ files_id: id }));
const evidenceCount = () => h.db.collection('designation_evidence').countDocuments({ caseId });

/** The service still serves: health SERVING, and a whole upload succeeds (also a sign the failed one was dealt with). */
async function expectServing(): Promise<void> {
  expect(await isServing(h.designation.address)).toBe(true);
  const { evidence } = await h.upload(tokens.evaluator!, { caseId, domains: [D.CAPABILITY_DOMAIN_VULNERABILITY_DISCOVERY], countedMetrics: ['accuracy'] }, VALID_LOG);
  expect(evidence!.kind).toBe('inspect_log');
}

it('a client cancelling mid-stream records nothing and leaves no file and no chunk behind', async () => {
  const before = await knownFiles();
  const evidenceBefore = await evidenceCount();
  const upload = openUpload();
  // Sent whole, but the client cancels instead of ending the stream: it must not count as an upload.
  upload.sendBytes(paddedLog());
  const id = await fileOfNextUpload(before);
  await waitFor('the first two chunks stored', async () => (await chunks().countDocuments({ files_id: id })) >= 2);
  upload.call.cancel();
  expect(((await upload.outcome) as ServiceError).code).toBe(status.CANCELLED);

  await waitFor('the cancelled upload to be removed', async () => (await leftovers(id)) === 0);
  await expectServing();
  expect(await leftovers(id)).toBe(0);
  expect(await evidenceCount()).toBe(evidenceBefore + 1); // only the upload that completed
});

it('an upload whose deadline passes before the stream ends records nothing and leaves no file and no chunk behind', async () => {
  const before = await knownFiles();
  const evidenceBefore = await evidenceCount();
  const upload = openUpload(2_000);
  upload.sendBytes(paddedLog());
  const id = await fileOfNextUpload(before);
  expect(((await upload.outcome) as ServiceError).code).toBe(status.DEADLINE_EXCEEDED);
  await waitFor('the expired upload to be removed', async () => (await leftovers(id)) === 0);
  await expectServing();
  expect(await leftovers(id)).toBe(0);
  expect(await evidenceCount()).toBe(evidenceBefore + 1); // only the upload that completed
});

it('a database error mid-stream, the client then saying nothing more, fails the call, removes every part and the service serves on', async () => {
  const before = await knownFiles();
  const upload = openUpload();
  upload.send(FIRST_CHUNK_MESSAGES);
  const id = await fileOfNextUpload(before);
  // Another writer took the upload's second chunk: writing it fails (unique files_id and n).
  await chunks().insertOne({ files_id: id, n: 1, data: new Binary(Buffer.alloc(1)) } as never);
  upload.send(FIRST_CHUNK_MESSAGES); // completes the second chunk; then the client says nothing more

  const outcome = (await upload.outcome) as ServiceError;
  expect(outcome.code).toBe(status.INTERNAL);
  upload.call.cancel();
  await waitFor('the failed upload to be removed', async () => (await leftovers(id)) === 0);
  await expectServing();
  expect(await leftovers(id)).toBe(0);
});

it('a database error writing the last part of the file fails the call, removes every part and the service serves on', async () => {
  const before = await knownFiles();
  const upload = openUpload();
  upload.send(FIRST_CHUNK_MESSAGES + 1);
  const id = await fileOfNextUpload(before);
  // Another writer took the file's id: the files document written at the end cannot be.
  await files().insertOne({ _id: id, length: 0, chunkSize: 261_120, uploadDate: new Date(), filename: 'squatter' });
  upload.call.end();

  const outcome = (await upload.outcome) as ServiceError;
  expect(outcome.code).toBe(status.INTERNAL);
  await waitFor('the failed upload to be removed', async () => (await leftovers(id)) === 0);
  await expectServing();
  expect(await leftovers(id)).toBe(0);
});
