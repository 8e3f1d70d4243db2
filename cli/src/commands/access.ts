/**
 * `rampart access ...`: early access, each role's verbs.
 * - developer: open, program(s), release, nominate/approve/veto/remove, nominations, grants, acceptances, log, verify-log, checkpoints, signals
 * - access-officer: publish-agreement, nominate/approve/veto/remove, grant, revoke-grant, revoke-credential
 * - grant holders (evaluator, partner): agreements, accept / accept-all, my-grants, credential
 * - gateway: keys, verify-credential, report
 * - set-up: init-keys (the service's credential signing keys, for local runs)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateSigningKey } from '@rampart/auth';
import { insecure } from '@rampart/grpc-kit';
import { accessV1 as v1 } from '@rampart/proto';
import { DEFAULT_KEY_DIR, invokeRpc, print, printResponse } from '../context';

interface Globals {
  token?: string;
  accessAddr: string;
}

type Method = Extract<keyof v1.EarlyAccessServiceClient, string>;

function call<Res>(globals: Globals, method: Method, request: object): Promise<Res> {
  return invokeRpc<Res>(new v1.EarlyAccessServiceClient(globals.accessAddr, insecure()), v1, method, request, globals.token);
}

/** Calls `method` with a request built from a partial, and prints the response as proto JSON. */
async function run(globals: Globals, method: Method, request: object): Promise<void> {
  printResponse(v1, method, await call(globals, method, request));
}

const kindOf = (name: string) => v1.agreementKindFromJSON(`AGREEMENT_KIND_${name.toUpperCase()}`);
const principalKindOf = (name: string) => v1.principalKindFromJSON(`PRINCIPAL_KIND_${name.toUpperCase()}`);
const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);
const KINDS = 'confidentiality, cybersecurity, insider_risk, ip_protection_and_use, non_disclosure';

export function registerAccessCommands(program: Command): void {
  const a = program.command('access').description('early access: programs, agreements, partners, grants, credentials, the access log');
  const g = () => program.opts<Globals>();
  const page = (o: { pageToken?: string }) => ({ pageToken: o.pageToken ?? '' });

  // Programs (developer)
  a.command('open <submissionId>').description('open the program of your covered model (developer)')
    .option('--start <iso>', 'when the government window starts (default now; at most 30 days before the partner release)')
    .option('--agreements <kind...>', `required agreement kinds (default all: ${KINDS})`)
    .action((submissionId: string, o: { start?: string; agreements?: string[] }) =>
      run(g(), 'openProgram', { submissionId, windowStartTime: date(o.start), requiredAgreements: (o.agreements ?? []).map(kindOf) }));
  a.command('program <programId>').action((programId: string) => run(g(), 'getProgram', { programId }));
  a.command('programs').option('--page-token <t>').action((o: { pageToken?: string }) => run(g(), 'listPrograms', page(o)));
  a.command('release <programId>').description('record the actual public release: the program closes, every grant ends (developer)')
    .option('--at <iso>', 'when it was released (default now)')
    .action((programId: string, o: { at?: string }) => run(g(), 'recordPublicRelease', { programId, releaseTime: date(o.at) }));

  // Agreements
  a.command('agreements').description('the current version of every agreement').action(() => run(g(), 'listAgreements', {}));
  a.command('publish-agreement').description('publish the next version of an agreement (access-officer)')
    .requiredOption('--kind <kind>', KINDS).requiredOption('--title <title>').requiredOption('--text-file <file>')
    .requiredOption('--expected-version <n>', 'the version you read as current (0 for the first)')
    .action((o: { kind: string; title: string; textFile: string; expectedVersion: string }) =>
      run(g(), 'publishAgreement', { kind: kindOf(o.kind), title: o.title, text: readFileSync(o.textFile, 'utf8'), expectedVersion: Number(o.expectedVersion) }));
  a.command('accept <programId>').description('accept one agreement, naming the content hash you read (grant holders)')
    .requiredOption('--kind <kind>', KINDS).requiredOption('--hash <sha256>')
    .action((programId: string, o: { kind: string; hash: string }) => run(g(), 'acceptAgreement', { programId, kind: kindOf(o.kind), contentHash: o.hash }));
  a.command('accept-all <programId>').description('read and accept the current version of every agreement (grant holders)')
    .action(async (programId: string) => {
      const { agreements } = await call<v1.ListAgreementsResponse>(g(), 'listAgreements', {});
      const accepted = [];
      for (const agreement of agreements) {
        accepted.push((await call<v1.AcceptAgreementResponse>(g(), 'acceptAgreement', { programId, kind: agreement.kind, contentHash: agreement.contentHash })).acceptance);
      }
      print(accepted.map((x) => v1.AgreementAcceptance.toJSON(x!)));
    });
  a.command('acceptances <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listAcceptances', { programId, ...page(o) }));

  // Trusted partners (developer or access-officer)
  a.command('nominate <programId> <partnerOrg>').option('--reason <text>', '', '').action((programId: string, partnerOrganization: string, o: { reason: string }) => run(g(), 'nominatePartner', { programId, partnerOrganization, reason: o.reason }));
  a.command('approve <programId> <partnerOrg>').action((programId: string, partnerOrganization: string) => run(g(), 'approvePartner', { programId, partnerOrganization }));
  a.command('veto <programId> <partnerOrg>').option('--reason <text>', '', '').action((programId: string, partnerOrganization: string, o: { reason: string }) => run(g(), 'vetoPartner', { programId, partnerOrganization, reason: o.reason }));
  a.command('remove <programId> <partnerOrg>').option('--reason <text>', '', '').action((programId: string, partnerOrganization: string, o: { reason: string }) => run(g(), 'removePartner', { programId, partnerOrganization, reason: o.reason }));
  a.command('nominations <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listNominations', { programId, ...page(o) }));

  // Grants and credentials
  a.command('grant <programId>').description('issue a grant (access-officer)')
    .requiredOption('--principal <sub>').requiredOption('--principal-org <org>').requiredOption('--kind <kind>', 'government or partner')
    .requiredOption('--scope <scope...>').requiredOption('--purpose <text>').option('--not-before <iso>').option('--not-after <iso>')
    .option('--key <key>', 'idempotency key (default: a new UUID; reuse it to retry safely)')
    .action((programId: string, o: { principal: string; principalOrg: string; kind: string; scope: string[]; purpose: string; notBefore?: string; notAfter?: string; key?: string }) =>
      run(g(), 'issueGrant', { programId, principal: o.principal, principalOrganization: o.principalOrg, principalKind: principalKindOf(o.kind), scopes: o.scope, purpose: o.purpose, notBeforeTime: date(o.notBefore), notAfterTime: date(o.notAfter), idempotencyKey: o.key ?? randomUUID() }));
  a.command('revoke-grant <grantId>').requiredOption('--reason <text>').action((grantId: string, o: { reason: string }) => run(g(), 'revokeGrant', { grantId, reason: o.reason }));
  a.command('grants <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listGrants', { programId, ...page(o) }));
  a.command('my-grants').option('--page-token <t>').action((o: { pageToken?: string }) => run(g(), 'listMyGrants', page(o)));
  a.command('credential <grantId>').description('issue or renew a credential for your grant (grant holders)').option('--ttl <seconds>', '0 = the longest allowed', '0')
    .action((grantId: string, o: { ttl: string }) => run(g(), 'issueCredential', { grantId, ttlSeconds: Number(o.ttl) }));
  a.command('revoke-credential <credentialId>').option('--reason <text>', '', '').action((credentialId: string, o: { reason: string }) => run(g(), 'revokeCredential', { credentialId, reason: o.reason }));

  // The gateway
  a.command('keys').description('the verification keys (gateway, developer)').action(() => run(g(), 'getVerificationKeys', {}));
  a.command('verify-credential <token>').action((token: string) => run(g(), 'verifyCredential', { token }));
  a.command('report <programId>').description('report one use to the access log (gateway)')
    .requiredOption('--credential <id>').requiredOption('--principal <sub>').requiredOption('--principal-org <org>')
    .requiredOption('--operation <op>').requiredOption('--volume <n>').option('--at <iso>')
    .option('--report-id <id>', 'the use\'s id (default: a new UUID; reuse it to retry safely)')
    .action((programId: string, o: { credential: string; principal: string; principalOrg: string; operation: string; volume: string; at?: string; reportId?: string }) =>
      run(g(), 'reportAccess', { programId, credentialId: o.credential, principal: o.principal, principalOrganization: o.principalOrg, operation: o.operation, volume: Number(o.volume), occurTime: date(o.at), reportId: o.reportId ?? randomUUID() }));

  // The access log (developer, access-officer, auditor)
  a.command('log <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listAccessRecords', { programId, ...page(o) }));
  a.command('verify-log <programId>').description('recompute the hash chain and name the first broken link').action((programId: string) => run(g(), 'verifyAccessLog', { programId }));
  a.command('checkpoints <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listCheckpoints', { programId, ...page(o) }));
  a.command('signals <programId>').option('--page-token <t>').action((programId: string, o: { pageToken?: string }) => run(g(), 'listSignals', { programId, ...page(o) }));

  a.command('init-keys').description("create the early-access service's credential signing key set (CREDENTIAL_KEYS_FILE) for local runs")
    .option('--file <file>', 'where', path.join(DEFAULT_KEY_DIR, 'credential-keys.json'))
    .option('--kid <kid>', 'key id', `access-${new Date().toISOString().slice(0, 10)}`)
    .option('--force', 'replace an existing key set')
    .action(async (o: { file: string; kid: string; force?: boolean }) => {
      if (existsSync(o.file) && !o.force) {
        process.stdout.write(`key set exists: ${o.file} (use --force to replace)\n`);
        return;
      }
      const key = await generateSigningKey(o.kid, 'EdDSA');
      mkdirSync(path.dirname(o.file), { recursive: true });
      writeFileSync(o.file, JSON.stringify({ keys: [key.privateJwk] }), { mode: 0o600 });
      process.stdout.write(`wrote ${o.file} (give early-access CREDENTIAL_KEYS_FILE=${o.file})\n`);
    });
}
