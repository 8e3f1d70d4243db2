/** Identifier rules shared by the service's inputs. */
import { isSubjectToken, SUBJECT_TOKEN_RULE } from '@rampart/auth';
import { uuidField, type FieldViolation } from '@rampart/errors';

/** Organisation ids become NATS subject tokens (`rampart.developer.<org>...`): only safe tokens. */
export function isOrganizationId(value: string): boolean {
  return isSubjectToken(value);
}

export const ORGANIZATION_RULE = SUBJECT_TOKEN_RULE;

export function organizationField(out: FieldViolation[], field: string, value: string): string {
  if (!value) out.push({ field, description: 'is required' });
  else if (!isOrganizationId(value)) out.push({ field, description: `must be an organisation id (${ORGANIZATION_RULE})` });
  return value;
}

/** Programs are keyed by their model's submission id. */
export function programIdField(out: FieldViolation[], value: string, field = 'program_id'): string {
  return uuidField(out, field, value, 'a program id (the model\'s submission id)');
}

export function idField(out: FieldViolation[], field: string, value: string, what: string): string {
  return uuidField(out, field, value, what);
}
