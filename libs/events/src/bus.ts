/**
 * A service's connection to the event bus: NATS with JetStream, its streams ensured now and again
 * after every reconnect (with whatever else the service must re-ensure, such as its consumers).
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@rampart/telemetry';
import { connectNats, onReconnect } from './connection';
import { ensureStream, type StreamSpec } from './streams';

export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Adds work to re-run after every reconnect. */
  alsoOnReconnect: (ensure: () => Promise<void>) => void;
}

export async function connectEventBus(options: { servers: string; name: string; logger: Logger; streams: StreamSpec[] }): Promise<EventBus> {
  const nc = await connectNats(options);
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  const extra: (() => Promise<void>)[] = [];
  const ensureAll = async () => {
    for (const spec of options.streams) await ensureStream(jsm, spec);
    for (const ensure of extra) await ensure();
  };
  await ensureAll();
  onReconnect(nc, options.logger, ensureAll);
  return { nc, js, jsm, alsoOnReconnect: (ensure) => extra.push(ensure) };
}
