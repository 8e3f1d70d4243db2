/**
 * Loads CISA's SSVC coordinator table from `assets/ssvc` (copied from CERT/CC's repository, see its
 * SOURCE.md) once, and hands it to the pure scoring rules. `assets/` sits two levels above this file
 * both in src/assets and in dist/assets.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseSsvcCoordinatorTable, type SsvcTable } from '../domain/scoring/ssvc';

export const SSVC_COORDINATOR_TABLE_ID = 'cisa_coordinator_2_0_3';
export const SSVC_ASSETS_DIR = path.join(__dirname, '../../assets/ssvc');

let table: SsvcTable | undefined;

/** The coordinator table, read and checked on first use (throws, naming the defect, when the file is missing or wrong). */
export function ssvcCoordinatorTable(): SsvcTable {
  table ??= parseSsvcCoordinatorTable(SSVC_COORDINATOR_TABLE_ID, fs.readFileSync(path.join(SSVC_ASSETS_DIR, `${SSVC_COORDINATOR_TABLE_ID}.csv`), 'utf8'));
  return table;
}
