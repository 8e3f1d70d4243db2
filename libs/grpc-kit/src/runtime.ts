/**
 * What every service process wires the same way, once: its logger and token verifier, the event bus
 * with its streams (its own, its audit trail, and, when it needs them, its dead letters and timers),
 * the audit trail, one outbox relay per collection with an outbox, its consumers, and the gRPC
 * server. `stop` runs the one shutdown order: NOT_SERVING, stop consuming, let in-flight calls
 * finish, let the relays publish what they wrote, flush the audit trail, drain NATS, then close
 * what the service opened (its database last).
 */
import type { Collection, Document } from 'mongodb';
import { CLEARANCES, verifierFromConfig, type TokenVerifier, type VerifierConfig } from '@rampart/auth';
import {
  AuditTrail,
  auditStream,
  ClaimedChanges,
  ClaimsSweep,
  connectEventBus,
  deadLetterStream,
  EventConsumer,
  OutboxRelay,
  registerDeadLetterMetrics,
  timerConsumer,
  TimerScheduler,
  timerStream,
  type ConsumerSpec,
  type DocumentLocks,
  type EventBus,
  type EventHandler,
  type OutboxDocument,
  type StreamSpec,
  type TimerHandler,
} from '@rampart/events';
import { createLogger, type Logger } from '@rampart/telemetry';
import type { AuditRecord } from './audit';
import type { HandlerKit } from './handler';
import { RefusalAudit } from './refusal-audit';
import { GrpcServer, type ServiceBinding } from './server';

/** The variables of every service process the runtime reads (see libs/config `serviceConfig`). */
export interface RuntimeConfig extends VerifierConfig {
  LOG_LEVEL: string;
  NATS_URL: string;
  NATS_STREAM_REPLICAS: number;
  OUTBOX_SWEEP_MS: number;
  GRPC_HOST: string;
  GRPC_PORT: number;
  SHUTDOWN_GRACE_MS: number;
}

export interface RuntimeOptions {
  /** The service's name: its logger, its NATS connection (`rampart-<name>`). */
  name: string;
  /** Its area in subjects and stream names (DESIGN.md). */
  area: string;
  config: RuntimeConfig;
  /** The streams of the events it publishes. */
  streams: StreamSpec[];
  /** It consumes events: its `<AREA>_DEADLETTER` stream. */
  consumes?: boolean;
  /** It schedules durable timers: its `<AREA>_TIMERS` stream. */
  timers?: boolean;
}

export class ServiceRuntime {
  private readonly relays: OutboxRelay[] = [];
  private readonly claimsSweeps: ClaimsSweep[] = [];
  private readonly sweepsByChanges = new WeakMap<object, ClaimsSweep>();
  private readonly consumers: EventConsumer[] = [];
  private readonly beforeConsumersStop: (() => void)[] = [];
  private readonly closers: (() => Promise<void>)[] = [];

  private constructor(
    readonly options: RuntimeOptions,
    readonly logger: Logger,
    readonly verifier: TokenVerifier,
    readonly bus: EventBus,
    readonly audit: AuditTrail<AuditRecord>,
    private readonly refusals: RefusalAudit,
  ) {}

  static async start(options: RuntimeOptions): Promise<ServiceRuntime> {
    const { name, area, config } = options;
    const logger = createLogger(name, config.LOG_LEVEL);
    const verifier = verifierFromConfig(config, logger.child({ component: 'auth' }));
    const replicas = config.NATS_STREAM_REPLICAS;
    const deadLetters = options.consumes ? deadLetterStream(area, replicas) : undefined;
    const bus = await connectEventBus({
      servers: config.NATS_URL,
      name: `rampart-${name}`,
      logger,
      streams: [
        ...options.streams,
        auditStream(area, replicas),
        ...(deadLetters ? [deadLetters] : []),
        ...(options.timers ? [timerStream(area, replicas)] : []),
      ],
    });
    if (deadLetters) registerDeadLetterMetrics(bus.jsm, deadLetters.name);
    // Each record goes on the subject of its marking: auditors are granted the levels up to their clearance.
    const audit = new AuditTrail<AuditRecord>({ js: bus.js, area, markings: CLEARANCES, logger: logger.child({ component: 'audit-trail' }) }).start();
    return new ServiceRuntime(options, logger, verifier, bus, audit, new RefusalAudit(audit));
  }

  /** The handler kit of the service's gRPC implementation. */
  kit(extra: Pick<HandlerKit, 'maxDeadlineMs' | 'maxRunningHandlers'> = {}): HandlerKit {
    return { verifier: this.verifier, logger: this.logger, audit: this.audit, refusals: this.refusals, ...extra };
  }

  /**
   * A started relay for one collection with an outbox: each write hands it its events, which it
   * publishes at once; its sweep (now, then every OUTBOX_SWEEP_MS) catches up after a crash or an
   * outage. `locks` are the store's own, held by its writers to the same documents. When the
   * collection changes by claim (a ClaimedChanges built on this same collection object), its
   * claims sweep runs too, at start-up and on the same interval.
   */
  relay<T extends Document & Pick<OutboxDocument, 'outbox'>>(collection: Collection<T>, locks: DocumentLocks): OutboxRelay {
    const relay = new OutboxRelay({
      // The relay touches only the outbox fields every such document has.
      collection: collection as unknown as Collection<OutboxDocument>,
      js: this.bus.js,
      logger: this.logger.child({ component: 'outbox-relay', collection: collection.collectionName }),
      sweepIntervalMs: this.options.config.OUTBOX_SWEEP_MS,
      locks,
    });
    this.relays.push(relay);
    relay.start();
    // A collection changed by claim gets the claims sweep on the same interval (claims-sweep.ts).
    if (ClaimedChanges.of(collection)) this.sweepClaims(collection);
    return relay;
  }

  /**
   * A started claims sweep (at start-up, then every OUTBOX_SWEEP_MS) for a collection changed by
   * claim (a ClaimedChanges built on this same collection object) that publishes no events, so has
   * no relay (a read model); stopped in the one shutdown order with the relays' sweeps.
   */
  sweepClaims<T extends Document>(collection: Collection<T>): ClaimsSweep {
    const changes = ClaimedChanges.of(collection);
    if (!changes) throw new Error(`${collection.collectionName} has no ClaimedChanges: nothing to sweep`);
    // One sweep a collection, however it was asked for (relay() and sweepClaims() both).
    const running = this.sweepsByChanges.get(changes);
    if (running) return running;
    const sweep = new ClaimsSweep({ changes, logger: this.logger.child({ component: 'claims-sweep', collection: collection.collectionName }), intervalMs: this.options.config.OUTBOX_SWEEP_MS });
    this.claimsSweeps.push(sweep);
    this.sweepsByChanges.set(changes, sweep);
    sweep.start();
    return sweep;
  }

  /** Consumes `spec` with `handler`: a durable consumer, ensured again after every reconnect. */
  consume(spec: ConsumerSpec, handler: EventHandler, component: string): void {
    const { nc, js, jsm } = this.bus;
    this.started(new EventConsumer({ nc, js, jsm, area: this.options.area, spec, handler, logger: this.logger.child({ component }) }));
  }

  /** A scheduler of the service's durable timers, and their fires handled once across replicas. */
  timers(handlers: Record<string, TimerHandler>): TimerScheduler {
    const { nc, js, jsm } = this.bus;
    this.started(timerConsumer({ nc, js, jsm, area: this.options.area, logger: this.logger.child({ component: 'timers' }), handlers }));
    return new TimerScheduler({ js, area: this.options.area });
  }

  /** Runs before the consumers stop, e.g. to end a long handler's loop. */
  onStopping(hook: () => void): void {
    this.beforeConsumersStop.push(hook);
  }

  /** Closes what the service opened (its store), after NATS has drained; in the order given. */
  onClose(close: () => Promise<void>): void {
    this.closers.push(close);
  }

  /** Serves `services` on GRPC_HOST:GRPC_PORT; the returned `stop` shuts everything down in order. */
  async serve(services: ServiceBinding[]): Promise<{ port: number; stop(): Promise<void> }> {
    const { config } = this.options;
    const server = new GrpcServer({ address: `${config.GRPC_HOST}:${config.GRPC_PORT}`, services, logger: this.logger });
    const port = await server.start();
    return {
      port,
      stop: async () => {
        server.setServing(false);
        for (const hook of this.beforeConsumersStop) hook();
        await Promise.all(this.consumers.map((c) => c.stop()));
        await server.shutdown(config.SHUTDOWN_GRACE_MS);
        await Promise.all(this.claimsSweeps.map((s) => s.stop()));
        await Promise.all(this.relays.map((r) => r.stop()));
        this.refusals.flush();
        await this.audit.stop();
        await this.bus.nc.drain();
        for (const close of this.closers) await close();
      },
    };
  }

  private started(consumer: EventConsumer): void {
    this.bus.alsoOnReconnect(() => consumer.ensure());
    consumer.start();
    this.consumers.push(consumer);
  }
}
