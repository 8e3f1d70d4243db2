/**
 * The CVSS vocabulary: which metrics each version has, in the specification's order, and the values
 * each may take. Written out from FIRST's specifications (v3.0 and v3.1 s.6, v4.0 s.7) rather than
 * read from the calculator library, whose tables are more lenient than the standard (they let a base
 * metric be `X` and a v4 SC/SI/SA be `S`): a vector this table refuses is refused with a reason.
 */

export type CvssVersion = '3.0' | '3.1' | '4.0';

export type CvssMetricGroup = 'base' | 'temporal' | 'threat' | 'environmental' | 'supplemental';

export interface CvssMetric {
  /** The abbreviation in the vector (`AV`). */
  readonly key: string;
  readonly name: string;
  readonly group: CvssMetricGroup;
  /** Allowed values; `X` (Not Defined) is one of them for every metric outside the base group. */
  readonly values: readonly string[];
}

const m = (key: string, name: string, group: CvssMetricGroup, values: string): CvssMetric => ({ key, name, group, values: values.split(',') });

/** CVSS v3.0 and v3.1 share their metrics and values; they differ in formulas (roundup, modified impact). */
const V3: readonly CvssMetric[] = [
  m('AV', 'Attack Vector', 'base', 'N,A,L,P'),
  m('AC', 'Attack Complexity', 'base', 'L,H'),
  m('PR', 'Privileges Required', 'base', 'N,L,H'),
  m('UI', 'User Interaction', 'base', 'N,R'),
  m('S', 'Scope', 'base', 'U,C'),
  m('C', 'Confidentiality', 'base', 'H,L,N'),
  m('I', 'Integrity', 'base', 'H,L,N'),
  m('A', 'Availability', 'base', 'H,L,N'),
  m('E', 'Exploit Code Maturity', 'temporal', 'X,H,F,P,U'),
  m('RL', 'Remediation Level', 'temporal', 'X,U,W,T,O'),
  m('RC', 'Report Confidence', 'temporal', 'X,C,R,U'),
  m('CR', 'Confidentiality Requirement', 'environmental', 'X,H,M,L'),
  m('IR', 'Integrity Requirement', 'environmental', 'X,H,M,L'),
  m('AR', 'Availability Requirement', 'environmental', 'X,H,M,L'),
  m('MAV', 'Modified Attack Vector', 'environmental', 'X,N,A,L,P'),
  m('MAC', 'Modified Attack Complexity', 'environmental', 'X,L,H'),
  m('MPR', 'Modified Privileges Required', 'environmental', 'X,N,L,H'),
  m('MUI', 'Modified User Interaction', 'environmental', 'X,N,R'),
  m('MS', 'Modified Scope', 'environmental', 'X,U,C'),
  m('MC', 'Modified Confidentiality', 'environmental', 'X,H,L,N'),
  m('MI', 'Modified Integrity', 'environmental', 'X,H,L,N'),
  m('MA', 'Modified Availability', 'environmental', 'X,H,L,N'),
];

/** CVSS v4.0 (specification Table 23); `S` (Safety) is allowed only for the modified subsequent-system integrity and availability. */
const V4: readonly CvssMetric[] = [
  m('AV', 'Attack Vector', 'base', 'N,A,L,P'),
  m('AC', 'Attack Complexity', 'base', 'L,H'),
  m('AT', 'Attack Requirements', 'base', 'N,P'),
  m('PR', 'Privileges Required', 'base', 'N,L,H'),
  m('UI', 'User Interaction', 'base', 'N,P,A'),
  m('VC', 'Vulnerable System Confidentiality', 'base', 'H,L,N'),
  m('VI', 'Vulnerable System Integrity', 'base', 'H,L,N'),
  m('VA', 'Vulnerable System Availability', 'base', 'H,L,N'),
  m('SC', 'Subsequent System Confidentiality', 'base', 'H,L,N'),
  m('SI', 'Subsequent System Integrity', 'base', 'H,L,N'),
  m('SA', 'Subsequent System Availability', 'base', 'H,L,N'),
  m('E', 'Exploit Maturity', 'threat', 'X,A,P,U'),
  m('CR', 'Confidentiality Requirement', 'environmental', 'X,H,M,L'),
  m('IR', 'Integrity Requirement', 'environmental', 'X,H,M,L'),
  m('AR', 'Availability Requirement', 'environmental', 'X,H,M,L'),
  m('MAV', 'Modified Attack Vector', 'environmental', 'X,N,A,L,P'),
  m('MAC', 'Modified Attack Complexity', 'environmental', 'X,L,H'),
  m('MAT', 'Modified Attack Requirements', 'environmental', 'X,N,P'),
  m('MPR', 'Modified Privileges Required', 'environmental', 'X,N,L,H'),
  m('MUI', 'Modified User Interaction', 'environmental', 'X,N,P,A'),
  m('MVC', 'Modified Vulnerable System Confidentiality', 'environmental', 'X,H,L,N'),
  m('MVI', 'Modified Vulnerable System Integrity', 'environmental', 'X,H,L,N'),
  m('MVA', 'Modified Vulnerable System Availability', 'environmental', 'X,H,L,N'),
  m('MSC', 'Modified Subsequent System Confidentiality', 'environmental', 'X,H,L,N'),
  m('MSI', 'Modified Subsequent System Integrity', 'environmental', 'X,S,H,L,N'),
  m('MSA', 'Modified Subsequent System Availability', 'environmental', 'X,S,H,L,N'),
  m('S', 'Safety', 'supplemental', 'X,N,P'),
  m('AU', 'Automatable', 'supplemental', 'X,N,Y'),
  m('R', 'Recovery', 'supplemental', 'X,A,U,I'),
  m('V', 'Value Density', 'supplemental', 'X,D,C'),
  m('RE', 'Vulnerability Response Effort', 'supplemental', 'X,L,M,H'),
  m('U', 'Provider Urgency', 'supplemental', 'X,Clear,Green,Amber,Red'),
];

/** Each version's metrics in the order its specification writes them in a vector. */
export const CVSS_METRICS: Readonly<Record<CvssVersion, readonly CvssMetric[]>> = { '3.0': V3, '3.1': V3, '4.0': V4 };

export const CVSS_VERSIONS: readonly CvssVersion[] = ['4.0', '3.1', '3.0'];
