/**
 * Where a Docker engine exists, the test servers run as containers (testcontainers): MongoDB as a
 * single-node replica set (what production runs, with transactions and change streams), nats-server
 * with JetStream, and Jaeger v2. Without an engine (this project's own CI machine has none) the
 * suites use the binaries that deploy/local/install-servers.sh builds. RAMPART_TEST_DOCKER=0 forces
 * the binaries; =1 insists on containers.
 */
import { execFileSync } from 'node:child_process';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { MongoDBContainer } from '@testcontainers/mongodb';

/** Images, pinned like versions.env pins the binaries. */
export const IMAGES = {
  mongodb: 'mongo:8.0',
  nats: 'nats:2.14.5',
  jaeger: 'jaegertracing/jaeger:2.13.0',
} as const;

let available: boolean | undefined;

/** True when tests should use containers: asked for, or an engine answers `docker info`. */
export function useContainers(): boolean {
  const asked = process.env.RAMPART_TEST_DOCKER;
  if (asked === '0') return false;
  if (asked === '1') return true;
  if (available === undefined) {
    try {
      execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  return available;
}

export interface StartedServer {
  stop(): Promise<void>;
}

export async function startMongoContainer(): Promise<StartedServer & { uri: string }> {
  const container = await new MongoDBContainer(IMAGES.mongodb).start();
  // The replica set names its member by the container's own host name: connect directly.
  return { uri: `${container.getConnectionString()}/?directConnection=true`, stop: async () => void (await container.stop()) };
}

export async function startJaegerContainer(): Promise<StartedServer & { otlpEndpoint: string; queryUrl: string }> {
  const container = await new GenericContainer(IMAGES.jaeger)
    .withExposedPorts(4318, 16686, 13133)
    .withWaitStrategy(Wait.forHttp('/status', 13133))
    .start();
  const host = container.getHost();
  return {
    otlpEndpoint: `http://${host}:${container.getMappedPort(4318)}`,
    queryUrl: `http://${host}:${container.getMappedPort(16686)}`,
    stop: async () => void (await container.stop()),
  };
}

/**
 * nats-server with JetStream on the container's file system. Host ports are fixed at creation so a
 * kill and restart (the outage tests) keep the same address and the same store.
 */
export class NatsContainer {
  private constructor(
    private readonly container: StartedTestContainer,
    readonly port: number,
    readonly monitorPort: number,
  ) {}

  static async start(port: number, monitorPort: number, extraArgs: string[] = []): Promise<NatsContainer> {
    const container = await new GenericContainer(IMAGES.nats)
      .withCommand(['-js', '-sd', '/data', '-m', '8222', ...extraArgs])
      .withExposedPorts({ container: 4222, host: port }, { container: 8222, host: monitorPort })
      .withWaitStrategy(Wait.forHttp('/healthz?js-enabled-only=true', 8222))
      .start();
    return new NatsContainer(container, port, monitorPort);
  }

  /** SIGKILL, keeping the container (and its store) for restart. */
  async kill(): Promise<void> {
    await this.container.stop({ remove: false, timeout: 0 });
  }

  async restart(): Promise<void> {
    await this.container.restart();
  }

  async stop(): Promise<void> {
    await this.container.stop();
  }
}
