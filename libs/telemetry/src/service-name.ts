/**
 * The service name for telemetry: OTEL_SERVICE_NAME when set, else the service's own name, read
 * from the package that holds the entry script (`@rampart/intake` gives `intake`), which holds in
 * the repository (services/intake/dist/main.js) and in the image (/app/dist/main.js) alike.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FALLBACK_SERVICE_NAME = 'rampart';

function packageNameAbove(file: string): string | undefined {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    try {
      const { name } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      return typeof name === 'string' && name !== '' ? name : undefined;
    } catch {
      // no readable package.json here: look further up
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export function serviceNameFor(env: NodeJS.ProcessEnv, entryScript: string | undefined): string {
  const configured = env.OTEL_SERVICE_NAME?.trim();
  if (configured) return configured;
  if (!entryScript) return FALLBACK_SERVICE_NAME;
  const fromPackage = packageNameAbove(entryScript)?.replace(/^@[^/]+\//, '');
  if (fromPackage) return fromPackage;
  return /(?:^|[/\\])services[/\\]([^/\\]+)[/\\]/.exec(path.resolve(entryScript))?.[1] ?? FALLBACK_SERVICE_NAME;
}
