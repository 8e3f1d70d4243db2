/**
 * SSVC (Stakeholder-Specific Vulnerability Categorization, CERT/CC and CISA): CISA's coordinator
 * decision table. The table itself is data, CERT/CC's CSV (`assets/ssvc`), parsed and checked here:
 * its columns must be the four decision points below and the outcome, its rows every combination of
 * their values exactly once. A decision looks the row up and records the decision points it was made
 * from, with their versions and the table's, so a later reader knows what was decided on what.
 */
import { ValidationError, type FieldViolation } from '@rampart/errors';

export const SSVC_EXPLOITATION = ['none', 'public poc', 'active'] as const;
export const SSVC_AUTOMATABLE = ['no', 'yes'] as const;
export const SSVC_TECHNICAL_IMPACT = ['partial', 'total'] as const;
export const SSVC_MISSION_WELLBEING = ['low', 'medium', 'high'] as const;
/** CISA Levels, lowest first. */
export const SSVC_OUTCOMES = ['Track', 'Track*', 'Attend', 'Act'] as const;

export type SsvcExploitation = (typeof SSVC_EXPLOITATION)[number];
export type SsvcAutomatable = (typeof SSVC_AUTOMATABLE)[number];
export type SsvcTechnicalImpact = (typeof SSVC_TECHNICAL_IMPACT)[number];
export type SsvcMissionWellbeing = (typeof SSVC_MISSION_WELLBEING)[number];
export type SsvcOutcome = (typeof SSVC_OUTCOMES)[number];

/** The coordinator's decision points, with the values the CSV spells. */
export interface SsvcDecisionPoints {
  /** Exploitation v1.1.0: none, public poc (proof of concept), active (exploited in the wild). */
  readonly exploitation: SsvcExploitation;
  /** Automatable v2.0.0: can an attacker run steps 1-4 of the kill chain without a human? */
  readonly automatable: SsvcAutomatable;
  /** Technical Impact v1.0.0: partial or total control of the affected component. */
  readonly technicalImpact: SsvcTechnicalImpact;
  /** Mission and Well-Being Impact v1.0.0 (CISA): low, medium, high. */
  readonly missionWellbeing: SsvcMissionWellbeing;
}

type PointKey = keyof SsvcDecisionPoints;

/** The CSV column each decision point comes from (name without version), and its allowed values. */
const COLUMNS: readonly { key: PointKey; column: string; values: readonly string[] }[] = [
  { key: 'exploitation', column: 'Exploitation', values: SSVC_EXPLOITATION },
  { key: 'automatable', column: 'Automatable', values: SSVC_AUTOMATABLE },
  { key: 'technicalImpact', column: 'Technical Impact', values: SSVC_TECHNICAL_IMPACT },
  { key: 'missionWellbeing', column: 'Mission and Well-Being Impact', values: SSVC_MISSION_WELLBEING },
];
const OUTCOME_COLUMN = 'CISA Levels';

/** One decision point as recorded: its SSVC name and version, and the value decided on. */
export interface SsvcRecordedPoint {
  readonly name: string;
  readonly version: string;
  readonly value: string;
}

export interface SsvcTable {
  /** Which table, e.g. `cisa_coordinator_2_0_3` (the CSV's name). */
  readonly id: string;
  /** Version of each decision point's column, in COLUMNS order. */
  readonly pointVersions: Readonly<Record<PointKey, string>>;
  /** The outcome column, e.g. `CISA Levels v1.1.0 (cisa)`. */
  readonly outcomeColumn: string;
  /** Row number and outcome by the key of its decision points. */
  readonly rows: ReadonlyMap<string, { readonly row: number; readonly outcome: SsvcOutcome }>;
}

export interface SsvcDecision {
  readonly table: string;
  /** The CSV's row that decided. */
  readonly row: number;
  readonly outcome: SsvcOutcome;
  readonly decisionPoints: SsvcDecisionPoints;
  /** The same decision points with their SSVC names and versions, in the table's column order. */
  readonly recorded: readonly SsvcRecordedPoint[];
}

const keyOf = (p: SsvcDecisionPoints) => COLUMNS.map((c) => p[c.key]).join('|');
const HEADER = /^(.+) v(\d+\.\d+\.\d+)(?: \(([a-z]+)\))?$/;

/**
 * Parses and checks CISA's coordinator table from its CSV text (comma-separated, no quoting: none of
 * its cells hold a comma). Throws an Error naming what is wrong: this is a deployment defect, found at
 * startup, never a client's.
 */
export function parseSsvcCoordinatorTable(id: string, csv: string): SsvcTable {
  const lines = csv.replace(/^\uFEFF/, '').split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',');
  const fail = (why: string): never => {
    throw new Error(`SSVC table ${id}: ${why}`);
  };
  if (header.length !== COLUMNS.length + 2 || header[0] !== 'row') fail(`expected columns row, ${COLUMNS.map((c) => c.column).join(', ')}, ${OUTCOME_COLUMN}; got ${header.join(', ')}`);
  const versions = {} as Record<PointKey, string>;
  COLUMNS.forEach((c, i) => {
    const parsed = HEADER.exec(header[i + 1] ?? '');
    if (!parsed || parsed[1] !== c.column) fail(`column ${i + 1} must be ${c.column} vN.N.N, got ${header[i + 1]}`);
    versions[c.key] = parsed?.[2] ?? '';
  });
  const outcomeColumn = header[COLUMNS.length + 1] ?? '';
  if (HEADER.exec(outcomeColumn)?.[1] !== OUTCOME_COLUMN) fail(`the last column must be ${OUTCOME_COLUMN} vN.N.N, got ${outcomeColumn}`);

  const rows = new Map<string, { row: number; outcome: SsvcOutcome }>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (cells.length !== header.length) fail(`row ${JSON.stringify(line)} has ${cells.length} cells, not ${header.length}`);
    const row = Number(cells[0]);
    if (!Number.isInteger(row)) fail(`row ${JSON.stringify(line)} has no row number`);
    const point = {} as Record<PointKey, string>;
    COLUMNS.forEach((c, i) => {
      const value = cells[i + 1] ?? '';
      if (!c.values.includes(value)) fail(`row ${row}: ${c.column} ${JSON.stringify(value)} is not one of ${c.values.join(', ')}`);
      point[c.key] = value;
    });
    const outcome = outcomeOf(cells[COLUMNS.length + 1] ?? '') ?? fail(`row ${row}: outcome ${JSON.stringify(cells[COLUMNS.length + 1])} is not one of ${SSVC_OUTCOMES.join(', ')}`);
    const key = keyOf(point as unknown as SsvcDecisionPoints);
    if (rows.has(key)) fail(`row ${row} repeats the decision points of row ${rows.get(key)?.row}`);
    rows.set(key, { row, outcome });
  }
  const combinations = COLUMNS.reduce((n, c) => n * c.values.length, 1);
  if (rows.size !== combinations) fail(`has ${rows.size} rows, not the ${combinations} combinations of its decision points`);
  return { id, pointVersions: versions, outcomeColumn, rows };
}

/** The CSV writes outcomes in lower case (`track*`); SSVC's documents capitalise them. */
function outcomeOf(cell: string): SsvcOutcome | undefined {
  return SSVC_OUTCOMES.find((o) => o.toLowerCase() === cell);
}

/** The table's outcome for these decision points, with the points recorded. */
export function decideSsvc(table: SsvcTable, points: SsvcDecisionPoints): SsvcDecision {
  const decisionPoints: SsvcDecisionPoints = {
    exploitation: points.exploitation,
    automatable: points.automatable,
    technicalImpact: points.technicalImpact,
    missionWellbeing: points.missionWellbeing,
  };
  const found = table.rows.get(keyOf(decisionPoints));
  // A complete table (checked when parsed) has a row for every typed combination; this guards callers that cast.
  if (!found) throw new ValidationError(COLUMNS.filter((c) => !c.values.includes(decisionPoints[c.key])).map((c) => ({ field: `ssvc.${snake(c.key)}`, description: `must be one of ${c.values.join(', ')}` })));
  return {
    table: table.id,
    row: found.row,
    outcome: found.outcome,
    decisionPoints,
    recorded: COLUMNS.map((c) => ({ name: c.column, version: table.pointVersions[c.key], value: decisionPoints[c.key] })),
  };
}

/**
 * Checks a client's decision points: pushes one violation per missing or unknown value, named
 * `<field>.exploitation`, `<field>.automatable`, `<field>.technical_impact`, `<field>.mission_wellbeing`,
 * and returns the points when all four are valid.
 */
export function ssvcDecisionPointsField(out: FieldViolation[], field: string, raw: Partial<Record<PointKey, string | undefined>>): SsvcDecisionPoints | undefined {
  const before = out.length;
  for (const c of COLUMNS) {
    const value = raw[c.key];
    if (value === undefined || value === '') out.push({ field: `${field}.${snake(c.key)}`, description: `is required (${c.column}: ${c.values.join(', ')})` });
    else if (!c.values.includes(value)) out.push({ field: `${field}.${snake(c.key)}`, description: `must be one of ${c.values.join(', ')} (${c.column})` });
  }
  if (out.length !== before) return undefined;
  const valid = raw as SsvcDecisionPoints;
  return { exploitation: valid.exploitation, automatable: valid.automatable, technicalImpact: valid.technicalImpact, missionWellbeing: valid.missionWellbeing };
}

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
