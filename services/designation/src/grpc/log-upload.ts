/**
 * Receives an uploaded Inspect log from the client's stream into GridFS, hashing it as it goes, so
 * it is never whole in memory, and never left half-stored: whatever ends an upload early (the
 * client cancelling, the deadline, bad input, a database error at any moment), every part written
 * is removed before the call ends.
 *
 * Each write to the GridFS stream is awaited, in slices of at most one GridFS chunk: so at most one
 * chunk insert is ever in flight, its error comes back to the write that caused it, and when an
 * upload stops, nothing is still being written behind the removal of its parts. The stream also
 * has an `error` listener for its whole life, so no database error can be an unhandled event.
 */
import { createHash } from 'node:crypto';
import type { GridFSBucket, GridFSBucketWriteStream, ObjectId } from 'mongodb';
import { ValidationError, type FieldViolation } from '@rampart/errors';
import type { designationV1 as v1 } from '@rampart/proto';
import type { Logger } from '@rampart/telemetry';

export interface ReceivedLog {
  fileId: ObjectId;
  size: number;
  sha256: string;
  /** The first bytes, to tell the format apart. */
  firstBytes: Buffer;
}

export interface ReceiveOptions {
  bucket: GridFSBucket;
  filename: string;
  metadata: Record<string, unknown>;
  /** The messages after the header; the kit's stream, which stops with the abort reason as soon as the call is over. */
  messages: AsyncIterator<v1.UploadInspectLogRequest>;
  maxBytes: number;
  /** The call's: aborted when the client cancels or the deadline passes. */
  signal: AbortSignal;
  /** Removes a stored or partly stored log, files document and chunks. */
  remove: (fileId: ObjectId) => Promise<void>;
  logger: Logger;
}

export async function receiveLog(options: ReceiveOptions): Promise<ReceivedLog> {
  const upload = options.bucket.openUploadStream(options.filename, { metadata: options.metadata });
  // For its whole life: a database error must never be an unhandled 'error' event. The error itself
  // reaches the write (or end) it failed, which is awaited.
  upload.on('error', () => undefined);
  try {
    return await receive(upload, options);
  } catch (error) {
    await removeQuietly(upload.id, options, error);
    upload.destroy();
    throw error;
  }
}

/** Removes what an upload or a refused log left; a failure to do so is logged with the file id, not thrown over the original error. */
export async function removeQuietly(fileId: ObjectId, options: Pick<ReceiveOptions, 'remove' | 'logger'>, reason: unknown): Promise<void> {
  try {
    await options.remove(fileId);
  } catch (error) {
    options.logger.error({ err: error, fileId: fileId.toHexString(), reason: reason instanceof Error ? reason.message : String(reason) }, 'could not remove the parts of an upload that did not complete');
  }
}

async function receive(upload: GridFSBucketWriteStream, options: ReceiveOptions): Promise<ReceivedLog> {
  const { messages, maxBytes, signal } = options;
  const hash = createHash('sha256');
  let size = 0;
  let firstBytes = Buffer.alloc(0);
  for (let next = await messages.next(); !next.done; next = await messages.next()) {
    if (next.value.part?.$case !== 'chunk') refuse({ field: 'header', description: 'only the first message may carry a header' });
    const chunk = (next.value.part as { value: Buffer }).value;
    size += chunk.length;
    if (size > maxBytes) refuse({ field: 'chunk', description: `the log is larger than ${maxBytes} bytes` });
    if (firstBytes.length < 64) firstBytes = Buffer.concat([firstBytes, chunk.subarray(0, 64)]);
    hash.update(chunk);
    for (let at = 0; at < chunk.length; at += upload.chunkSizeBytes) await write(upload, chunk.subarray(at, at + upload.chunkSizeBytes));
    signal.throwIfAborted();
  }
  if (size === 0) refuse({ field: 'chunk', description: 'the log is empty' });
  await new Promise<void>((resolve, reject) => upload.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return { fileId: upload.id, size, sha256: hash.digest('hex'), firstBytes };
}

function refuse(violation: FieldViolation): never {
  throw new ValidationError([violation]);
}

/** Resolves once GridFS has taken the bytes (and stored the chunk they completed, if any). */
function write(upload: GridFSBucketWriteStream, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => upload.write(bytes, (error) => (error ? reject(error) : resolve())));
}
