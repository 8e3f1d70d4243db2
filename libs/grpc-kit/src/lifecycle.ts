/** Runs the shutdown sequence once, on SIGTERM (Kubernetes) or SIGINT (a developer's Ctrl-C). */
import type { Logger } from '@rampart/telemetry';

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
