/**
 * The MongoDB connection each service opens to reach its own collections. Services declare their
 * collections and indexes in their store.ts; indexes are ensured at start-up (idempotent).
 */
import { MongoClient, MongoServerError, type Collection, type Db, type Document, type IndexDescription } from 'mongodb';

export interface StoreOptions {
  uri: string;
  database: string;
  /** Shown in the server's logs and currentOp. */
  appName: string;
}

export interface MongoStore {
  readonly client: MongoClient;
  readonly db: Db;
  close(): Promise<void>;
}

export async function connectMongo(options: StoreOptions): Promise<MongoStore> {
  const client = new MongoClient(options.uri, {
    appName: options.appName,
    serverSelectionTimeoutMS: 10_000,
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
    (await collection.listIndexes().toArray().catch(() => [])).map((index) => String(index.name)),
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
