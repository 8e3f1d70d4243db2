/**
 * Organisation and operator ids become one token of a NATS subject
 * (`rampart.developer.<org>.<area>...`, `rampart.operator.<id>.<area>...`), and nats-server
 * permissions per account grant each reader its own token. So an id is accepted only when it is
 * already a safe token, never rewritten: rewriting (`a.b` -> `a_b`) would give two organisations one
 * subject. The verifier refuses tokens whose `org` breaks this rule; the builders below refuse too.
 */
import { isSubjectToken, SUBJECT_TOKEN_RULE } from '@rampart/errors';

// The rule itself is shared with every other subject builder (timers, audit): one definition.
export { isSubjectToken, SUBJECT_TOKEN, SUBJECT_TOKEN_RULE } from '@rampart/errors';

/** `value` itself, when it is a safe subject token; anything else is a bug where the id entered. */
export function subjectToken(value: string, what = 'organisation id'): string {
  if (isSubjectToken(value)) return value;
  throw new Error(`${what} ${JSON.stringify(String(value).slice(0, 80))} is not a NATS subject token (${SUBJECT_TOKEN_RULE})`);
}

/** `tail` is the publishing area's `<area>.<thing>.<verb>`: fixed by code, never from input. */
function audienceSubject(audience: 'developer' | 'operator', id: string, tail: string): string {
  if (!/^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/.test(tail)) throw new Error(`subject tail ${JSON.stringify(tail)} is not <area>.<thing>.<verb>`);
  return `rampart.${audience}.${subjectToken(id, audience === 'developer' ? 'organisation id' : 'operator id')}.${tail}`;
}

/** A developer organisation's own subject, e.g. `rampart.developer.acme.designation.assessment.released`. */
export function developerSubject(organization: string, tail: string): string {
  return audienceSubject('developer', organization, tail);
}

/** One operator's own subject, e.g. `rampart.operator.<id>.clearinghouse.notification.issued`. */
export function operatorSubject(operatorId: string, tail: string): string {
  return audienceSubject('operator', operatorId, tail);
}
