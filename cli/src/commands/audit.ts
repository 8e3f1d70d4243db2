/** `rampart audit list`: an area's audit trail (who read or changed what, and what was withheld), for auditors. */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { claimedIdentity, clearanceAtLeast, CLEARANCES, isClearance, type Clearance } from '@rampart/auth';
import { listAuditRecords } from '@rampart/events';
import { print } from '../context';

/**
 * The auditor's clearance: `--clearance`, else the one its token states. Only the records at or
 * below it are read (each level is its own subject, which nats-server permissions grant per level).
 */
function clearanceOf(option: string | undefined, token: string | undefined): Clearance {
  const clearance = option ?? claimedIdentity(token).clearance;
  if (!isClearance(clearance)) throw new Error(`pass --clearance (${CLEARANCES.join(', ')}) or set RAMPART_TOKEN to an auditor's token`);
  return clearance;
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description("a service area's audit trail (stream <AREA>_AUDIT; auditors only)");

  audit
    .command('list')
    .requiredOption('--area <area>', 'the service area, e.g. intake or designation')
    .option('--clearance <level>', "the auditor's clearance: only records marked at or below it are read (default: the token's)")
    .option('--from-seq <n>', 'first stream sequence to show', '1')
    .option('--limit <n>', 'at most', '100')
    .action(async (opts: { area: string; clearance?: string; fromSeq: string; limit: string }) => {
      const { nats, token } = program.opts<{ nats: string; token?: string }>();
      const clearance = clearanceOf(opts.clearance, token ?? process.env.RAMPART_TOKEN);
      const markings = CLEARANCES.filter((marking) => clearanceAtLeast(clearance, marking));
      const nc = await connect({ servers: nats.split(',') });
      try {
        const records = await listAuditRecords(await jetstreamManager(nc), opts.area, { markings, fromSequence: Number(opts.fromSeq), limit: Number(opts.limit) });
        print(records.map((r) => ({ sequence: r.sequence, id: r.event.id, time: r.event.time, ...(r.event.data as object) })));
      } finally {
        await nc.close();
      }
    });
}
