/**
 * Patch distribution's other half: what each operator reports of each affected asset, and the
 * exposure view analysts read per flaw (who is still exposed, by sector and size). "Not affected"
 * must say why, in VEX's words (CSAF 2.0 `flags[].label`, the same five as OpenVEX and CISA's
 * minimum VEX requirements), so a claim of safety is checkable.
 */
import type { FieldViolation } from '@rampart/errors';
import { textField } from '@rampart/errors';
import type { OperatorSector, OperatorSize } from './operator';

export const REMEDIATION_STATES = ['affected', 'patched', 'mitigated', 'not_affected'] as const;
export type RemediationState = (typeof REMEDIATION_STATES)[number];

export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

export const MAX_REMEDIATION_NOTE = 2_000;

export interface RemediationInput {
  state?: string;
  justification?: string;
  note?: string;
}

export interface Remediation {
  state: RemediationState;
  justification?: VexJustification;
  note: string;
}

const oneOf = <T extends string>(values: readonly T[], v: string | undefined): v is T => v !== undefined && (values as readonly string[]).includes(v);

/** Checks one asset's remediation report; every problem at once. */
export function remediationOf(out: FieldViolation[], input: RemediationInput): Remediation {
  const state = input.state;
  if (!oneOf(REMEDIATION_STATES, state)) out.push({ field: 'state', description: `must be one of ${REMEDIATION_STATES.join(', ')}` });
  const justification = input.justification === '' ? undefined : input.justification;
  if (state === 'not_affected' && justification === undefined) out.push({ field: 'justification', description: `is required when the state is not_affected: one of ${VEX_JUSTIFICATIONS.join(', ')}` });
  else if (justification !== undefined && !oneOf(VEX_JUSTIFICATIONS, justification)) out.push({ field: 'justification', description: `must be one of ${VEX_JUSTIFICATIONS.join(', ')}` });
  else if (justification !== undefined && state !== 'not_affected') out.push({ field: 'justification', description: 'is given only when the state is not_affected' });
  const note = textField(out, 'note', input.note, MAX_REMEDIATION_NOTE, false);
  return { state: state as RemediationState, ...(oneOf(VEX_JUSTIFICATIONS, justification) && state === 'not_affected' ? { justification } : {}), note };
}

/** One affected asset of one operator, with what the operator last said of it (none: still affected). */
export interface AssetExposure {
  operatorId: string;
  sector: OperatorSector;
  size: OperatorSize;
  assetId: string;
  remediation?: Remediation;
}

export interface ExposureCount {
  sector: OperatorSector;
  size: OperatorSize;
  operators: number;
  /** Operators with at least one asset still affected (no report, or `affected`). */
  exposedOperators: number;
  assets: Record<RemediationState, number>;
}

/** Per flaw: counts by sector and size, sorted so the view is stable. */
export function exposureBySectorAndSize(assets: readonly AssetExposure[]): ExposureCount[] {
  const rows = new Map<string, ExposureCount & { all: Set<string>; exposed: Set<string> }>();
  for (const a of assets) {
    const key = `${a.sector}/${a.size}`;
    let row = rows.get(key);
    if (!row) {
      row = { sector: a.sector, size: a.size, operators: 0, exposedOperators: 0, assets: { affected: 0, patched: 0, mitigated: 0, not_affected: 0 }, all: new Set(), exposed: new Set() };
      rows.set(key, row);
    }
    const state = a.remediation?.state ?? 'affected';
    row.assets[state] += 1;
    row.all.add(a.operatorId);
    if (state === 'affected') row.exposed.add(a.operatorId);
  }
  return [...rows.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, { all, exposed, ...row }]) => ({ ...row, operators: all.size, exposedOperators: exposed.size }));
}
