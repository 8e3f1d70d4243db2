/** What every early-access credential and checkpoint is signed with, and how long a credential may live. */

/** Ed25519: small keys, fast verification, no parameters to get wrong. The only algorithm accepted. */
export const CREDENTIAL_ALGORITHM = 'EdDSA';
export const CREDENTIAL_TYPE = 'rampart-access+jwt';
/** The longest a credential may live (EO 14409 early access: short-lived credentials). */
export const MAX_CREDENTIAL_TTL_SECONDS = 24 * 60 * 60;
