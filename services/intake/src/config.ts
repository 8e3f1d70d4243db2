/** Intake's configuration: the shared variables plus its own, validated at start-up. */
import { commonConfig, env, loadConfig, z } from '@rampart/config';

const schema = z.object({
  ...commonConfig,
  GRPC_HOST: z.string().default('0.0.0.0'),
  GRPC_PORT: env.port(50051),
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  OUTBOX_POLL_MS: env.positiveInt(500),
});

export type IntakeConfig = z.infer<typeof schema>;

export function loadIntakeConfig(source: NodeJS.ProcessEnv = process.env): IntakeConfig {
  return loadConfig(schema, source);
}
