/** The enforcement service's pure rules: referrals, their priority and workflow, candidates from events, custody, STIX. */
export * from './referral';
export * from './validation';
export * from './priority';
export * from './workflow';
export * from './candidates';
export * from './custody';
export * from './redaction';
export * from './stix';
export * from './authorization';
