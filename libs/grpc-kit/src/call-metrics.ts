/** Each answered call's duration and status, as OpenTelemetry's `rpc.server.call.duration`. */
import { status } from '@grpc/grpc-js';
import { recordRpcServerCall } from '@rampart/telemetry';

/** The name of a gRPC status code, e.g. DEADLINE_EXCEEDED. */
export function statusName(code: status | undefined): string {
  return status[code ?? status.UNKNOWN] ?? String(code);
}

/** `path` is the call's `/package.Service/Method`; `startedAt` from performance.now(). */
export function recordCall(path: string, code: status | undefined, startedAt: number): void {
  recordRpcServerCall({ system: 'grpc', method: path.replace(/^\//, ''), statusCode: statusName(code), seconds: (performance.now() - startedAt) / 1000 });
}
