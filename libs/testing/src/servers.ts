/**
 * Real servers for tests, as child processes on loopback: nats-server with JetStream, FerretDB
 * (MongoDB wire protocol on SQLite) and Jaeger v2. Binaries come from deploy/local/install-servers.sh.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { NatsContainer, useContainers } from './containers';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** A binary built by deploy/local/install-servers.sh (grpcurl is a client, built there too). */
export function binary(name: 'nats-server' | 'ferretdb' | 'jaeger' | 'grpcurl'): string {
  const dir = process.env.RAMPART_BIN_DIR ?? path.join(process.env.RAMPART_CACHE ?? path.join(os.homedir(), '.cache/rampart'), 'bin');
  return path.join(dir, name);
}

export function tempDir(prefix: string): string {
  const root = path.join(REPO_ROOT, '.data', 'test');
  mkdirSync(root, { recursive: true });
  return mkdtempSync(path.join(root, `${prefix}-`));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)}` : ''}`, { cause: lastError });
}

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url);
  return response.ok;
}

/** A child process whose output is kept for failure reports. */
class Proc {
  private child?: ChildProcess;
  private output = '';

  constructor(
    private readonly label: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  start(): void {
    this.output = '';
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('error', (error) => {
      this.output += `\nspawn failed: ${error.message}`;
    });
    this.child = child;
  }

  get log(): string {
    return `--- ${this.label} output ---\n${this.output}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** How a nats-server runs: a child process here, a container where a Docker engine exists. */
interface NatsBackend {
  /** Starts it (again, after stop or kill) and waits until JetStream is ready. */
  restart(): Promise<void>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** nats-server with JetStream on file storage; kill and restart keep the same port and store. */
export class NatsServer {
  private constructor(
    readonly port: number,
    readonly monitorPort: number,
    private readonly backend: NatsBackend,
  ) {}

  static async start(): Promise<NatsServer> {
    const [port, monitorPort] = [await freePort(), await freePort()];
    const backend = useContainers() ? containerBackend(port, monitorPort) : processBackend(port, monitorPort);
    await backend.restart();
    return new NatsServer(port, monitorPort, backend);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** Starts it again (after stop or kill) and waits until JetStream is ready. */
  restart(): Promise<void> {
    return this.backend.restart();
  }

  /** SIGKILL: a crash, no clean shutdown. */
  kill(): Promise<void> {
    return this.backend.kill();
  }

  stop(): Promise<void> {
    return this.backend.stop();
  }
}

function processBackend(port: number, monitorPort: number): NatsBackend {
  const proc = new Proc('nats-server', binary('nats-server'), ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort), '-js', '-sd', tempDir('nats')]);
  return {
    async restart() {
      proc.start();
      try {
        await waitFor('nats-server', () => httpOk(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`));
      } catch (error) {
        throw new Error(`${(error as Error).message}\n${proc.log}`, { cause: error });
      }
    },
    kill: () => proc.stop('SIGKILL'),
    stop: () => proc.stop('SIGTERM'),
  };
}

/** The container is created on the first start; later starts restart it with its store. */
function containerBackend(port: number, monitorPort: number): NatsBackend {
  let container: NatsContainer | undefined;
  return {
    async restart() {
      if (container) await container.restart();
      else container = await NatsContainer.start(port, monitorPort);
      await waitFor('nats-server container', () => httpOk(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`));
    },
    kill: async () => container?.kill(),
    stop: async () => container?.stop(),
  };
}

export class FerretDb {
  private constructor(
    readonly port: number,
    private readonly proc: Proc,
  ) {}

  static async start(): Promise<FerretDb> {
    const port = await freePort();
    const dataDir = tempDir('ferretdb');
    const proc = new Proc('ferretdb', binary('ferretdb'), ['-listen-addr', `127.0.0.1:${port}`, '-sqlite-url', `file:${dataDir}/`]);
    proc.start();
    try {
      await waitFor('ferretdb', () => portOpen(port));
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${proc.log}`, { cause: error });
    }
    return new FerretDb(port, proc);
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

export class Jaeger {
  private constructor(
    readonly otlpHttpPort: number,
    readonly queryPort: number,
    private readonly proc: Proc,
  ) {}

  static async start(): Promise<Jaeger> {
    const ports = { otlpHttp: await freePort(), otlpGrpc: await freePort(), query: await freePort(), queryGrpc: await freePort(), health: await freePort() };
    const proc = new Proc('jaeger', binary('jaeger'), ['--config', path.join(REPO_ROOT, 'deploy/local/jaeger.yaml')], {
      ...process.env,
      JAEGER_OTLP_HTTP_PORT: String(ports.otlpHttp),
      JAEGER_OTLP_GRPC_PORT: String(ports.otlpGrpc),
      JAEGER_QUERY_PORT: String(ports.query),
      JAEGER_QUERY_GRPC_PORT: String(ports.queryGrpc),
      JAEGER_HEALTH_PORT: String(ports.health),
    });
    proc.start();
    try {
      await waitFor('jaeger', () => httpOk(`http://127.0.0.1:${ports.health}/status`), 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${proc.log}`, { cause: error });
    }
    return new Jaeger(ports.otlpHttp, ports.query, proc);
  }

  get otlpEndpoint(): string {
    return `http://127.0.0.1:${this.otlpHttpPort}`;
  }

  get queryUrl(): string {
    return `http://127.0.0.1:${this.queryPort}`;
  }

  stop(): Promise<void> {
    return this.proc.stop();
  }
}

export { Proc };
