/** `rampart audit list`: an area's audit trail (who read or changed what, and what was withheld), for auditors. */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { listAuditRecords } from '@rampart/events';
import { print } from '../context';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("a service area's audit trail (stream <AREA>_AUDIT; auditors only)");

  audit
    .command('list')
    .requiredOption('--area <area>', 'the service area, e.g. intake or designation')
    .option('--from-seq <n>', 'first stream sequence to show', '1')
    .option('--limit <n>', 'at most', '100')
    .action(async (opts: { area: string; fromSeq: string; limit: string }) => {
      const nc = await connect({ servers: program.opts<{ nats: string }>().nats.split(',') });
      try {
        const records = await listAuditRecords(await jetstreamManager(nc), opts.area, { fromSequence: Number(opts.fromSeq), limit: Number(opts.limit) });
        print(records.map((r) => ({ sequence: r.sequence, id: r.event.id, time: r.event.time, ...(r.event.data as object) })));
      } finally {
        await nc.close();
      }
    });
}
