/**
 * The one rule for what may be a single token of a NATS subject, for every id that becomes one:
 * organisation and operator ids (`rampart.developer.<org>...`, checked in @rampart/auth), timer
 * kinds, ids and areas (`rampart.<area>.timer...`, @rampart/events), audit markings. It lives here,
 * with the other input rules, because every library that builds subjects depends on this one.
 *
 * Letters, digits, `_` and `-`, 1 to 64: no `.` (the separator), `*` or `>` (wildcards), no
 * whitespace or control characters (which could end a header line). Ids are accepted only when they
 * already are a token, never rewritten: rewriting (`a.b` -> `a_b`) would make two ids one subject.
 */

export const SUBJECT_TOKEN_MAX_LENGTH = 64;

export const SUBJECT_TOKEN = new RegExp(`^[A-Za-z0-9_-]{1,${SUBJECT_TOKEN_MAX_LENGTH}}$`);

/** The rule in words, for error messages. */
export const SUBJECT_TOKEN_RULE = `1 to ${SUBJECT_TOKEN_MAX_LENGTH} letters, digits, _ or -`;

export function isSubjectToken(value: unknown): value is string {
  return typeof value === 'string' && SUBJECT_TOKEN.test(value);
}
