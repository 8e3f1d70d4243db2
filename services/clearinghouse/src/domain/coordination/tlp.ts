/**
 * Traffic Light Protocol 2.0 (FIRST): the label a reporter puts on what it shares, and who in
 * Rampart may read a flaw's details under it. TLP says who the recipients may share with; in
 * Rampart the recipient is the clearinghouse, and its readers are organisations, so each label
 * becomes a rule over the reader's organisation and role:
 *
 * | label          | who reads the details                                                                     |
 * |----------------|-------------------------------------------------------------------------------------------|
 * | `CLEAR`        | any reader (no limit on disclosure)                                                        |
 * | `GREEN`        | any reader: every Rampart participant is a vetted member of the community. Never published  |
 * | `AMBER`        | the source's organisation, the clearinghouse, auditors, and the organisations it shares with on need to know (the embargo's parties, the flaw's recipients) |
 * | `AMBER+STRICT` | the source's organisation, the clearinghouse and auditors: no one outside them             |
 * | `RED`          | the source's organisation and the clearinghouse's analysts only (named recipients)         |
 *
 * "The clearinghouse" is a reader holding the `clearinghouse-analyst` role. Auditors (inspectors)
 * act for the recipient's oversight, so they read what the clearinghouse reads, except RED, which
 * is for the named recipients alone.
 *
 * A flaw merged from several reports carries each report's label and organisation: a reader must be
 * allowed by every one of them (otherwise merging would hand one reporter's AMBER+STRICT proof to
 * another). The single label shown on the flaw is the most restrictive of its inputs, as a derived
 * value's marking is the highest of its inputs'.
 *
 * TLP 1.0's `WHITE` (still used by CSAF 2.0 documents) is read as `CLEAR`, as TLP 2.0 maps it.
 */
import type { FieldViolation } from '@rampart/errors';
import type { Caller } from '@rampart/auth';

/** Least restrictive first. */
export const TLP_LABELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type TlpLabel = (typeof TLP_LABELS)[number];

/** What a report carries when its reporter gives no label. */
export const DEFAULT_REPORT_TLP: TlpLabel = 'AMBER';

export function isTlpLabel(value: unknown): value is TlpLabel {
  return typeof value === 'string' && (TLP_LABELS as readonly string[]).includes(value);
}

/**
 * A label as written (`AMBER`, `TLP:AMBER+STRICT`, `amber`, TLP 1.0 `WHITE`); empty gives
 * `fallback`. An unknown label is a violation on `field`, never a guess.
 */
export function parseTlpLabel(out: FieldViolation[], field: string, value: string | undefined, fallback: TlpLabel = DEFAULT_REPORT_TLP): TlpLabel {
  const text = (value ?? '').trim().toUpperCase().replace(/^TLP:/, '');
  if (text === '') return fallback;
  if (text === 'WHITE') return 'CLEAR';
  if (isTlpLabel(text)) return text;
  out.push({ field, description: `must be a TLP 2.0 label: ${TLP_LABELS.join(', ')}` });
  return fallback;
}

/** The most restrictive of `labels` (CLEAR for none): the label of a value derived from them. */
export function mostRestrictiveTlp(...labels: TlpLabel[]): TlpLabel {
  return labels.reduce<TlpLabel>((most, l) => (TLP_LABELS.indexOf(l) > TLP_LABELS.indexOf(most) ? l : most), 'CLEAR');
}

/** One input of a flaw: who labelled it (the reporting organisation, or a feed's) and how. */
export interface TlpSource {
  organization: string;
  tlp: TlpLabel;
}

export function isClearinghouse(reader: Pick<Caller, 'roles'>): boolean {
  return reader.roles.includes('clearinghouse-analyst');
}

/**
 * May `reader` read what `source` shared? `needToKnow` are the organisations the clearinghouse
 * shares the flaw with (embargo parties, recipients): they count for AMBER only.
 */
export function tlpAllows(source: TlpSource, reader: Pick<Caller, 'organization' | 'roles'>, needToKnow: readonly string[]): boolean {
  // An empty organisation (a stream's audience, a service) is nobody's own and on no list.
  const org = reader.organization;
  const own = org !== '' && org === source.organization;
  const clearinghouse = isClearinghouse(reader);
  const auditor = reader.roles.includes('auditor');
  switch (source.tlp) {
    case 'CLEAR':
    case 'GREEN':
      return true;
    case 'AMBER':
      return own || clearinghouse || auditor || (org !== '' && needToKnow.includes(org));
    case 'AMBER+STRICT':
      return own || clearinghouse || auditor;
    case 'RED':
      return own || clearinghouse;
  }
}
