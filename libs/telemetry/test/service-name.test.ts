/** The telemetry service name: OTEL_SERVICE_NAME, else the entry script's own package, in the repository and in the image. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FALLBACK_SERVICE_NAME, serviceNameFor } from '@rampart/telemetry';

function layout(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'service-name-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('the telemetry service name', () => {
  it('is OTEL_SERVICE_NAME when set', () => {
    expect(serviceNameFor({ OTEL_SERVICE_NAME: 'intake-eu' }, '/anywhere/main.js')).toBe('intake-eu');
  });

  it("is the entry script's package, unscoped, when OTEL_SERVICE_NAME is unset or empty", () => {
    const repo = layout({ 'package.json': '{"name":"rampart"}', 'services/designation/package.json': '{"name":"@rampart/designation"}', 'services/designation/dist/main.js': '' });
    expect(serviceNameFor({}, path.join(repo, 'services/designation/dist/main.js'))).toBe('designation');
    expect(serviceNameFor({ OTEL_SERVICE_NAME: ' ' }, path.join(repo, 'services/designation/dist/main.js'))).toBe('designation');
  });

  it('finds it in the image layout too, where the path names no service', () => {
    const app = layout({ 'package.json': '{"name":"@rampart/intake"}', 'dist/main.js': '' });
    expect(serviceNameFor({}, path.join(app, 'dist/main.js'))).toBe('intake');
  });

  it('falls back to the services/<name> folder, then to a fixed name', () => {
    expect(serviceNameFor({}, '/nowhere/services/enforcement/dist/main.js')).toBe('enforcement');
    expect(serviceNameFor({}, undefined)).toBe(FALLBACK_SERVICE_NAME);
  });
});
