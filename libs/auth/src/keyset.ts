/**
 * Where verification keys come from. A key-set file is watched by a stat at most once a second: when
 * it changes it is re-read, so a key removed from it stops verifying within about a second, and a key
 * added to it works without a restart. A token naming a kid the set lacks also forces a re-read, at
 * most every few seconds. A re-read that fails (a half-written file, bad JSON) keeps the last good
 * set, is logged with its detail, and is retried no faster than those limits; callers never see it.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** What the key set logs: pino's `warn(object, message)` satisfies it. */
export interface KeySetLogger {
  warn(details: object, message: string): void;
}

export interface FileKeySetOptions {
  /** At most one stat of the file per this many ms. */
  checkIntervalMs?: number;
  /** At most one forced re-read (for a kid the set lacks) per this many ms. */
  unknownKidReloadMs?: number;
  logger?: KeySetLogger;
}

const DEFAULT_CHECK_INTERVAL_MS = 1_000;
const DEFAULT_UNKNOWN_KID_RELOAD_MS = 5_000;

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;

function parseKeySet(text: string): LocalKeySet {
  return createLocalJWKSet(JSON.parse(text) as JSONWebKeySet);
}

/** Identifies one version of the file: a rewrite or an atomic rename changes at least one of these. */
function versionOf(s: Stats): string {
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

class FileKeySet {
  private current: LocalKeySet;
  private version: string;
  /** The text `current` was parsed from: a re-read that finds the same keys keeps the same key objects. */
  private text: string;
  private checkedAt = Date.now();
  private forcedAt = 0;
  private failedAt = 0;
  /** One re-read at a time; concurrent verifications share it. */
  private pending?: Promise<void>;

  constructor(
    private readonly path: string,
    private readonly checkIntervalMs: number,
    private readonly unknownKidReloadMs: number,
    private readonly logger: KeySetLogger,
  ) {
    // At start-up a missing or bad file is fatal: the service refuses to start, naming it. The stat
    // comes before the read (here and in reload), so a change in between is seen by the next check.
    this.version = versionOf(statSync(path));
    this.text = readFileSync(path, 'utf8');
    this.current = parseKeySet(this.text);
  }

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    if (Date.now() - this.checkedAt >= this.checkIntervalMs) await this.refresh(false);
    try {
      return await this.current(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !this.mayForceReread()) throw error;
      this.forcedAt = Date.now();
      await this.refresh(true);
      return this.current(header, token);
    }
  };

  /** After a failed read, nothing reads the file again for a check interval, whatever the tokens say. */
  private mayForceReread(): boolean {
    const now = Date.now();
    return now - this.forcedAt >= this.unknownKidReloadMs && now - this.failedAt >= this.checkIntervalMs;
  }

  private refresh(force: boolean): Promise<void> {
    this.pending ??= this.reload(force).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async reload(force: boolean): Promise<void> {
    this.checkedAt = Date.now();
    try {
      const version = versionOf(await stat(this.path));
      if (!force && version === this.version) return;
      const text = await readFile(this.path, 'utf8');
      // Unchanged keys keep their key objects, so a token naming an unknown kid (anyone can send
      // one) cannot make every remembered token be checked again.
      if (text !== this.text) {
        this.current = parseKeySet(text);
        this.text = text;
      }
      this.version = version;
    } catch (error) {
      // The version is not recorded, so the next check (a second later at most) tries again.
      this.failedAt = Date.now();
      this.logger.warn({ err: error, path: this.path }, 'key set file could not be re-read; keeping the last good keys');
    }
  }
}

export function fileKeySet(path: string, options: FileKeySetOptions = {}): JWTVerifyGetKey {
  return new FileKeySet(
    path,
    options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS,
    options.unknownKidReloadMs ?? DEFAULT_UNKNOWN_KID_RELOAD_MS,
    options.logger ?? console,
  ).getKey;
}

export interface KeySource {
  jwksFile?: string | undefined;
  jwksUrl?: string | undefined;
}

export function keySetFrom(source: KeySource, logger?: KeySetLogger): JWTVerifyGetKey {
  if (source.jwksUrl) return createRemoteJWKSet(new URL(source.jwksUrl));
  if (source.jwksFile) return fileKeySet(source.jwksFile, logger ? { logger } : {});
  throw new Error('no verification keys: set AUTH_JWKS_FILE or AUTH_JWKS_URL');
}
