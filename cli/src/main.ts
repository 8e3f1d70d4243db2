#!/usr/bin/env node
/** The `rampart` command line. Each service adds its commands under its own name. */
import { Command } from 'commander';
import { registerAccessCommands } from './commands/access';
import { registerAuditCommands } from './commands/audit';
import { registerClearinghouseCommands } from './commands/clearinghouse';
import { registerDeadLetterCommands } from './commands/deadletter';
import { registerDesignationCommands } from './commands/designation';
import { registerEnforcementCommands } from './commands/enforcement';
import { registerIntakeCommands } from './commands/intake';
import { registerKeyCommands } from './commands/keys';

const program = new Command('rampart')
  .description('Rampart: EO 14409 model intake, designation, early access, clearinghouse and enforcement')
  .option('--token <jwt>', 'bearer token (default: $RAMPART_TOKEN)')
  .option('--intake-addr <host:port>', 'intake service', process.env.RAMPART_INTAKE_ADDR ?? '127.0.0.1:50051')
  .option('--designation-addr <host:port>', 'designation service', process.env.RAMPART_DESIGNATION_ADDR ?? '127.0.0.1:50052')
  .option('--access-addr <host:port>', 'early-access service', process.env.RAMPART_ACCESS_ADDR ?? '127.0.0.1:50053')
  .option('--clearinghouse-addr <host:port>', 'clearinghouse service', process.env.RAMPART_CLEARINGHOUSE_ADDR ?? '127.0.0.1:50054')
  .option('--enforcement-addr <host:port>', 'enforcement service', process.env.RAMPART_ENFORCEMENT_ADDR ?? '127.0.0.1:50055')
  .option('--nats <url>', 'NATS server(s)', process.env.NATS_URL ?? 'nats://127.0.0.1:4222');

registerKeyCommands(program);
registerIntakeCommands(program);
registerDesignationCommands(program);
registerAccessCommands(program);
registerClearinghouseCommands(program);
registerEnforcementCommands(program);
registerDeadLetterCommands(program);
registerAuditCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`rampart: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
