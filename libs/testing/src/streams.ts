/** Reads what a JetStream stream holds, for assertions on exactly what was published. */
import type { JetStreamManager } from '@nats-io/jetstream';

export interface StoredEvent {
  seq: number;
  subject: string;
  headers: Record<string, string>;
  body: string;
  event: { id: string; type: string; source: string; subject: string; time: string; specversion: string; datacontenttype: string; data: Record<string, unknown> };
}

export async function readStream(jsm: JetStreamManager, stream: string): Promise<StoredEvent[]> {
  const info = await jsm.streams.info(stream);
  const out: StoredEvent[] = [];
  if (info.state.messages === 0) return out;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!msg) continue;
    const headers: Record<string, string> = {};
    for (const [key, values] of msg.header ?? []) headers[key] = values.join(',');
    const body = msg.string();
    let event: StoredEvent['event'];
    try {
      event = JSON.parse(body) as StoredEvent['event'];
    } catch {
      event = { id: '', type: '', source: '', subject: '', time: '', specversion: '', datacontenttype: '', data: {} };
    }
    out.push({ seq: msg.seq, subject: msg.subject, headers, body, event });
  }
  return out;
}
