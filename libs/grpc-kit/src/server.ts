/**
 * A gRPC server with what every Rampart service exposes: its own services, grpc.health.v1 and
 * server reflection (so grpcurl works against any service), and an orderly shutdown.
 */
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { PROTO_INCLUDE_DIRS } from '@rampart/proto';
import type { Logger } from '@rampart/telemetry';

export interface ServiceBinding {
  /** Fully qualified, e.g. rampart.intake.v1.IntakeService (the health-check service name). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
  /** Its .proto file relative to proto/, for reflection. */
  protoFile: string;
}

export interface GrpcServerOptions {
  /** host:port; port 0 picks a free one. */
  address: string;
  services: ServiceBinding[];
  logger: Logger;
}

export class GrpcServer {
  private readonly server = new Server({ 'grpc.max_receive_message_length': 8 * 1024 * 1024 });
  private readonly health: HealthImplementation;
  private boundPort = 0;

  constructor(private readonly options: GrpcServerOptions) {
    const statuses: Record<string, 'SERVING' | 'NOT_SERVING'> = { '': 'NOT_SERVING' };
    for (const service of options.services) {
      this.server.addService(service.definition, service.implementation);
      statuses[service.name] = 'NOT_SERVING';
    }
    this.health = new HealthImplementation(statuses);
    this.health.addToServer(this.server);
    const definitions = loadSync(options.services.map((s) => s.protoFile), {
      includeDirs: PROTO_INCLUDE_DIRS,
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
    });
    new ReflectionService(definitions).addToServer(this.server);
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<number> {
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(this.options.address, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    this.setServing(true);
    this.options.logger.info({ port: this.boundPort }, 'gRPC server listening');
    return this.boundPort;
  }

  setServing(serving: boolean): void {
    const value = serving ? 'SERVING' : 'NOT_SERVING';
    this.health.setStatus('', value);
    for (const service of this.options.services) this.health.setStatus(service.name, value);
  }

  /** Lets in-flight calls finish for up to `graceMs`, then cuts the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.setServing(false);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger.warn('grace period over; forcing gRPC shutdown');
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
