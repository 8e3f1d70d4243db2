/** One record per flaw: alias groups, analysts' merges and splits, fingerprints, credit. */
export type { AffectedPackage, AffectedRange, FindingLocation, FlawRecord } from './flaw-record';
export { FLAW_LIMITS } from './limits';
export { type Exclusion, exclusionOf, isCveId, linksOf, namesOf, normaliseId } from './ids';
export { type DecisionKind, type DecisionUndo, type FlawDecision, decisionsInForce, effectiveDecisions } from './decisions';
export { type FlagKind, type FlawFlag, type FlawGroup, type Regrouping, regroup } from './grouping';
export { ComponentWalk } from './component';
export { type LikelyDuplicate, type Likelihood, type PackageIdentity, fingerprintKeys, likelyDuplicates, locationKey, normaliseCwe, packageIdentity } from './fingerprint';
export { compareVersions } from './versions';
export { type JoinNotice, type ReportOrigin, type ReporterCredit, creditsOf, joinNotices } from './credit';
