/** `rampart designation ...`: cases, evidence uploads, threshold policies, consultation, decision, release. */
import type { Command } from 'commander';
import { bearer, insecure, streamFile } from '@rampart/grpc-kit';
import { designationV1 as v1 } from '@rampart/proto';
import { describeRpcError, invokeRpc, print, printResponse, readJson, tokenFrom } from '../context';

interface Globals {
  token?: string;
  designationAddr: string;
}

/** Calls `method` with a request built from a partial, and prints the response as proto JSON. */
async function run(globals: Globals, method: Extract<keyof v1.DesignationServiceClient, string>, request: object): Promise<void> {
  printResponse(v1, method, await invokeRpc(new v1.DesignationServiceClient(globals.designationAddr, insecure()), v1, method, request, globals.token));
}

const domainOf = (name: string) => v1.capabilityDomainFromJSON(`CAPABILITY_DOMAIN_${name.toUpperCase()}`);

export function registerDesignationCommands(program: Command): void {
  const d = program.command('designation').description('designation cases: evidence, policies, consultation, decision, release');
  const g = () => program.opts<Globals>();

  d.command('case <id>').description('a case, redacted to your clearance').action((id: string) => run(g(), 'getCase', { caseId: id }));
  d.command('cases').option('--page-token <t>').action((o: { pageToken?: string }) => run(g(), 'listCases', { pageToken: o.pageToken ?? '' }));
  d.command('evidence <caseId>').action((caseId: string) => run(g(), 'listEvidence', { caseId }));

  d.command('upload-log <caseId> <file>')
    .description('stream an Inspect log (.eval or .json) as evidence')
    .requiredOption('--domain <domain...>', 'vulnerability_discovery, exploit_development, autonomous_network_operations, evasion_and_persistence')
    .requiredOption('--metric <name...>', 'the metrics that count, e.g. accuracy or match/accuracy')
    .action(async (caseId: string, file: string, o: { domain: string[]; metric: string[] }) => {
      const client = new v1.DesignationServiceClient(g().designationAddr, insecure());
      try {
        const response = await new Promise<v1.UploadInspectLogResponse>((resolve, reject) => {
          const call = client.uploadInspectLog(bearer(tokenFrom(g().token)), (e, r) => (e ? reject(describeRpcError(e)) : resolve(r)));
          call.write({ part: { $case: 'header', value: v1.InspectLogHeader.fromPartial({ caseId, domains: o.domain.map(domainOf), countedMetrics: o.metric }) } });
          streamFile(call, file, (chunk) => ({ part: { $case: 'chunk' as const, value: chunk } })).catch(reject);
        });
        print(v1.UploadInspectLogResponse.toJSON(response));
      } finally {
        client.close();
      }
    });

  d.command('policy').description('the current threshold policy (SECRET)').option('--version <n>', 'a past version').action((o: { version?: string }) => run(g(), 'getThresholdPolicy', { version: Number(o.version ?? 0) }));
  d.command('put-policy <file>').description('write a new policy version (proto JSON of PutThresholdPolicyRequest)')
    .action((file: string) => run(g(), 'putThresholdPolicy', v1.PutThresholdPolicyRequest.fromJSON(readJson(file))));
  d.command('consult <caseId>').option('--deadline <iso>').action((caseId: string, o: { deadline?: string }) => run(g(), 'requestConsultation', { caseId, ...(o.deadline ? { deadlineTime: new Date(o.deadline) } : {}) }));
  d.command('view <caseId>').requiredOption('--view <view>', 'concur, non_concur or comments').option('--comments <text>', '', '')
    .action((caseId: string, o: { view: string; comments: string }) => run(g(), 'recordConsultationView', { caseId, view: v1.consultationViewFromJSON(`CONSULTATION_VIEW_${o.view.toUpperCase()}`), comments: o.comments }));
  d.command('decide <caseId>').requiredOption('--outcome <o>', 'covered or not_covered').requiredOption('--rationale <text>').requiredOption('--effective <iso>')
    .action((caseId: string, o: { outcome: string; rationale: string; effective: string }) => run(g(), 'issueDecision', { caseId, outcome: v1.decisionOutcomeFromJSON(`DECISION_OUTCOME_${o.outcome.toUpperCase()}`), rationale: o.rationale, effectiveTime: new Date(o.effective) }));
  d.command('release <caseId>').action((caseId: string) => run(g(), 'releaseAssessment', { caseId }));
  d.command('assessment <caseId>').description('the releasable assessment (developers: your own only)').action((caseId: string) => run(g(), 'getReleasableAssessment', { caseId }));
}
