/**
 * The MongoDB connection each service opens to reach its own collections. Services declare their
 * collections and indexes in their store.ts; indexes are ensured at start-up (idempotent).
 */
import { MongoClient, MongoServerError, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';
import { ValidationError, type FieldViolation } from '@rampart/errors';

/**
 * The driver's timeouts (driver 7 has no working `timeoutMS`; these bound each step instead): a
 * hung or unreachable database fails an operation after at most one of them, never hangs it, and a
 * call answers UNAVAILABLE (libs/grpc-kit status.ts). Set from MONGODB_*_TIMEOUT_MS (libs/config).
 */
export interface MongoTimeouts {
  /** Waiting for a usable server. */
  serverSelectionTimeoutMS: number;
  /** Opening a connection, TCP and handshake; also how fast the monitor notices a server gone silent. */
  connectTimeoutMS: number;
  /** Waiting for the answer to one operation on an open connection. */
  socketTimeoutMS: number;
}

export const DEFAULT_MONGO_TIMEOUTS: MongoTimeouts = { serverSelectionTimeoutMS: 5_000, connectTimeoutMS: 5_000, socketTimeoutMS: 60_000 };

export interface StoreOptions {
  uri: string;
  database: string;
  /** Shown in the server's logs and currentOp. */
  appName: string;
  /** Default DEFAULT_MONGO_TIMEOUTS; a service passes its configured ones. */
  timeouts?: MongoTimeouts | undefined;
}

export interface MongoStore {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

export async function connectMongo(options: StoreOptions): Promise<MongoStore> {
  const timeouts = options.timeouts ?? DEFAULT_MONGO_TIMEOUTS;
  const client = new MongoClient(options.uri, {
    appName: options.appName,
    ...timeouts,
    // Waiting for a pooled connection (all busy on a slow server) is bounded like choosing a server.
    waitQueueTimeoutMS: timeouts.serverSelectionTimeoutMS,
    // Writes acknowledged by the majority survive a replica-set failover (MongoDB in production).
    writeConcern: { w: 'majority' },
  });
  await client.connect();
  const db = client.db(options.database);
  return { client, db, close: () => client.close() };
}

/**
 * Ensures `indexes` (each named) on `collection`; safe to run on every start of every replica.
 * Only missing indexes are created, one at a time: FerretDB v1 fails a multi-index createIndexes
 * whose indexes already exist (it drops the connection), and on MongoDB this skips a no-op.
 */
export async function ensureIndexes<T extends Document>(collection: Collection<T>, indexes: (IndexDescription & { name: string })[]): Promise<void> {
  const existing = new Set(
    (await collection.listIndexes().toArray().catch((): Document[] => [])).map((index: Document) => String(index.name)),
  );
  for (const index of indexes) if (!existing.has(index.name)) await collection.createIndexes([index]);
}

/** True for E11000, a unique index refusing a second document. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

/** Opaque page tokens: the last key of the previous page, base64url JSON. */
export function encodePageToken(after: string): string {
  return Buffer.from(JSON.stringify({ a: after })).toString('base64url');
}

export function decodePageToken(token: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (parsed && typeof parsed === 'object' && typeof (parsed as { a?: unknown }).a === 'string') return (parsed as { a: string }).a;
  } catch {
    // fall through: not ours
  }
  return undefined;
}
export * from './codec';
export * from './sequenced-set';
export * from './latest-of-sequence';

export interface PageRequest {
  /** How many to return. */
  size: number;
  /** The last key of the previous page, if any. */
  after?: string;
}

/**
 * A list request's `page_size` and `page_token`, checked the same way by every service: a size
 * from 0 (meaning `defaultSize`) to `maxSize`, and a token this service issued.
 */
export function pageRequest(request: { pageSize: number; pageToken: string }, defaultSize: number, maxSize: number): PageRequest {
  const violations: FieldViolation[] = [];
  const { pageSize, pageToken } = request;
  if (!Number.isInteger(pageSize) || pageSize < 0 || pageSize > maxSize) {
    violations.push({ field: 'page_size', description: `must be from 0 to ${maxSize} (0 means ${defaultSize})` });
  }
  const after = pageToken ? decodePageToken(pageToken) : undefined;
  if (pageToken && after === undefined) violations.push({ field: 'page_token', description: 'is not a token this service issued' });
  ValidationError.throwIfAny(violations);
  return { size: pageSize === 0 ? defaultSize : pageSize, ...(after !== undefined ? { after } : {}) };
}

/** The page's items and the token for the next one, from a fetch of `size + 1` items. */
export function page<T>(fetched: T[], size: number, keyOf: (item: T) => string): { items: T[]; nextPageToken: string } {
  const items = fetched.slice(0, size);
  return { items, nextPageToken: fetched.length > size ? encodePageToken(keyOf(items[items.length - 1]!)) : '' };
}
