/**
 * `rpc.server.call.duration` in seconds: the stable OpenTelemetry RPC server metric, which replaced
 * `rpc.server.duration` (milliseconds) in the semantic conventions installed here. Attributes:
 * `rpc.system.name`, the fully qualified `rpc.method` and `rpc.status_code` (the status's name).
 * The Prometheus endpoint shows it as histogram `rpc_server_call_duration` (`# UNIT ... s`).
 */
import type { Histogram } from '@opentelemetry/api';
import { ATTR_RPC_METHOD, ATTR_RPC_STATUS_CODE, ATTR_RPC_SYSTEM_NAME, METRIC_RPC_SERVER_CALL_DURATION } from '@opentelemetry/semantic-conventions';
import { rampartMeter } from './metrics';

/** Seconds, from 1 ms to 10 minutes (uploads run long). */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 300, 600];

let histogram: Histogram | undefined;

// Made on first use, not at import: the telemetry preload registers the meter provider first.
function durations(): Histogram {
  histogram ??= rampartMeter().createHistogram(METRIC_RPC_SERVER_CALL_DURATION, {
    description: 'Duration of incoming RPCs, from arrival to the answer',
    unit: 's',
    advice: { explicitBucketBoundaries: BUCKETS },
  });
  return histogram;
}

export interface RpcServerCall {
  /** e.g. grpc */
  system: string;
  /** Fully qualified, e.g. rampart.intake.v1.IntakeService/SubmitModel */
  method: string;
  /** The status's name, e.g. OK or DEADLINE_EXCEEDED */
  statusCode: string;
  seconds: number;
}

export function recordRpcServerCall(call: RpcServerCall): void {
  durations().record(call.seconds, {
    [ATTR_RPC_SYSTEM_NAME]: call.system,
    [ATTR_RPC_METHOD]: call.method,
    [ATTR_RPC_STATUS_CODE]: call.statusCode,
  });
}
