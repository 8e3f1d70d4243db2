/**
 * Typed, validated configuration from the environment. A service describes its variables once with
 * zod; `loadConfig` fails fast at start-up with every bad variable named.
 */
import { z } from 'zod';

export { z };

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `env` against `schema`, whose keys are the environment variable names. Unknown variables
 * are ignored; missing optional ones take their schema defaults.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const value = env[name];
      const shown = value === undefined ? 'unset' : `got ${JSON.stringify(value)}`;
      return `${name}: ${issue.message} (${shown})`;
    }),
  );
}

/** Common variable shapes, so every service spells them the same way. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback: string) => z.string().url().default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  flag: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  nonEmpty: () => z.string().min(1, 'must not be empty'),
};

/** A timeout in milliseconds: never 0, which the MongoDB driver reads as "wait forever". */
function timeoutMs(fallback: number) {
  return z.coerce.number().int().min(100).max(300_000).default(fallback);
}

/** Variables every Rampart service reads, in one place. */
export const commonConfig = {
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  MONGODB_URI: z.string().startsWith('mongodb', 'must be a mongodb:// or mongodb+srv:// URI').default('mongodb://127.0.0.1:27017'),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be 1-63 letters, digits, _ or -').default('rampart'),
  /** How long an operation waits for a usable server (none answers: UNAVAILABLE after this). */
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: timeoutMs(5_000),
  /** How long opening a connection (TCP and handshake) may take. */
  MONGODB_CONNECT_TIMEOUT_MS: timeoutMs(5_000),
  /**
   * How long a connection may wait for the server's answer to one operation before it is dropped
   * and the operation fails (UNAVAILABLE): a hung server cannot hold a call, or a pooled connection,
   * past it. Longer than the slowest legitimate operation: the relay's sweep, a whole-collection
   * scan on FerretDB/SQLite (about 1.2 s per 5,000 documents, docs/engine-costs.md), so 60 s covers
   * about 250,000 documents there; on MongoDB the sweep is an index range. A call is answered at its
   * own deadline whatever this is (grpc-kit's CallScope).
   */
  MONGODB_SOCKET_TIMEOUT_MS: timeoutMs(60_000),
  AUTH_ISSUER: z.string().min(1).default('rampart-dev'),
  AUTH_AUDIENCE: z.string().min(1).default('rampart'),
  /** Path to a JWKS file (rotate keys by adding the new one before signing with it). */
  AUTH_JWKS_FILE: z.string().optional(),
  /** Or a JWKS URL served by the identity provider. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** Seconds of clock skew allowed on a token's `exp` and `nbf`; more than 5 minutes is a broken clock. */
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
  METRICS_PORT: env.port(0),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: env.positiveInt(10_000),
};

/** The variables of every service process: the common ones, its gRPC listener (default `grpcPort`), its streams and outbox. */
export function serviceConfig(grpcPort: number) {
  return {
    ...commonConfig,
    GRPC_HOST: z.string().default('0.0.0.0'),
    GRPC_PORT: env.port(grpcPort),
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    /** How often each replica sweeps for events nobody published (a crashed replica's); writes publish their own at once. */
    OUTBOX_SWEEP_MS: env.positiveInt(30_000),
  };
}

/** The MongoDB driver's timeouts from the validated variables, for `connectMongo` (libs/store). */
export function mongoTimeouts(config: {
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: number;
  MONGODB_CONNECT_TIMEOUT_MS: number;
  MONGODB_SOCKET_TIMEOUT_MS: number;
}): { serverSelectionTimeoutMS: number; connectTimeoutMS: number; socketTimeoutMS: number } {
  return {
    serverSelectionTimeoutMS: config.MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: config.MONGODB_CONNECT_TIMEOUT_MS,
    socketTimeoutMS: config.MONGODB_SOCKET_TIMEOUT_MS,
  };
}
