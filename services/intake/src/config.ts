/** Intake's configuration: the shared variables plus its own, validated at start-up. */
import { loadConfig, serviceConfig, z } from '@rampart/config';

const schema = z.object(serviceConfig(50051));

export type IntakeConfig = z.infer<typeof schema>;

export function loadIntakeConfig(source: NodeJS.ProcessEnv = process.env): IntakeConfig {
  return loadConfig(schema, source);
}
