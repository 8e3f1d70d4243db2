/**
 * `rampart clearinghouse embargo ...` and `... exploitation report`: embargoes and exploitation.
 * - clearinghouse-analyst: embargo start (the reporter's requested end by default), extend (later,
 *   with a reason), lift (with a reason)
 * - every role with business with a flaw (reporter, vendor, operator, analyst, auditor): embargo get
 *   (the details to the embargo's parties only; the summary to everyone else)
 * - reporter, vendor, operator, analyst: exploitation report (ends the embargo, raises the priority)
 * Ends are written with their zone: 2026-05-01T17:00:00-04:00[America/New_York] or ...Z.
 */
import type { Command } from 'commander';
import { callClearinghouse, collect, type ClearinghouseGlobals } from './clearinghouse-client';

type Globals = ClearinghouseGlobals;

const run = callClearinghouse;

const END = 'the end with its time zone, e.g. 2026-05-01T17:00:00-04:00[America/New_York]';

export function registerEmbargoCommands(clearinghouse: Command, g: () => Globals): void {
  const embargo = clearinghouse.command('embargo').description("embargoes on validated flaws: start, extend, lift (clearinghouse-analyst); get (the details to the embargo's parties only)");

  embargo.command('start <flaw-id>').description('embargo a validated flaw (a vulnerability or report id) until its end (clearinghouse-analyst)')
    .option('--ends-at <time>', `${END} (default: the end the reporter asked for)`)
    .option('--vendor <org>', 'a vendor who writes the fix (repeat)', collect, [])
    .option('--operator <org>', 'an operator told under embargo (repeat)', collect, [])
    .action((flawId: string, o: { endsAt?: string; vendor: string[]; operator: string[] }) => run(g(), 'embargoFlaw', { flawId, endsAt: o.endsAt ?? '', vendors: o.vendor, operators: o.operator }));

  embargo.command('extend <flaw-id>').description('move the end later, saying why (clearinghouse-analyst)')
    .requiredOption('--ends-at <time>', END)
    .requiredOption('--reason <text>', 'why')
    .action((flawId: string, o: { endsAt: string; reason: string }) => run(g(), 'extendEmbargo', { flawId, endsAt: o.endsAt, reason: o.reason }));

  embargo.command('lift <flaw-id>').description('end the embargo early, saying why (clearinghouse-analyst)')
    .requiredOption('--reason <text>', 'why')
    .action((flawId: string, o: { reason: string }) => run(g(), 'liftEmbargo', { flawId, reason: o.reason }));

  embargo.command('get <flaw-id>').description('the embargo and the flaw as you may see them (by its id or an id it is known by, e.g. its CVE id)')
    .action((flawId: string) => run(g(), 'getEmbargo', { flawId }));

  clearinghouse.command('exploitation').description('exploitation of a flaw in the wild').command('report <flaw-id>')
    .description('report a flaw exploited in the wild, with indicators of AI-enabled tooling: ends its embargo, raises its priority')
    .requiredOption('--observed-at <time>', 'when, with its time zone, e.g. 2026-05-01T09:30:00-05:00[America/Chicago]')
    .requiredOption('--source-kind <kind>', 'operator, vendor, government, researcher, threat-intelligence or incident-response')
    .requiredOption('--source-name <name>', 'who saw it')
    .option('--source-reference <url>', 'an https URL')
    .option('--indicator <name>', 'machine-speed-exploitation, autonomous-agent-behaviour, adaptive-payload-mutation, llm-generated-artifacts, mass-parallel-targeting, ai-service-traffic or novel-vulnerability-discovery (repeat)', collect, [])
    .option('--other-indicators <text>', 'anything else that suggests AI-enabled tooling')
    .option('--tlp <label>', 'the report\'s TLP 2.0 label (default AMBER)')
    .option('--key <key>', 'idempotency key: a retry with it reports nothing new')
    .action((flawId: string, o: { observedAt: string; sourceKind: string; sourceName: string; sourceReference?: string; indicator: string[]; otherIndicators?: string; tlp?: string; key?: string }) =>
      run(g(), 'reportExploitation', {
        flawId, observedAt: o.observedAt, indicators: o.indicator, otherIndicators: o.otherIndicators ?? '', tlp: o.tlp ?? '', idempotencyKey: o.key ?? '',
        source: { kind: o.sourceKind, name: o.sourceName, reference: o.sourceReference ?? '' },
      }));
}
