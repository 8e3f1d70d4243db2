/** Runs the shutdown sequence once, on SIGTERM (Kubernetes) or SIGINT (a developer's Ctrl-C). */
import { createLogger, shutdownTelemetry, type Logger } from '@rampart/telemetry';

export function onShutdownSignal(logger: Logger, shutdown: (signal: string) => Promise<void>): void {
  let started = false;
  const handle = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal }, 'shutting down');
    shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

/**
 * A service process's entry: validated config (fail fast), start, and on SIGTERM/SIGINT the
 * service's own orderly stop followed by a final flush of telemetry.
 */
export function runService<C extends { LOG_LEVEL: string }>(name: string, loadConfig: () => C, start: (config: C) => Promise<{ stop(): Promise<void> }>): void {
  let config: C;
  try {
    config = loadConfig();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  start(config).then(
    (running) => onShutdownSignal(logger, async () => {
      await running.stop();
      await shutdownTelemetry();
    }),
    (error: unknown) => {
      logger.fatal({ err: error }, `${name} failed to start`);
      process.exit(1);
    },
  );
}
