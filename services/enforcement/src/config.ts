/** Enforcement's configuration: the shared variables, validated at start-up (port 50055). */
import { loadConfig, serviceConfig, z } from '@rampart/config';

const schema = z.object(serviceConfig(50055));

export type EnforcementConfig = z.infer<typeof schema>;

export function loadEnforcementConfig(source: NodeJS.ProcessEnv = process.env): EnforcementConfig {
  return loadConfig(schema, source);
}
