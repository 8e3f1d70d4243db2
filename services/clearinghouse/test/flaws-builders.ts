/** Small records and decisions for the flaw rules' unit tests. */
import type { FlawDecision, FlawRecord } from '../src/domain/flaws';

export function rec(id: string, aliases: string[] = [], extra: Partial<FlawRecord> = {}): FlawRecord {
  return { source: 'osv', id, aliases, withdrawn: false, affected: [], cwes: [], ...extra };
}

let decisionCount = 0;
export function decision(kind: FlawDecision['kind'], a: string, b: string, at = '2026-01-01T00:00:00Z', id?: string): FlawDecision {
  decisionCount++;
  return { id: id ?? `d${String(decisionCount).padStart(4, '0')}`, kind, records: [a, b], by: 'ana@treasury', at: new Date(at), reason: 'analyst review' };
}
