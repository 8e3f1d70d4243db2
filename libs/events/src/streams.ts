/**
 * Streams are declared in code and ensured at start-up and after every reconnect. Each service
 * writes only its own area's subjects: one stream per marking class it emits, and a dead-letter
 * stream for its consumers.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** How long events are kept; 0 keeps them until limits apply. */
  maxAgeMs?: number;
  /** Publishes with the same Nats-Msg-Id inside this window are stored once. */
  duplicateWindowMs?: number;
  replicas?: number;
  /** JetStream message schedules (nats-server 2.12+); they need roll-ups, so those are allowed too. */
  allowMsgSchedules?: boolean;
  /** Per-message TTLs (the `Nats-TTL` header). */
  allowMsgTtl?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The stream of one marking class of an area's events, e.g. ('intake', 'INTAKE', ['submission']). */
export function eventStream(area: string, name: string, things: readonly string[], replicas = 1): StreamSpec {
  return {
    name,
    subjects: things.map((thing) => `rampart.${area}.${thing}.>`),
    maxAgeMs: 30 * DAY_MS,
    duplicateWindowMs: 10 * 60 * 1000,
    replicas,
  };
}

export function deadLetterSubjectPrefix(area: string): string {
  return `rampart.${area}.deadletter`;
}

export function deadLetterStream(area: string, replicas = 1): StreamSpec {
  return {
    name: `${area.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_DEADLETTER`,
    subjects: [`${deadLetterSubjectPrefix(area)}.>`],
    maxAgeMs: 90 * DAY_MS,
    duplicateWindowMs: 10 * 60 * 1000,
    replicas,
  };
}

function toConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  return {
    name: spec.name,
    subjects: spec.subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs ?? 0),
    duplicate_window: nanos(spec.duplicateWindowMs ?? 2 * 60 * 1000),
    num_replicas: spec.replicas ?? 1,
    ...(spec.allowMsgSchedules ? { allow_msg_schedules: true, allow_rollup_hdrs: true, deny_purge: false } : {}),
    ...(spec.allowMsgTtl ? { allow_msg_ttl: true } : {}),
  };
}

/** Creates the stream, or brings an existing one to this configuration. Idempotent. */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec): Promise<void> {
  const config = toConfig(spec);
  try {
    await jsm.streams.info(spec.name);
  } catch {
    await jsm.streams.add(config);
    return;
  }
  await jsm.streams.update(spec.name, config);
}
