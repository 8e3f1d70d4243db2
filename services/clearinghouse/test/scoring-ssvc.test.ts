/** SSVC: CISA's coordinator table, as shipped in assets/ssvc, decides as every row of the conformance CSV says. */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { SSVC_ASSETS_DIR, ssvcCoordinatorTable } from '../src/assets/ssvc';
import {
  decideSsvc, parseSsvcCoordinatorTable, ssvcDecisionPointsField, SSVC_AUTOMATABLE, SSVC_EXPLOITATION, SSVC_MISSION_WELLBEING, SSVC_OUTCOMES, SSVC_TECHNICAL_IMPACT,
  type SsvcDecisionPoints,
} from '../src/domain/scoring';
import { CONFORMANCE, readConformance } from './scoring-fixtures';

const CSV_NAME = 'cisa_coordinator_2_0_3.csv';
const conformanceCsv = readConformance('ssvc', 'cisa', CSV_NAME);

describe('SSVC coordinator table', () => {
  it('ships the conformance CSV unchanged', () => {
    expect(fs.readFileSync(path.join(SSVC_ASSETS_DIR, CSV_NAME))).toEqual(fs.readFileSync(path.join(CONFORMANCE, 'ssvc', 'cisa', CSV_NAME)));
  });

  it('decides every row of the CSV as the row says, recording the decision points', () => {
    const table = ssvcCoordinatorTable();
    // Read here independently of the parser: row, exploitation, automatable, technical impact, mission & well-being, outcome.
    const rows = conformanceCsv.trim().split('\n').slice(1).map((line) => line.split(','));
    const wrong: string[] = [];
    for (const [row, exploitation, automatable, technicalImpact, missionWellbeing, outcome] of rows) {
      const points = { exploitation, automatable, technicalImpact, missionWellbeing } as SsvcDecisionPoints;
      const d = decideSsvc(table, points);
      if (d.outcome.toLowerCase() !== outcome || d.row !== Number(row)) wrong.push(`row ${row}: expected ${outcome}, got ${d.outcome} (row ${d.row})`);
      expect(d.decisionPoints).toEqual(points);
      expect(d.recorded).toEqual([
        { name: 'Exploitation', version: '1.1.0', value: exploitation },
        { name: 'Automatable', version: '2.0.0', value: automatable },
        { name: 'Technical Impact', version: '1.0.0', value: technicalImpact },
        { name: 'Mission and Well-Being Impact', version: '1.0.0', value: missionWellbeing },
      ]);
      expect(d.table).toBe('cisa_coordinator_2_0_3');
    }
    expect(rows).toHaveLength(36);
    expect(wrong).toEqual([]);
  });

  it('gives the outcomes CISA publishes for the corners of the tree', () => {
    const table = ssvcCoordinatorTable();
    expect(decideSsvc(table, { exploitation: 'active', automatable: 'yes', technicalImpact: 'total', missionWellbeing: 'high' })).toMatchObject({ outcome: 'Act', row: 35 });
    expect(decideSsvc(table, { exploitation: 'none', automatable: 'no', technicalImpact: 'partial', missionWellbeing: 'low' })).toMatchObject({ outcome: 'Track', row: 0 });
    expect(decideSsvc(table, { exploitation: 'none', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'high' })).toMatchObject({ outcome: 'Track*', row: 5 });
    expect(decideSsvc(table, { exploitation: 'public poc', automatable: 'yes', technicalImpact: 'partial', missionWellbeing: 'high' })).toMatchObject({ outcome: 'Attend', row: 20 });
  });

  it('never lowers the outcome when a decision point rises (what lets the priority rise with exploitation)', () => {
    const table = ssvcCoordinatorTable();
    const rank = (p: SsvcDecisionPoints) => SSVC_OUTCOMES.indexOf(decideSsvc(table, p).outcome);
    const points = fc.record({
      exploitation: fc.constantFrom(...SSVC_EXPLOITATION), automatable: fc.constantFrom(...SSVC_AUTOMATABLE),
      technicalImpact: fc.constantFrom(...SSVC_TECHNICAL_IMPACT), missionWellbeing: fc.constantFrom(...SSVC_MISSION_WELLBEING),
    });
    const scales = { exploitation: SSVC_EXPLOITATION, automatable: SSVC_AUTOMATABLE, technicalImpact: SSVC_TECHNICAL_IMPACT, missionWellbeing: SSVC_MISSION_WELLBEING } as const;
    fc.assert(fc.property(points, fc.constantFrom(...(Object.keys(scales) as (keyof typeof scales)[])), (p, key) => {
      const scale: readonly string[] = scales[key];
      const higher = scale[scale.indexOf(p[key]) + 1];
      if (higher !== undefined) expect(rank({ ...p, [key]: higher })).toBeGreaterThanOrEqual(rank(p));
    }), { numRuns: 500 });
  });

  it('refuses a table that is not the coordinator table, naming what is wrong', () => {
    const lines = conformanceCsv.trim().split('\n');
    expect(() => parseSsvcCoordinatorTable('t', lines.slice(0, -1).join('\n'))).toThrow('SSVC table t: has 35 rows, not the 36 combinations of its decision points');
    expect(() => parseSsvcCoordinatorTable('t', [...lines, lines[1]!.replace(/^0,/, '36,')].join('\n'))).toThrow('row 36 repeats the decision points of row 0');
    expect(() => parseSsvcCoordinatorTable('t', conformanceCsv.replace('0,none,no,partial,low,track', '0,none,no,partial,low,ignore'))).toThrow('row 0: outcome "ignore" is not one of Track, Track*, Attend, Act');
    expect(() => parseSsvcCoordinatorTable('t', conformanceCsv.replace('0,none,no', '0,nothing,no'))).toThrow('row 0: Exploitation "nothing" is not one of none, public poc, active');
    expect(() => parseSsvcCoordinatorTable('t', conformanceCsv.replace('Automatable v2.0.0', 'Utility v1.0.0'))).toThrow('column 2 must be Automatable vN.N.N, got Utility v1.0.0');
    expect(() => parseSsvcCoordinatorTable('t', readConformance('ssvc', 'cisa', 'cisa_bod_26_04_1_0_0.csv'))).toThrow('SSVC table t: column 1 must be Exploitation');
    expect(() => parseSsvcCoordinatorTable('t', '')).toThrow('expected columns row, Exploitation');
  });

  it('checks a client\'s decision points, naming each bad one', () => {
    const out: { field: string; description: string }[] = [];
    expect(ssvcDecisionPointsField(out, 'ssvc', { exploitation: 'Active', automatable: 'yes', technicalImpact: undefined, missionWellbeing: 'high' })).toBeUndefined();
    expect(out).toEqual([
      { field: 'ssvc.exploitation', description: 'must be one of none, public poc, active (Exploitation)' },
      { field: 'ssvc.technical_impact', description: 'is required (Technical Impact: partial, total)' },
    ]);
    const ok: { field: string; description: string }[] = [];
    const extra = { exploitation: 'active', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'low', sneaky: 'x' };
    expect(ssvcDecisionPointsField(ok, 'ssvc', extra)).toEqual({ exploitation: 'active', automatable: 'no', technicalImpact: 'total', missionWellbeing: 'low' });
    expect(ok).toEqual([]);
  });
});
