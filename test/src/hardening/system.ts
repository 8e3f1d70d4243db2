/** Every service of SERVICES as its own process on one set of real servers, for the hardening tests. */
import { freePort, NatsServer, ServiceProcess, TestAuth, sharedServers, uniqueDatabase } from '@rampart/testing';
import type { ServiceUnderTest } from './services';

export interface RunningService {
  spec: ServiceUnderTest;
  process: ServiceProcess;
  metricsPort: number;
}

export class System {
  private constructor(
    readonly nats: NatsServer,
    readonly auth: TestAuth,
    readonly database: string,
    readonly services: RunningService[],
  ) {}

  /** Starts the services one after another (two cores are shared by everyone). */
  static async start(specs: ServiceUnderTest[], extraEnv: Record<string, string> = {}): Promise<System> {
    const servers = sharedServers();
    const nats = await NatsServer.start();
    const auth = await TestAuth.create();
    const database = uniqueDatabase('hardening');
    const system = new System(nats, auth, database, []);
    try {
      for (const spec of specs) {
        const metricsPort = await freePort();
        const process = await ServiceProcess.start(spec.name, {
          ...auth.env,
          NATS_URL: nats.url,
          MONGODB_URI: servers.mongodbUri,
          MONGODB_DB: database,
          OTEL_EXPORTER_OTLP_ENDPOINT: servers.otlpEndpoint,
          METRICS_PORT: String(metricsPort),
          ...spec.env,
          ...extraEnv,
        });
        system.services.push({ spec, process, metricsPort });
      }
    } catch (error) {
      await system.stop();
      throw error;
    }
    return system;
  }

  service(name: string): RunningService {
    const found = this.services.find((s) => s.spec.name === name);
    if (!found) throw new Error(`service ${name} is not running`);
    return found;
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((s) => s.process.stop()));
    await this.nats.stop();
  }
}
