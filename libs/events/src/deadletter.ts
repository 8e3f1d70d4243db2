/** Reading and replaying a service's dead letters (the `rampart deadletter` CLI), and their depth metric. */
import { headers as natsHeaders } from '@nats-io/nats-core';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { rampartMeter } from '@rampart/telemetry';
import { DEAD_LETTER_HEADERS } from './consumer';

export interface DeadLetter {
  sequence: number;
  time: Date;
  reason: string;
  originalSubject: string;
  originalStream: string;
  originalSequence: number;
  consumer: string;
  body: string;
}

export async function listDeadLetters(jsm: JetStreamManager, stream: string, limit = 100): Promise<DeadLetter[]> {
  const info = await jsm.streams.info(stream);
  const out: DeadLetter[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && out.length < limit; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!msg) continue; // deleted after a replay
    const h = msg.header;
    out.push({
      sequence: msg.seq,
      time: msg.time,
      reason: h.get(DEAD_LETTER_HEADERS.reason),
      originalSubject: h.get(DEAD_LETTER_HEADERS.subject),
      originalStream: h.get(DEAD_LETTER_HEADERS.stream),
      originalSequence: Number(h.get(DEAD_LETTER_HEADERS.sequence)),
      consumer: h.get(DEAD_LETTER_HEADERS.consumer),
      body: msg.string(),
    });
  }
  return out;
}

/**
 * Publishes a dead letter again on its original subject (its consumer's handler must be fixed by
 * now) and removes it from the dead-letter stream. Other consumers of that subject see it again
 * too, which idempotent consumers absorb.
 */
export async function replayDeadLetter(jsm: JetStreamManager, js: JetStreamClient, stream: string, sequence: number): Promise<string> {
  const msg = await jsm.streams.getMessage(stream, { seq: sequence });
  if (!msg) throw new Error(`no dead letter ${sequence} in ${stream}`);
  const subject = msg.header.get(DEAD_LETTER_HEADERS.subject);
  if (!subject) throw new Error(`dead letter ${sequence} in ${stream} has no ${DEAD_LETTER_HEADERS.subject} header`);
  const h = natsHeaders();
  for (const [key, values] of msg.header) {
    if (!key.startsWith('Rampart-') && !key.startsWith('Nats-')) for (const value of values) h.append(key, value);
  }
  h.set('Rampart-Replayed-From', `${stream}:${sequence}`);
  await js.publish(subject, msg.data, { headers: h, msgID: `replay.${stream}.${sequence}` });
  await jsm.streams.deleteMessage(stream, sequence);
  return subject;
}

export function registerDeadLetterMetrics(jsm: JetStreamManager, stream: string): void {
  rampartMeter()
    .createObservableGauge('rampart.deadletter.depth', { description: 'Messages waiting in a dead-letter stream', unit: '{message}' })
    .addCallback(async (result) => {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      if (info) result.observe(info.state.messages, { stream });
    });
}
