/** `rampart intake ...`: the intake service's API from a terminal. Details files are proto JSON. */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { insecure } from '@rampart/grpc-kit';
import { intakeV1 } from '@rampart/proto';
import { invokeRpc, print, readJson } from '../context';

interface Globals {
  token?: string;
  intakeAddr: string;
}

function invoke<T>(globals: Globals, method: Extract<keyof intakeV1.IntakeServiceClient, string>, request: object): Promise<T> {
  return invokeRpc<T>(new intakeV1.IntakeServiceClient(globals.intakeAddr, insecure()), intakeV1, method, request, globals.token);
}

const show = (s: intakeV1.Submission | undefined) => print(s ? intakeV1.Submission.toJSON(s) : null);

export function registerIntakeCommands(program: Command): void {
  const intake = program.command('intake').description('model intake: submit, amend, withdraw and read submissions');
  const globals = (): Globals => program.opts<Globals>();

  intake
    .command('submit')
    .description('submit a model version (details as proto JSON, see README)')
    .requiredOption('--file <file>', 'model details JSON, or - for stdin')
    .option('--key <key>', 'idempotency key (default: a new UUID; reuse it to retry safely)')
    .action(async (opts: { file: string; key?: string }) => {
      const request = ({ details: intakeV1.ModelDetails.fromJSON(readJson(opts.file)), idempotencyKey: opts.key ?? randomUUID() });
      show((await invoke<intakeV1.SubmitModelResponse>(globals(), 'submitModel', request)).submission);
    });

  intake.command('get <id>').action(async (id: string) => {
    show((await invoke<intakeV1.GetSubmissionResponse>(globals(), 'getSubmission', ({ submissionId: id }))).submission);
  });

  intake
    .command('list')
    .option('--status <status>', 'received or withdrawn')
    .option('--page-size <n>', 'per page', '20')
    .option('--page-token <token>', 'continue from a previous page')
    .action(async (opts: { status?: string; pageSize: string; pageToken?: string }) => {
      const status = opts.status ? intakeV1.submissionStatusFromJSON(`SUBMISSION_STATUS_${opts.status.toUpperCase()}`) : intakeV1.SubmissionStatus.SUBMISSION_STATUS_UNSPECIFIED;
      const page = await invoke<intakeV1.ListSubmissionsResponse>(globals(), 'listSubmissions', ({ status, pageSize: Number(opts.pageSize), pageToken: opts.pageToken ?? '' }));
      print(intakeV1.ListSubmissionsResponse.toJSON(page));
    });

  intake
    .command('amend <id>')
    .requiredOption('--revision <n>', 'the revision you last read')
    .requiredOption('--file <file>', 'the new model details JSON, or - for stdin')
    .action(async (id: string, opts: { revision: string; file: string }) => {
      const request = ({ submissionId: id, expectedRevision: Number(opts.revision), details: intakeV1.ModelDetails.fromJSON(readJson(opts.file)) });
      show((await invoke<intakeV1.AmendSubmissionResponse>(globals(), 'amendSubmission', request)).submission);
    });

  intake
    .command('withdraw <id>')
    .requiredOption('--reason <reason>', 'why (kept with the submission)')
    .action(async (id: string, opts: { reason: string }) => {
      show((await invoke<intakeV1.WithdrawSubmissionResponse>(globals(), 'withdrawSubmission', ({ submissionId: id, reason: opts.reason }))).submission);
    });

  intake.command('history <id>').action(async (id: string) => {
    const page = await invoke<intakeV1.ListSubmissionRevisionsResponse>(globals(), 'listSubmissionRevisions', ({ submissionId: id, pageSize: 100 }));
    print(intakeV1.ListSubmissionRevisionsResponse.toJSON(page));
  });
}
