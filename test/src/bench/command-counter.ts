/**
 * A TCP proxy in front of the database that counts the commands clients send through it, by name
 * and collection (`insert access_log`), from the MongoDB wire protocol's OP_MSG headers: how many
 * database operations a request costs, whichever process sends them. Monitoring (`hello`, `ping`)
 * and session bookkeeping are not counted.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

const OP_MSG = 2013;
const NOT_COUNTED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'saslStart', 'saslContinue', 'buildInfo', 'getParameter']);

/** The command of an OP_MSG (its body's first key) and, when that key's value is a string, the collection. */
function commandOf(message: Buffer): string | undefined {
  if (message.readInt32LE(12) !== OP_MSG) return undefined;
  // Header (16), flag bits (4), then sections; the body is the kind-0 section.
  let at = 20;
  while (at < message.length) {
    const kind = message[at]!;
    if (kind === 0) {
      const doc = at + 1;
      const type = message[doc + 4]!;
      const nameEnd = message.indexOf(0, doc + 5);
      const name = message.toString('utf8', doc + 5, nameEnd);
      if (type !== 0x02) return name;
      const length = message.readInt32LE(nameEnd + 1);
      return `${name} ${message.toString('utf8', nameEnd + 5, nameEnd + 4 + length)}`;
    }
    at += 1 + message.readInt32LE(at + 1);
  }
  return undefined;
}

export class CommandCounter {
  private constructor(
    readonly counts: Map<string, number>,
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly port: number,
  ) {}

  static async start(upstreamPort: number): Promise<CommandCounter> {
    const sockets = new Set<Socket>();
    const counts = new Map<string, number>();
    const server = createServer((client) => {
      const upstream = connect(upstreamPort, '127.0.0.1');
      sockets.add(client).add(upstream);
      let pending: Buffer = Buffer.alloc(0);
      client.on('data', (chunk: Buffer) => {
        upstream.write(chunk);
        pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 16 && pending.length >= pending.readInt32LE(0)) {
          const length = pending.readInt32LE(0);
          const command = commandOf(pending.subarray(0, length));
          if (command && !NOT_COUNTED.has(command.split(' ')[0]!)) counts.set(command, (counts.get(command) ?? 0) + 1);
          pending = pending.subarray(length);
        }
      });
      upstream.pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('close', close).on('error', close);
      upstream.on('close', close).on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new CommandCounter(counts, server, sockets, (server.address() as { port: number }).port);
  }

  get uri(): string {
    return `mongodb://127.0.0.1:${this.port}/`;
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  reset(): void {
    this.counts.clear();
  }

  /** `insert access_log: 120, find access_log_runs: 80, ...`, most first. */
  describe(): string {
    return [...this.counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ');
  }

  stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.sockets.forEach((s) => s.destroy());
    return closed;
  }
}
