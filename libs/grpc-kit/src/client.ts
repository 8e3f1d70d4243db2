/** Client helpers for the CLI, tests and service-to-service calls. */
import { createReadStream } from 'node:fs';
import { credentials, Metadata, type CallOptions } from '@grpc/grpc-js';

export const insecure = () => credentials.createInsecure();

export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function withDeadline(ms: number): CallOptions {
  return { deadline: new Date(Date.now() + ms) };
}

/** What a client-streaming call needs for `streamFile`. */
interface WritableCall<T> {
  write(message: T): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): void;
}

/** Streams a file into a client-streaming call as `toMessage(chunk)`, honouring backpressure, then ends the call. */
export function streamFile<T>(call: WritableCall<T>, file: string, toMessage: (chunk: Buffer) => T, chunkBytes = 256 * 1024): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(file, { highWaterMark: chunkBytes });
    stream.on('data', (chunk) => {
      if (!call.write(toMessage(chunk as Buffer))) {
        stream.pause();
        call.once('drain', () => stream.resume());
      }
    });
    stream.on('end', () => {
      call.end();
      resolve();
    });
    stream.on('error', reject);
  });
}
