/**
 * Preload entry: `node --require @rampart/telemetry/register dist/main.js`. Reads the service
 * name from OTEL_SERVICE_NAME and the metrics port from METRICS_PORT.
 */
import { startTelemetry } from './sdk';

const metricsPort = Number(process.env.METRICS_PORT ?? 0);
startTelemetry({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'rampart',
  metricsPort: Number.isInteger(metricsPort) ? metricsPort : 0,
});
