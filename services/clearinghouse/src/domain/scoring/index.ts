/** Scoring: CVSS 4.0/3.1/3.0, SSVC (CISA coordinator), KEV status and the priority that combines them. Pure: no I/O, no clock. */
export * from './cvss-metrics';
export * from './cvss-vector';
export * from './cvss';
export * from './ssvc';
export * from './kev';
export * from './priority';
