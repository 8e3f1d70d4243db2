/**
 * `rampart clearinghouse advisory import ...` and `... vulnerability ...`: feeds' records and one record per flaw.
 * - clearinghouse-analyst: advisory import (OSV, CSAF 2.0, CVE 5.1 JSON files, 100 a request; every
 *   error of each file with its JSON pointer), vulnerability merge / split / undo (with a reason)
 * - analyst and auditor: vulnerability get / list; a reporter: get, of the id its report's `flaw` names
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { callClearinghouse, collect, type ClearinghouseGlobals } from './clearinghouse-client';

type Globals = ClearinghouseGlobals;

const run = callClearinghouse;

const FORMATS: Record<string, v1.AdvisoryFormat> = { osv: v1.AdvisoryFormat.ADVISORY_FORMAT_OSV, csaf: v1.AdvisoryFormat.ADVISORY_FORMAT_CSAF, cve: v1.AdvisoryFormat.ADVISORY_FORMAT_CVE };

export function registerFlawCommands(clearinghouse: Command, g: () => Globals): void {
  clearinghouse.command('advisory').description("feeds' records (clearinghouse-analyst)")
    .command('import <files...>').description('import OSV, CSAF 2.0 or CVE 5.1 JSON records, kept byte for byte and grouped into flaws')
    .requiredOption('--format <format>', 'osv, csaf or cve')
    .action(async (files: string[], o: { format: string }) => {
      const format = FORMATS[o.format.toLowerCase()];
      if (format === undefined) throw new Error(`unknown format ${o.format}: osv, csaf or cve`);
      for (let i = 0; i < files.length; i += 100) {
        await run(g(), 'importAdvisories', { items: files.slice(i, i + 100).map((f) => ({ format, document: fs.readFileSync(f) })) });
      }
    });

  const vulnerability = clearinghouse.command('vulnerability').description('one record per flaw: read (analyst, auditor; a reporter its own report\'s), merge, split, undo (clearinghouse-analyst)');
  vulnerability.command('get <id>').action((vulnerabilityId: string) => run(g(), 'getVulnerability', { vulnerabilityId }));
  vulnerability.command('list')
    .option('--flagged', 'only those with a flag to decide on')
    .option('--page-size <n>', 'per page', '20')
    .option('--page-token <token>', 'continue from a previous page')
    .action((o: { flagged?: boolean; pageSize: string; pageToken?: string }) => run(g(), 'listVulnerabilities', { flaggedOnly: o.flagged ?? false, pageSize: Number(o.pageSize), pageToken: o.pageToken ?? '' }));
  vulnerability.command('merge <a> <b>').description('make two flaws one, even where the rule refused')
    .requiredOption('--reason <text>', 'why')
    .action((a: string, b: string, o: { reason: string }) => run(g(), 'mergeVulnerabilities', { vulnerabilityIds: [a, b], reason: o.reason }));
  vulnerability.command('split <id>').description('take records out of a flaw into one of their own')
    .requiredOption('--record <id>', 'a record to take out (repeat)', collect, [])
    .requiredOption('--reason <text>', 'why')
    .action((vulnerabilityId: string, o: { record: string[]; reason: string }) => run(g(), 'splitVulnerability', { vulnerabilityId, recordIds: o.record, reason: o.reason }));
  vulnerability.command('undo <decision-id>').description('undo a merge or split: the grouping from before it comes back')
    .requiredOption('--reason <text>', 'why')
    .action((decisionId: string, o: { reason: string }) => run(g(), 'undoGroupingDecision', { decisionId, reason: o.reason }));
}
