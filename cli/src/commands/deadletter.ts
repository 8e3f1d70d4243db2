/** `rampart deadletter list|replay`: inspect a service's dead letters and send them back once fixed. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { deadLetterStream, listDeadLetters, replayDeadLetter } from '@rampart/events';
import { print } from '../context';

async function withNats<T>(url: string, fn: (jsm: Awaited<ReturnType<typeof jetstreamManager>>, js: ReturnType<typeof jetstream>) => Promise<T>): Promise<T> {
  const nc = await connect({ servers: url.split(',') });
  try {
    return await fn(await jetstreamManager(nc), jetstream(nc));
  } finally {
    await nc.close();
  }
}

export function registerDeadLetterCommands(program: Command): void {
  const dl = program.command('deadletter').description("a service's dead-letter stream (its consumers' poison messages)");
  const nats = () => program.opts<{ nats: string }>().nats;

  dl.command('list')
    .requiredOption('--area <area>', 'the consuming service area, e.g. designation')
    .option('--limit <n>', 'at most', '100')
    .action(async (opts: { area: string; limit: string }) => {
      print(await withNats(nats(), (jsm) => listDeadLetters(jsm, deadLetterStream(opts.area).name, Number(opts.limit))));
    });

  dl.command('replay')
    .requiredOption('--area <area>', 'the consuming service area')
    .option('--seq <n...>', 'dead-letter sequence numbers (default: all)')
    .action(async (opts: { area: string; seq?: string[] }) => {
      const stream = deadLetterStream(opts.area).name;
      await withNats(nats(), async (jsm, js) => {
        const seqs = opts.seq?.map(Number) ?? (await listDeadLetters(jsm, stream, 10_000)).map((d) => d.sequence);
        for (const seq of seqs) process.stdout.write(`replayed ${stream}:${seq} to ${await replayDeadLetter(jsm, js, stream, seq)}\n`);
      });
    });
}
