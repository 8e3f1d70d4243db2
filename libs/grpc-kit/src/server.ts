/**
 * A gRPC server with what every Rampart service exposes: its own services, grpc.health.v1 and
 * server reflection (so grpcurl works against any service), and an orderly shutdown.
 */
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { PackageDefinition, ProtobufTypeDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { fileDescriptorProtos } from '@rampart/proto';
import type { Logger } from '@rampart/telemetry';

/** The largest request message a service takes; client-streamed uploads send chunks well below it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface ServiceBinding {
  /** Fully qualified, e.g. rampart.intake.v1.IntakeService (the health-check service name). */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  /** host:port; port 0 picks a free one. */
  address: string;
  services: ServiceBinding[];
  logger: Logger;
}

export class GrpcServer {
  /**
   * grpc-js buffers a whole message before any handler (and so before the token is checked): keep
   * messages small (uploads stream in chunks), so unauthenticated peers cannot hold much memory.
   * (A per-connection stream limit starved health checks behind a flood's streams: not set.)
   */
  private readonly server = new Server({ 'grpc.max_receive_message_length': MAX_MESSAGE_BYTES });
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
    reflection(options.services.map((s) => s.name)).addToServer(this.server);
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

/**
 * Server reflection over every file of the build's descriptor set, imports included
 * (google.protobuf.Timestamp, google.rpc.BadRequest), so a client resolves every type it meets. Loading
 * the .proto sources through proto-loader instead leaves the well-known types out ("cannot resolve
 * type"). Only the services this server runs are listed.
 */
function reflection(services: string[]): ReflectionService {
  const files: ProtobufTypeDefinition = { format: 'FileDescriptorSet', type: {}, fileDescriptorProtos: fileDescriptorProtos().map((f) => Buffer.from(f)) };
  // ReflectionService is typed for proto-loader's output but reads only each entry's `fileDescriptorProtos`.
  return new ReflectionService({ 'rampart.descriptors': files } as unknown as PackageDefinition, { services });
}
