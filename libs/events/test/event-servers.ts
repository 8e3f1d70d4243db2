/**
 * What the relay's integration tests share: a nats-server of their own with one event stream, a
 * client on the shared FerretDB, and outbox entries of a test area whose age a test chooses.
 */
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { createEvent, ensureStream, eventStream, outboxEntry, type OutboxEntry } from '@rampart/events';
import { NatsServer, readStream, sharedServers } from '@rampart/testing';

export const silentLogger = pino({ level: 'silent' });
export const HOUR = 3_600_000;

export class EventServers {
  private constructor(
    readonly nats: NatsServer,
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
    readonly mongo: MongoClient,
    readonly area: string,
    readonly stream: string,
  ) {}

  /** Stream `<AREA>_EVENTS` on `rampart.<area>.thing.>`; the NATS client reconnects for ever. */
  static async start(area: string): Promise<EventServers> {
    const nats = await NatsServer.start();
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    const jsm = await jetstreamManager(nc);
    const stream = `${area.toUpperCase()}_EVENTS`;
    await ensureStream(jsm, eventStream(area, stream, ['thing']));
    const mongo = await new MongoClient(sharedServers().mongodbUri).connect();
    return new EventServers(nats, nc, jetstream(nc), jsm, mongo, area, stream);
  }

  private seq = 0;

  /** A `rampart.<area>.thing.changed` entry for thing `id`, created `ageMs` ago. */
  entry(id: string | number, ageMs = 0): OutboxEntry {
    const at = new Date(Date.now() - ageMs);
    return outboxEntry(`rampart.${this.area}.thing.changed`, createEvent({ area: this.area, thing: 'thing', verb: 'changed' }, String(id), { revision: ++this.seq }, at), at);
  }

  /** The ids of every event in the stream, in stream order. */
  async published(): Promise<string[]> {
    return (await readStream(this.jsm, this.stream)).map((m) => m.event.id);
  }

  async stop(): Promise<void> {
    await this.nc.close();
    await this.mongo.close();
    await this.nats.stop();
  }
}
