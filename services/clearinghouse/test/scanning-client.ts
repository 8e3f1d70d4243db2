/** Coordinated scanning from a client's side, for the e2e tests: requests, windows, SARIF logs and the streamed upload. */
import { bearer } from '@rampart/grpc-kit';
import { clearinghouseV1 as v1 } from '@rampart/proto';
import type { ClearinghouseHarness } from './harness';

export const HOUR = 3600 * 1000;

/** A window open from a few minutes ago for `hours`, with explicit zones. */
export function openWindow(hours = 2): v1.ScanWindow {
  return { start: new Date(Date.now() - 5 * 60_000).toISOString(), end: new Date(Date.now() + hours * HOUR).toISOString() };
}

export function operator(h: ClearinghouseHarness, organization: string): Promise<string> {
  return h.auth.token({ roles: ['operator'], organization, subject: `ops@${organization}` });
}

export function scanner(h: ClearinghouseHarness, organization: string): Promise<string> {
  return h.auth.token({ roles: ['reporter'], organization, subject: `scanner@${organization}` });
}

export const target = (kind: v1.ScanTargetKind, value: string, includeSubdomains = false): v1.ScanTarget => ({ kind, value, includeSubdomains });

/** A SARIF 2.1.0 log of one run whose results sit at `uris` (one result each). */
export function sarifLog(uris: string[], window: { start: Date; end: Date } = { start: new Date(Date.now() - 60_000), end: new Date() }): Record<string, unknown> {
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{
      tool: { driver: { name: 'frontier-scanner', version: '1.4.0', rules: [{ id: 'TLS001', name: 'WeakTls', properties: { tags: ['external/cwe/cwe-327'] } }] } },
      invocations: [{ executionSuccessful: true, startTimeUtc: window.start.toISOString(), endTimeUtc: window.end.toISOString() }],
      results: uris.map((uri, i) => ({
        ruleId: 'TLS001', level: 'error', message: { text: `TLS 1.0 accepted at ${uri}` },
        locations: [{ physicalLocation: { artifactLocation: { uri } } }],
        partialFingerprints: { primaryLocationLineHash: `hash-${i}` },
      })),
    }],
  };
}

/** UploadScanResults: the header, then `body` in chunks of `chunkBytes`. */
export function upload(h: ClearinghouseHarness, token: string, jobId: string, body: Buffer, chunkBytes = 256 * 1024): Promise<v1.UploadScanResultsResponse> {
  return new Promise((resolve, reject) => {
    const stream = h.client.uploadScanResults(bearer(token), (error, response) => (error ? reject(error) : resolve(response)));
    // A refusal ends the call early: writes after it are dropped, never an error of their own.
    stream.on('error', () => undefined);
    stream.write(v1.UploadScanResultsRequest.fromPartial({ part: { $case: 'header', value: { jobId } } }));
    for (let at = 0; at < body.length; at += chunkBytes) stream.write(v1.UploadScanResultsRequest.fromPartial({ part: { $case: 'chunk', value: body.subarray(at, at + chunkBytes) } }));
    stream.end();
  });
}
