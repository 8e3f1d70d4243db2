/**
 * Issue 6, section 4: the metrics the README promises, scraped from each running service's
 * Prometheus endpoint (METRICS_PORT): the OpenTelemetry RPC server duration per method and
 * status, Node runtime metrics and process metrics. And the service name in telemetry defaults to
 * the service's own when OTEL_SERVICE_NAME is not set.
 */
import { randomBytes } from 'node:crypto';
import { sharedServers, waitForTrace } from '@rampart/testing';
import { SERVICES, type HarmlessClient } from './services';
import { System } from './system';

/** The sample lines of one metric family (name and its _bucket/_count/_sum/_total children). */
function samples(exposition: string, name: string): string[] {
  return exposition.split('\n').filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

function value(line: string): number {
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each(SERVICES.map((s) => [s.name, s] as const))('%s metrics and service name', (name, spec) => {
  let system: System;
  let client: HarmlessClient;

  beforeAll(async () => {
    // OTEL_SERVICE_NAME empty: the service must name itself.
    system = await System.start([spec], { OTEL_SERVICE_NAME: '' });
    client = spec.client(system.service(name).process.address);
  }, 120_000);

  afterAll(async () => {
    client?.close();
    await system?.stop();
  });

  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${system.service(name).metricsPort}/metrics`);
    expect(response.status).toBe(200);
    return response.text();
  };

  it('exports rpc.server.call.duration per method and status code', async () => {
    const token = await spec.token(system.auth);
    await client.call(token, { deadline: new Date(Date.now() + 10_000) });
    await client.call('not-a-jwt', { deadline: new Date(Date.now() + 10_000) }).catch(() => undefined);

    const text = await scrape();
    const counts = samples(text, 'rpc_server_call_duration_count');
    const ok = counts.find((l) => l.includes(`rpc_method="${spec.grpcService}/`) && l.includes('rpc_status_code="OK"') && l.includes('rpc_system_name="grpc"'));
    expect(ok).toBeDefined();
    expect(value(ok!)).toBeGreaterThanOrEqual(1);
    expect(counts.some((l) => l.includes('rpc_status_code="UNAUTHENTICATED"'))).toBe(true);
    expect(samples(text, 'rpc_server_call_duration_bucket').some((l) => l.includes('le="0.005"'))).toBe(true);
    expect(text).toMatch(/# TYPE rpc_server_call_duration histogram/);
    expect(text).toMatch(/# UNIT rpc_server_call_duration s/);
  });

  it('exports Node runtime and process metrics', async () => {
    const text = await scrape();
    for (const family of ['nodejs_eventloop_delay_p99', 'nodejs_eventloop_utilization', 'v8js_memory_heap_used', 'v8js_gc_duration_count', 'process_cpu_time_total', 'process_memory_usage']) {
      expect({ family, present: samples(text, family).length > 0 }).toEqual({ family, present: true });
    }
  });

  it("names itself after the service when OTEL_SERVICE_NAME is not set, in traces and metrics", async () => {
    const traceId = randomBytes(16).toString('hex');
    const traceparent = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
    await client.call(await spec.token(system.auth), { deadline: new Date(Date.now() + 10_000) }, { traceparent });
    const spans = await waitForTrace(sharedServers().jaegerQuery, traceId, (found) => found.some((s) => s.kind === 2));
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set([name]));
    expect(await scrape()).toMatch(new RegExp(`target_info\\{[^}]*service_name="${name}"`));
  });
});
