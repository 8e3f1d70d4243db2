/**
 * Runs a built Rampart service as its own process, exactly as deployed (telemetry preloaded), so
 * tests exercise the real wiring: gRPC, MongoDB and NATS over loopback, spans exported to Jaeger.
 */
import path from 'node:path';
import { credentials, makeGenericClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { Proc, REPO_ROOT, freePort, waitFor } from './servers';

// grpc.health.v1.Health/Check, encoded by hand: the request and reply are one-field messages.
const HealthCheck: ServiceDefinition = {
  check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (service: string) => Buffer.concat([Buffer.from([0x0a, Buffer.byteLength(service)]), Buffer.from(service)]),
    requestDeserialize: (b: Buffer) => b.toString(),
    responseSerialize: (n: number) => Buffer.from([0x08, n]),
    responseDeserialize: (b: Buffer) => (b.length >= 2 ? b[1]! : 0),
  },
};
const HealthClient = makeGenericClientConstructor(HealthCheck, 'Health');

export async function isServing(address: string): Promise<boolean> {
  const client = new HealthClient(address, credentials.createInsecure()) as unknown as {
    check(req: string, opts: object, cb: (e: Error | null, status?: number) => void): void;
    close(): void;
  };
  try {
    return await new Promise<boolean>((resolve) =>
      client.check('', { deadline: new Date(Date.now() + 1_000) }, (error, status) => resolve(!error && status === 1)),
    );
  } finally {
    client.close();
  }
}

export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly proc: Proc,
  ) {}

  /** Starts services/<name>/dist/main.js with `env` and waits until its health check says SERVING. */
  static async start(name: string, env: Record<string, string>): Promise<ServiceProcess> {
    const port = await freePort();
    const proc = new Proc(name, process.execPath, [
      '--enable-source-maps',
      '--require',
      path.join(REPO_ROOT, 'libs/telemetry/dist/register.js'),
      path.join(REPO_ROOT, 'services', name, 'dist/main.js'),
    ], {
      ...process.env,
      OTEL_SERVICE_NAME: name,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: String(port),
      LOG_LEVEL: 'warn',
      ...env,
    });
    proc.start();
    const service = new ServiceProcess(name, port, proc);
    try {
      await waitFor(`${name} to serve`, async () => {
        if (!proc.running) throw new Error('exited');
        return isServing(service.address);
      }, 30_000, 100);
    } catch (error) {
      await proc.stop('SIGKILL');
      throw new Error(`${(error as Error).message}
${proc.log}`, { cause: error });
    }
    return service;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get log(): string {
    return this.proc.log;
  }

  /** SIGKILL: a crash, with no graceful shutdown. */
  kill(): Promise<void> {
    return this.proc.stop('SIGKILL');
  }

  /** SIGTERM: the graceful shutdown path. */
  stop(): Promise<void> {
    return this.proc.stop('SIGTERM', 15_000);
  }
}
