/**
 * Preload entry: `node --require @rampart/telemetry/register dist/main.js`. The service name is
 * OTEL_SERVICE_NAME, or else the entry script's own package (see serviceNameFor); the metrics port
 * is METRICS_PORT.
 */
import { startTelemetry } from './sdk';
import { serviceNameFor } from './service-name';

const serviceName = serviceNameFor(process.env, process.argv[1]);
// The SDK's resource detectors read OTEL_SERVICE_NAME too: make them agree with the name chosen.
process.env.OTEL_SERVICE_NAME = serviceName;
const metricsPort = Number(process.env.METRICS_PORT ?? 0);
startTelemetry({
  serviceName,
  metricsPort: Number.isInteger(metricsPort) ? metricsPort : 0,
});
