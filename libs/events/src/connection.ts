/**
 * The NATS connection: reconnects forever, and re-runs the service's `ensure` (streams and
 * consumers) after every reconnect, since a restarted server may have lost them.
 */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@rampart/telemetry';

export interface NatsOptions {
  servers: string;
  name: string;
  logger: Logger;
}

export async function connectNats(options: NatsOptions): Promise<NatsConnection> {
  const nc = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    reconnectJitter: 100,
    pingInterval: 10_000,
    // Without this every request (each JetStream publish's acknowledgement) builds Error objects up
    // front to capture where it began: about 5% of intake's busy CPU under load, for stack traces
    // that our errors, logged with their own context and trace ids, do not need.
    noAsyncTraces: true,
  });
  options.logger.info({ server: nc.getServer() }, 'connected to NATS');
  return nc;
}

/** Calls `onReconnect` after every reconnect until the connection closes. */
export function onReconnect(nc: NatsConnection, logger: Logger, handler: () => Promise<void>): void {
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS disconnected');
      if (status.type !== 'reconnect') continue;
      logger.info({ server: status.server }, 'NATS reconnected');
      try {
        await handler();
      } catch (error) {
        logger.error({ err: error }, 're-ensuring NATS resources after reconnect failed');
      }
    }
  })();
}
