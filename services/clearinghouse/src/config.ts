/** The clearinghouse's configuration: the shared variables, validated at start-up (port 50054). */
import { loadConfig, serviceConfig, z } from '@rampart/config';

const schema = z.object({
  ...serviceConfig(50054),
  // How soon an embargo may end at the earliest, in ms: an hour (the most allowed), less only where embargoes must end within seconds (tests).
  EMBARGO_MINIMUM_NOTICE_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(3_600_000),
});

export type ClearinghouseConfig = z.infer<typeof schema>;

export function loadClearinghouseConfig(source: NodeJS.ProcessEnv = process.env): ClearinghouseConfig {
  return loadConfig(schema, source);
}
