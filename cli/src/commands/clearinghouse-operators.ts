/**
 * `rampart clearinghouse operator ...`: critical-infrastructure operators and what they are told.
 * - operator: register (its organisation; webhook secrets printed once), get, asset upload (a
 *   CycloneDX SBOM, JSON or XML), asset products (purls with versions or CPEs), notifications,
 *   ack (the latest revision), remediation (where an asset stands)
 * - clearinghouse-analyst, auditor: get and notifications of any operator, exposure of a flaw
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import { callClearinghouse, collect, type ClearinghouseGlobals } from './clearinghouse-client';

type Globals = ClearinghouseGlobals;

const call = callClearinghouse;

const STATES: Record<string, v1.RemediationState> = {
  affected: v1.RemediationState.REMEDIATION_STATE_AFFECTED,
  patched: v1.RemediationState.REMEDIATION_STATE_PATCHED,
  mitigated: v1.RemediationState.REMEDIATION_STATE_MITIGATED,
  'not-affected': v1.RemediationState.REMEDIATION_STATE_NOT_AFFECTED,
};

export function registerOperatorCommands(clearinghouse: Command, g: () => Globals): void {
  const operator = clearinghouse.command('operator').description("operators: register, assets' inventories, notifications, remediation (operator); exposure (clearinghouse-analyst)");

  operator.command('register').description('register your organisation as an operator (operator); each webhook secret is printed once')
    .requiredOption('--name <name>', "the operator's name")
    .requiredOption('--sector <sector>', 'one of the 16 critical-infrastructure sectors, e.g. healthcare-and-public-health')
    .requiredOption('--size <size>', 'small, medium or large')
    .requiredOption('--contact <name,email>', 'a contact; the first is primary (repeat)', collect, [])
    .option('--webhook <id=https-url>', 'a webhook endpoint (repeat)', collect, [])
    .action((o: { name: string; sector: string; size: string; contact: string[]; webhook: string[] }) => call(g(), 'registerOperator', {
      name: o.name, sector: o.sector, size: o.size,
      contacts: o.contact.map((c, i) => ({ name: c.split(',')[0] ?? '', email: c.split(',')[1] ?? '', primary: i === 0 })),
      webhooks: o.webhook.map((w) => ({ id: w.slice(0, w.indexOf('=')), url: w.slice(w.indexOf('=') + 1) })),
    }));

  operator.command('get [operator-id]').description("an operator's profile (your own by default)")
    .action((operatorId?: string) => call(g(), 'getOperator', { operatorId: operatorId ?? '' }));

  const asset = operator.command('asset').description("your assets' inventories (operator)");
  asset.command('upload <asset-id> <sbom-file>').description("replace an asset's components with a CycloneDX 1.6 SBOM (JSON or XML, by extension)")
    .option('--name <name>', "the asset's name")
    .action((assetId: string, file: string, o: { name?: string }) => call(g(), 'uploadAssetSbom', {
      assetId, name: o.name ?? '', sbom: readFileSync(file),
      format: file.toLowerCase().endsWith('.xml') ? v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_XML : v1.SbomFormat.SBOM_FORMAT_CYCLONEDX_JSON,
    }));
  asset.command('products <asset-id>').description("set an asset's components by hand: purls with versions or CPEs")
    .option('--purl <purl>', 'pkg:type/namespace/name@version (repeat)', collect, [])
    .option('--cpe <cpe>', 'cpe:2.3:... (repeat)', collect, [])
    .option('--name <name>', "the asset's name")
    .action((assetId: string, o: { purl: string[]; cpe: string[]; name?: string }) => call(g(), 'enterProducts', {
      assetId, name: o.name ?? '', products: [...o.purl.map((purl) => ({ purl })), ...o.cpe.map((cpe) => ({ cpe }))],
    }));

  operator.command('notifications [operator-id]').description('the latest notification of each flaw (your own by default)')
    .action((operatorId?: string) => call(g(), 'listNotifications', { operatorId: operatorId ?? '' }));
  operator.command('ack <vulnerability-id> <revision>').description('acknowledge the latest revision of a notification (stops its escalation)')
    .action((vulnerabilityId: string, revision: string) => call(g(), 'acknowledgeNotification', { vulnerabilityId, revision: Number(revision) }));
  operator.command('remediation <vulnerability-id> <asset-id> <state>').description('where an asset stands: affected, patched, mitigated or not-affected')
    .option('--justification <label>', 'for not-affected: a VEX justification, e.g. vulnerable_code_not_in_execute_path')
    .option('--note <text>', 'a note (ticket, version installed)')
    .action((vulnerabilityId: string, assetId: string, state: string, o: { justification?: string; note?: string }) => {
      const value = STATES[state];
      if (value === undefined) throw new Error(`unknown state ${state}: one of ${Object.keys(STATES).join(', ')}`);
      return call(g(), 'recordRemediation', { vulnerabilityId, assetId, state: value, justification: o.justification ?? '', note: o.note ?? '' });
    });

  clearinghouse.command('exposure <vulnerability-id>').description('who is still exposed to a flaw, by sector and size (clearinghouse-analyst, auditor)')
    .action((vulnerabilityId: string) => call(g(), 'getExposure', { vulnerabilityId }));
}
