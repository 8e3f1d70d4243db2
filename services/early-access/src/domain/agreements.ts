/**
 * Agreements: versioned templates per kind (the protections EO 14409 s.3 names), each
 * content-hashed, and principals' acceptances. Before any credential is issued, its principal must
 * have accepted the current version of every kind the program requires; a new version needs a new
 * acceptance before the next credential.
 */
import { ConflictError, FailedPreconditionError, textField, ValidationError, type FieldViolation } from '@rampart/errors';
import { canonicalHash } from './canonical';

export const ALL_AGREEMENT_KINDS = ['confidentiality', 'cybersecurity', 'insider_risk', 'ip_protection_and_use', 'non_disclosure'] as const;
export type AgreementKind = (typeof ALL_AGREEMENT_KINDS)[number];

export const LIMITS = { title: 200, text: 100_000 } as const;
/** What an acceptance names: a SHA-256, hex. */
export const CONTENT_HASH = /^[0-9a-f]{64}$/;

export interface AgreementTemplate {
  kind: AgreementKind;
  version: number;
  title: string;
  text: string;
  /** SHA-256 of the canonical JSON of kind, title and text: what an acceptance names. */
  contentHash: string;
  publishedBy: string;
  publishedAt: Date;
}

/** The current version of each kind (a kind never published is absent). */
export type CurrentAgreements = Partial<Record<AgreementKind, { version: number; contentHash: string }>>;

export interface AgreementAcceptance {
  programId: string;
  principal: string;
  principalOrganization: string;
  kind: AgreementKind;
  version: number;
  contentHash: string;
  acceptedAt: Date;
}

export function contentHash(kind: AgreementKind, title: string, text: string): string {
  return canonicalHash({ kind, title, text });
}

/** A template to publish, checked: every bad field named. */
export interface AgreementDraft {
  kind: AgreementKind;
  title: string;
  text: string;
}

export function agreementDraft(args: { kind: AgreementKind | undefined; title: string; text: string }): AgreementDraft {
  const violations: FieldViolation[] = [];
  if (!args.kind) violations.push({ field: 'kind', description: `must be one of ${ALL_AGREEMENT_KINDS.join(', ')}` });
  const title = textField(violations, 'title', args.title, LIMITS.title);
  const text = textField(violations, 'text', args.text, LIMITS.text);
  ValidationError.throwIfAny(violations);
  return { kind: args.kind!, title, text };
}

/**
 * The version a retry of this publish already made: the current version is the one after
 * `expectedVersion` and says exactly this (a response lost on the way back). Undefined otherwise.
 */
export function publishedBefore(draft: AgreementDraft, expectedVersion: number, current: CurrentAgreements): number | undefined {
  const head = current[draft.kind];
  return head && head.version === expectedVersion + 1 && head.contentHash === contentHash(draft.kind, draft.title, draft.text) ? head.version : undefined;
}

/** The next version of a kind's template, or why not. */
export function publishAgreement(args: { kind: AgreementKind | undefined; title: string; text: string; expectedVersion: number; current: CurrentAgreements; actor: string; now: Date }): AgreementTemplate {
  const { kind, title, text } = agreementDraft(args);
  const head = args.current[kind];
  const currentVersion = head?.version ?? 0;
  if (args.expectedVersion !== currentVersion) {
    throw new ConflictError(`the current ${kind} agreement is version ${currentVersion}, not ${args.expectedVersion}: read it again and retry`);
  }
  const hash = contentHash(kind, title, text);
  if (head && head.contentHash === hash) throw new FailedPreconditionError(`version ${currentVersion} of the ${kind} agreement already says exactly this`);
  return { kind, version: currentVersion + 1, title, text, contentHash: hash, publishedBy: args.actor, publishedAt: args.now };
}

/** An acceptance of the current version, or why not: the hash the principal read must be the current one. */
export function acceptAgreement(args: { programId: string; kind: AgreementKind | undefined; contentHash: string; required: readonly AgreementKind[]; current: CurrentAgreements; principal: string; principalOrganization: string; now: Date }): AgreementAcceptance {
  if (!args.kind) throw new ValidationError([{ field: 'kind', description: `must be one of ${ALL_AGREEMENT_KINDS.join(', ')}` }]);
  if (!CONTENT_HASH.test(args.contentHash)) throw new ValidationError([{ field: 'content_hash', description: 'must be the SHA-256 (64 lowercase hex digits) of the version you read' }]);
  if (!args.required.includes(args.kind)) throw new FailedPreconditionError(`program ${args.programId} does not require a ${args.kind} agreement`);
  const head = args.current[args.kind];
  if (!head) throw new FailedPreconditionError(`no ${args.kind} agreement has been published yet`);
  if (head.contentHash !== args.contentHash) {
    throw new FailedPreconditionError(`content_hash is not the current ${args.kind} agreement (version ${head.version}): read it again and accept that one`);
  }
  return { programId: args.programId, principal: args.principal, principalOrganization: args.principalOrganization, kind: args.kind, version: head.version, contentHash: head.contentHash, acceptedAt: args.now };
}

/**
 * The required kinds whose current version the principal has not accepted. `accepted(kind, hash)`
 * says whether an acceptance of that exact version exists.
 */
export function missingAcceptances(required: readonly AgreementKind[], current: CurrentAgreements, accepted: (kind: AgreementKind, hash: string) => boolean): { kind: AgreementKind; reason: string }[] {
  return required.flatMap((kind) => {
    const head = current[kind];
    if (!head) return [{ kind, reason: `no ${kind} agreement is published` }];
    return accepted(kind, head.contentHash) ? [] : [{ kind, reason: `version ${head.version} of the ${kind} agreement is not accepted` }];
  });
}
