/**
 * Coordination: TLP labels, embargoes and redaction by party, label and marking; scan requests,
 * their merging into jobs, claims and the scope check of results; exploitation reports. Pure: no
 * I/O, no clock (every function that needs the time takes `now`).
 */
export * from './zoned-time';
export * from './tlp';
export * from './embargo';
export * from './redaction';
export * from './addresses';
export * from './names';
export * from './scan-targets';
export * from './scan-request';
export * from './target-groups';
export * from './scan-plan';
export * from './scan-claim';
export * from './sarif-placement';
export * from './exploitation';
