/**
 * `rampart enforcement ...`: referrals of AI-enabled cybercrime, evidence and custody, from a
 * terminal. A referrer files and reads its own referrals; an enforcement analyst takes every step;
 * an auditor reads. Details files are proto JSON (ReferralDetails).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { insecure } from '@rampart/grpc-kit';
import { enforcementV1 as v1 } from '@rampart/proto';
import { invokeRpc, print, readJson } from '../context';

interface Globals {
  token?: string;
  enforcementAddr: string;
}

type Method = Extract<keyof v1.EnforcementServiceClient, string>;

const showReferral = (r: v1.Referral | undefined) => print(r ? v1.Referral.toJSON(r) : null);

function custodyAction(opts: { kind: string; handler: string; at: string; location: string; purpose: string }): v1.CustodyAction {
  return v1.CustodyAction.fromJSON({ kind: `CUSTODY_ACTION_KIND_${opts.kind.toUpperCase()}`, handler: opts.handler, at: opts.at, location: opts.location, purpose: opts.purpose });
}

export function registerEnforcementCommands(program: Command): void {
  const enforcement = program.command('enforcement').description('enforcement referrals: file, triage, route and close; evidence and its chain of custody; STIX export');
  const globals = (): Globals => program.opts<Globals>();
  const invoke = <T>(method: Method, request: object): Promise<T> =>
    invokeRpc<T>(new v1.EnforcementServiceClient(globals().enforcementAddr, insecure()), v1, method, request, globals().token);

  const referral = enforcement.command('referral').description('referrals and candidates');
  referral
    .command('file')
    .description('file a referral (referrer): details as ReferralDetails proto JSON')
    .requiredOption('--file <file>', 'details JSON, or - for stdin')
    .option('--key <key>', 'idempotency key (default: a new UUID; reuse it to retry safely)')
    .action(async (opts: { file: string; key?: string }) => {
      showReferral((await invoke<v1.FileReferralResponse>('fileReferral', { details: v1.ReferralDetails.fromJSON(readJson(opts.file)), idempotencyKey: opts.key ?? randomUUID() })).referral);
    });
  referral.command('get <id>').action(async (id: string) => showReferral((await invoke<v1.GetReferralResponse>('getReferral', { referralId: id })).referral));
  referral
    .command('list')
    .option('--status <status>', 'candidate, dismissed, received, under_review, accepted, declined or closed')
    .option('--page-size <n>', 'per page', '20')
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { status?: string; pageSize: string; pageToken?: string }) => {
      const status = opts.status ? v1.referralStatusFromJSON(`REFERRAL_STATUS_${opts.status.toUpperCase()}`) : v1.ReferralStatus.REFERRAL_STATUS_UNSPECIFIED;
      print(v1.ListReferralsResponse.toJSON(await invoke<v1.ListReferralsResponse>('listReferrals', { status, pageSize: Number(opts.pageSize), pageToken: opts.pageToken ?? '' })));
    });

  // The analyst's steps: each names the revision last read, so two analysts never overwrite each other.
  /** `extra`: one required option per request field, `--<option> <value>`. */
  const step = (name: string, method: Method, description: string, extra: [option: string, field: string, help: string][] = []) => {
    const cmd = referral.command(`${name} <id>`).description(description).requiredOption('--revision <n>', 'the revision you last read');
    for (const [option, , help] of extra) cmd.requiredOption(`--${option} <value>`, help);
    cmd.action(async (id: string, opts: Record<string, string>) => {
      const fields = Object.fromEntries(extra.map(([option, field]) => [field, opts[option]]));
      showReferral((await invoke<{ referral?: v1.Referral }>(method, { referralId: id, expectedRevision: Number(opts.revision), ...fields })).referral);
    });
  };
  step('accept-candidate', 'acceptCandidate', 'make a candidate a referral (its own facts; correct them with a details file through the API)');
  step('dismiss', 'dismissCandidate', 'dismiss a candidate', [['reason', 'reason', 'why']]);
  step('assign', 'assignReferral', 'assign to an analyst', [['assignee', 'assignee', "the analyst's subject"]]);
  step('review', 'startReview', 'start the review of a received referral');
  step('accept', 'acceptReferral', 'accept and route', [['to', 'routedTo', 'FBI, USSS, HSI or USAO-<district>']]);
  step('decline', 'declineReferral', 'decline', [['reason', 'reason', 'why']]);
  step('close', 'closeReferral', 'close an accepted referral', [['outcome', 'outcome', 'what came of it']]);

  referral.command('stix <id>').description('export as a STIX 2.1 bundle').option('--out <file>', 'write it here (default: stdout)').action(async (id: string, opts: { out?: string }) => {
    const bundle = Buffer.from((await invoke<v1.ExportStixResponse>('exportStix', { referralId: id })).bundle).toString('utf8');
    if (opts.out) writeFileSync(opts.out, bundle);
    else process.stdout.write(`${bundle}\n`);
  });

  const policy = enforcement.command('policy').description('the versioned priority policy');
  policy.command('get').option('--version <n>', 'a version (default: the current one)', '0').action(async (opts: { version: string }) => {
    print(v1.GetPriorityPolicyResponse.toJSON(await invoke<v1.GetPriorityPolicyResponse>('getPriorityPolicy', { version: Number(opts.version) })));
  });
  policy
    .command('set')
    .requiredOption('--file <file>', 'PriorityWeights JSON, or - for stdin')
    .requiredOption('--expected-version <n>', 'the current version you last read')
    .option('--half-life <days>', 'recency half-life in days', '30')
    .action(async (opts: { file: string; expectedVersion: string; halfLife: string }) => {
      const request = { weights: v1.PriorityWeights.fromJSON(readJson(opts.file)), expectedVersion: Number(opts.expectedVersion), recencyHalfLifeDays: Number(opts.halfLife) };
      print(v1.SetPriorityPolicyResponse.toJSON(await invoke<v1.SetPriorityPolicyResponse>('setPriorityPolicy', request)));
    });

  const evidence = enforcement.command('evidence').description('evidence by reference and its chain of custody');
  const actionOptions = (cmd: Command, kindDefault?: string) => {
    cmd.requiredOption('--handler <name>', 'who held or handled it').requiredOption('--at <time>', 'when, with its zone, e.g. 2026-11-21T10:00:00-06:00[America/Chicago]')
      .requiredOption('--location <where>', 'where').requiredOption('--purpose <why>', 'why');
    if (kindDefault) cmd.option('--kind <kind>', 'collected, transferred, examined, returned or destroyed', kindDefault);
    else cmd.requiredOption('--kind <kind>', 'collected, transferred, examined, returned or destroyed');
    return cmd;
  };
  actionOptions(evidence.command('add <referral>').description('record an item held elsewhere, with its first custody action')
    .requiredOption('--reference <where>', 'where it is held').requiredOption('--sha256 <hex>', 'its SHA-256').requiredOption('--size <bytes>', 'its size')
    .requiredOption('--type <media-type>', 'its media type').option('--description <text>', 'what it is', ''), 'collected')
    .action(async (referralId: string, opts: { reference: string; sha256: string; size: string; type: string; description: string; kind: string; handler: string; at: string; location: string; purpose: string }) => {
      const request = { referralId, reference: opts.reference, sha256: opts.sha256, sizeBytes: Number(opts.size), mediaType: opts.type, description: opts.description, collected: custodyAction(opts) };
      print(v1.AddEvidenceResponse.toJSON(await invoke<v1.AddEvidenceResponse>('addEvidence', request)));
    });
  evidence.command('list <referral>').action(async (referralId: string) => print(v1.ListEvidenceResponse.toJSON(await invoke<v1.ListEvidenceResponse>('listEvidence', { referralId }))));
  actionOptions(evidence.command('custody <item>').description('append a custody action to the item\'s chain'))
    .action(async (evidenceId: string, opts: { kind: string; handler: string; at: string; location: string; purpose: string }) => {
      print(v1.RecordCustodyResponse.toJSON(await invoke<v1.RecordCustodyResponse>('recordCustody', { evidenceId, action: custodyAction(opts) })));
    });
  evidence.command('chain <item>').option('--page-token <token>', 'continue from a previous page').action(async (evidenceId: string, opts: { pageToken?: string }) => {
    print(v1.ListCustodyResponse.toJSON(await invoke<v1.ListCustodyResponse>('listCustody', { evidenceId, pageSize: 500, pageToken: opts.pageToken ?? '' })));
  });
  evidence.command('verify <item>').description('recompute the chain; names the first broken link').action(async (evidenceId: string) => {
    print(v1.VerifyCustodyResponse.toJSON(await invoke<v1.VerifyCustodyResponse>('verifyCustody', { evidenceId })));
  });
}
