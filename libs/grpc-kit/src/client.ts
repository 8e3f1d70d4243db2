/** Client helpers for the CLI, tests and service-to-service calls. */
import { createReadStream } from 'node:fs';
import { credentials, Metadata, type CallOptions, type ServiceError } from '@grpc/grpc-js';

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

type UnaryMethod = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response?: unknown) => void) => unknown;

/**
 * Calls a unary method of a generated client and returns a promise. The request is built from a
 * partial with the package's `<Method>Request.fromPartial` (ts-proto messages encode only whole).
 */
export function callUnary<Res>(client: object, codecs: object, method: string, partial: object, metadata: Metadata): Promise<Res> {
  const typeName = `${method[0]!.toUpperCase()}${method.slice(1)}Request`;
  const codec = (codecs as Record<string, { fromPartial(o: object): object } | undefined>)[typeName];
  if (!codec) throw new Error(`the package has no ${typeName}`);
  const fn = (client as Record<string, UnaryMethod | undefined>)[method];
  if (typeof fn !== 'function') throw new Error(`the client has no method ${method}`);
  return new Promise((resolve, reject) => fn.call(client, codec.fromPartial(partial), metadata, (error, response) => (error ? reject(error) : resolve(response as Res))));
}
