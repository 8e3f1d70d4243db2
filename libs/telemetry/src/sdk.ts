/**
 * Starts OpenTelemetry for one service process: traces over OTLP (honours the standard
 * OTEL_EXPORTER_OTLP_* variables), gRPC and MongoDB auto-instrumentation, and, when METRICS_PORT
 * is set, a Prometheus endpoint with the service's own metrics, Node runtime metrics (event loop,
 * heap, GC: `nodejs.*`, `v8js.*`) and process metrics (`process.cpu.*`, `process.memory.usage`).
 * Must run before grpc-js and mongodb are loaded, so services start it with
 * `node --require @rampart/telemetry/register`.
 */
import { HostMetrics } from '@opentelemetry/host-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

export interface TelemetryOptions {
  serviceName: string;
  /** 0 or undefined: no metrics endpoint. */
  metricsPort?: number;
}

/** Health probes run every few seconds on every replica; their spans are noise, so none are made. */
const HEALTH_METHODS = new Set(['Check', 'Watch', 'List']);

/** The process's own CPU and memory; the host's are the node exporter's job, not each service's. */
const PROCESS_METRIC_GROUPS = ['process.cpu', 'process.memory'];

let sdk: NodeSDK | undefined;

export function startTelemetry(options: TelemetryOptions): NodeSDK {
  if (sdk) return sdk;
  const metricReaders = options.metricsPort
    ? [new PrometheusExporter({ port: options.metricsPort, host: '0.0.0.0' })]
    : [];
  sdk = new NodeSDK({
    serviceName: options.serviceName,
    traceExporter: new OTLPTraceExporter(),
    metricReaders,
    instrumentations: [
      new GrpcInstrumentation({ ignoreGrpcMethods: [(name) => HEALTH_METHODS.has(name)] }),
      new MongoDBInstrumentation({ dbStatementSerializer: (cmd) => Object.keys(cmd).join(',') }),
      new RuntimeNodeInstrumentation(),
    ],
  });
  sdk.start();
  // After start: it observes through the meter provider the SDK has just registered.
  if (metricReaders.length > 0) new HostMetrics({ name: '@rampart/telemetry', metricGroups: PROCESS_METRIC_GROUPS }).start();
  return sdk;
}

/** Flushes pending spans; call last in graceful shutdown. */
export async function shutdownTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
